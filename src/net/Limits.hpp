#pragma once
// Transport constants of the engine: ENet channels, host limits and abuse limits (PROTOCOL.md §1, §6).
#include "duet/core/Clock.hpp"

#include <cstddef>
#include <cstdint>

namespace duet::net {

inline constexpr std::uint8_t kControlChannel = 0;  // handshake frames, then control records
inline constexpr std::uint8_t kChatChannel = 1;     // chat records
inline constexpr std::uint8_t kDataChannel = 2;     // file data (reserved for the transfer layer)
inline constexpr std::uint8_t kBulkChannel = 3;     // bulk datagrams carrying file data (PROTOCOL.md §11)
inline constexpr std::uint8_t kChatEchoChannel = 4; // a second copy of each Chat (PROTOCOL.md §3.1)
inline constexpr std::size_t kChannelCount = 5;
// Chunk bytes per connection handed to the bulk transport and not yet acknowledged by the peer: room
// for 2 x the bandwidth-delay product (1 Gbit/s x 5 ms = 625 KB) plus the data held behind a loss for
// a recovery round trip, on every issue 7 profile. Bounds memory: this plus one chunk per connection.
inline constexpr std::uint64_t kBulkQueuedBytes = 4u << 20;

inline constexpr std::size_t kMaxPeers = 64;
inline constexpr std::size_t kMaxConnectionsPerIp = 4;
inline constexpr std::size_t kMaxPacketSize = 2u << 20;
inline constexpr std::size_t kMaxWaitingData = 4u << 20;
inline constexpr std::uint32_t kMtu = 1400;

// Connections that have not finished the handshake and Hello; more incoming ones are refused as busy.
inline constexpr std::size_t kMaxPendingHandshakes = 8;
inline constexpr Millis kHandshakeTimeout{5000};
// Bad packets (undecodable, wrong state, unauthentic, undecodable message) tolerated per connection.
inline constexpr int kMaxBadPackets = 16;
// A connection attempt with no answer, and a connected peer that acknowledged nothing (ENet pings every
// 500 ms while idle), are given up after this long. ENet's own timeouts only fire on retransmission
// ticks, which can come up to twice as late.
inline constexpr Millis kConnectTimeout{8000};
inline constexpr Millis kPeerSilenceLimit{8000};
inline constexpr Millis kStatsInterval{1000};
inline constexpr Millis kShutdownGrace{500};

} // namespace duet::net
