#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

// In-place edits of raw IPv4/IPv6 packets as read from a TUN device (no link header): locating the
// transport header, corrupting payload bytes and rewriting UDP ports with RFC 1624 incremental checksum
// updates. Functions never read or write outside [packet, packet + length); malformed packets are left
// untouched and reported with false/nullopt.
namespace duet::netlab {

inline constexpr std::uint8_t kProtoTcp = 6;
inline constexpr std::uint8_t kProtoUdp = 17;
inline constexpr std::uint8_t kProtoIcmp = 1;
inline constexpr std::uint8_t kProtoIcmpV6 = 58;

struct TransportView {
    std::uint8_t protocol = 0;
    std::size_t transportOffset = 0; // first byte after the IP header
    std::size_t payloadOffset = 0;   // first byte after the transport header (== transportOffset if unknown)
    std::size_t checksumOffset = 0;  // offset of the L4 checksum; 0 when there is none to maintain
    bool laterFragment = false;      // IPv4 fragment with offset > 0: no transport header here
    std::size_t end = 0;             // end of the IP datagram within the buffer
};

std::optional<TransportView> parseTransport(const std::uint8_t* packet, std::size_t length);

// One's-complement sum over bytes (for tests and full recomputation), folded, not inverted.
std::uint16_t onesComplementSum(const std::uint8_t* data, std::size_t length, std::uint32_t initial = 0);

// RFC 1624 eqn. 3: the checksum after one 16-bit word of the covered data changed from oldWord to newWord.
std::uint16_t adjustChecksum(std::uint16_t checksum, std::uint16_t oldWord, std::uint16_t newWord);

// Flips bits of one transport-payload byte chosen by `draw`. With fixChecksum the L4 checksum is updated
// so the damaged datagram still reaches the application. Returns false when there is no payload byte.
bool corruptPayload(std::uint8_t* packet, std::size_t length, std::uint64_t draw, bool fixChecksum);

// Reads/writes the UDP source or destination port of an unfragmented (or first-fragment) UDP packet.
std::optional<std::uint16_t> udpPort(const std::uint8_t* packet, std::size_t length, bool source);
bool rewriteUdpPort(std::uint8_t* packet, std::size_t length, bool source, std::uint16_t newPort);

} // namespace duet::netlab
