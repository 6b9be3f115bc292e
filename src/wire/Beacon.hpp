#pragma once
// LAN discovery beacon (wire format v1), sent by UDP broadcast and multicast on the discovery port.
//   magic "DUBC" | version u8 | kind u8 | instance id u64 | ENet port u16 | fingerprint hint [20] | name (u16
//   + UTF-8)
// A beacon is a hint, never an identity: the handshake alone proves who a peer is. Pure functions.
#include "duet/wire/Messages.hpp"

#include <array>
#include <string>

namespace duet::wire {

inline constexpr std::uint16_t kDiscoveryPort = 55556;
inline constexpr std::size_t kMaxBeaconSize = 128; // larger datagrams are dropped unread
inline constexpr std::size_t kFingerprintHintSize = 20;

enum class BeaconKind : std::uint8_t {
    Announce = 0, // "I am here", sent on start and every few seconds
    Query = 1, // "who is here?": peers answer with an Announce (rate-limited, to the LAN, never to the sender
               // alone)
    Leaving = 2, // sent on shutdown so peers drop us at once
};

struct Beacon {
    BeaconKind kind = BeaconKind::Announce;
    std::uint64_t instanceId = 0; // random per run; used to ignore our own beacons
    std::uint16_t port = 0;       // the sender's ENet port, non-zero
    std::array<std::uint8_t, kFingerprintHintSize> fingerprintHint{};
    std::string displayName; // at most kMaxDisplayName bytes of UTF-8
};

Bytes encodeBeacon(const Beacon& beacon);
// Refuses foreign magic, other versions, unknown kinds, a zero port or instance id, oversized datagrams,
// bad UTF-8 or control characters in the name, and trailing bytes.
Result<Beacon> decodeBeacon(ByteSpan datagram);

} // namespace duet::wire
