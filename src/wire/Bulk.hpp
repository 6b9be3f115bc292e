#pragma once
// Wire format v1, bulk datagram transport (PROTOCOL.md §11). Pure functions.
// A bulk datagram is one frame, BulkData (0x12) or BulkAck (0x13), sent unsequenced (unreliable) on ENet
// channel 3 after the handshake. Its body is an envelope:
//   sequence u64 | ciphertext (sealed plaintext + 16-byte tag)
// The sequence is the nonce's counter and never repeats for one key and direction. Plaintexts:
//   BulkData: streamOffset u64 | data (1 .. kMaxLargeBulkSlice bytes; above kMaxBulkSlice only after a
//             path MTU probe of that size arrived, §11.9)
//   BulkAck:  ackDelayMicros u32 | rangeCount u8 (1 .. kMaxBulkAckRanges) | (high u64 | low u64) * count
// Ack ranges are inclusive packet-number ranges, highest first, disjoint and not adjacent.
#include "duet/wire/Bytes.hpp"
#include "duet/wire/Frame.hpp"
#include "duet/wire/Result.hpp"

#include <vector>

namespace duet::wire {

inline constexpr std::size_t kBulkTagSize = 16;
inline constexpr std::size_t kBulkEnvelopeHeader = 8;
// The base slice: a sealed data datagram (frame header + envelope + offset + slice + tag + ENet's 12-byte
// header) stays under 1,280 bytes, the smallest MTU of common tunnels, so no path fragments it.
inline constexpr std::size_t kMaxBulkSlice = 1200;
// Larger slices go only in raw datagrams to a peer that announced kCapabilityLargeBulk, after a probe of
// that size arrived (PROTOCOL.md §11.9); the largest fills a 9,000-byte jumbo IPv4 packet in the compact
// format (§11.10).
inline constexpr std::size_t kMaxLargeBulkSlice = 8940;
inline constexpr std::size_t kMaxBulkAckRanges = 32;
// Stream offsets stay far below 2^63 so offset + length can never wrap.
inline constexpr std::uint64_t kMaxBulkStreamOffset = std::uint64_t{1} << 62;

struct BulkEnvelopeView {
    std::uint64_t sequence = 0;
    ByteSpan ciphertext; // points into the decoded body
};

struct BulkDataView {
    std::uint64_t streamOffset = 0;
    ByteSpan data; // points into the decoded plaintext
};

struct BulkAckRange {
    std::uint64_t high = 0; // inclusive
    std::uint64_t low = 0;  // inclusive
    bool operator==(const BulkAckRange&) const = default;
};

struct BulkAck {
    std::uint32_t ackDelayMicros = 0; // time the receiver held the ack after the highest packet arrived
    std::vector<BulkAckRange> ranges; // highest first
    bool operator==(const BulkAck&) const = default;
};

Bytes encodeBulkEnvelope(std::uint64_t sequence, ByteSpan ciphertext);
// Refuses a body too short for the sequence and a tag.
Result<BulkEnvelopeView> decodeBulkEnvelope(ByteSpan body);

Bytes encodeBulkData(std::uint64_t streamOffset, ByteSpan data);
// Refuses empty data, data above kMaxLargeBulkSlice and an offset whose end passes kMaxBulkStreamOffset.
Result<BulkDataView> decodeBulkData(ByteSpan plaintext);

// The caller passes 1 .. kMaxBulkAckRanges well-formed ranges (BulkReceiver builds them).
Bytes encodeBulkAck(const BulkAck& ack);
// Refuses a count of 0 or above the cap, low > high, ranges out of order, overlapping or adjacent,
// and trailing bytes.
Result<BulkAck> decodeBulkAck(ByteSpan plaintext);

// A BulkData frame laid out for sealing in place, in the datagram buffer (no allocation per packet):
//   frame header (8) | sequence u64 | plaintext: streamOffset u64 | data | room for the 16-byte tag
// writeBulkDataFrame writes all but the tag (the frame header already counts it) and returns the
// plaintext's length; the plaintext starts at kBulkDataPlaintextAt. `out` needs kMaxBulkDataFrame bytes.
inline constexpr std::size_t kBulkDataPlaintextAt = kFrameHeaderSize + kBulkEnvelopeHeader;
inline constexpr std::size_t kBulkDataFrameOverhead = kBulkDataPlaintextAt + 8 + kBulkTagSize;
// The largest frame a sender writes, in either format (the compact one carries 12 bytes more data in it).
inline constexpr std::size_t kMaxBulkDataFrame = 8968;
std::size_t writeBulkDataFrame(std::uint64_t sequence, std::uint64_t streamOffset, ByteSpan data,
                               std::uint8_t* out);

// A bulk frame sent straight on ENet's UDP socket, outside ENet's packet layer (PROTOCOL.md §11.8):
//   marker 0x7E | ENet session id u8 | the receiver's ENet peer index u16 LE | the bulk frame
// or, between peers that announced kCapabilityCompactBulk, BulkData in the compact format (§11.10):
//   marker 0x7F | the same three bytes | packet number's low 32 bits u32 LE | sealed(streamOffset u64 |
//   data) | tag
// ENet itself drops such a datagram (0x7E and 0x7F set its "compressed" flag, and Duet has no
// compressor), so a peer without the capability only ignores it. The header routes; the AEAD
// authenticates (the compact format's nonce and associated data hold the whole packet number).
inline constexpr std::uint8_t kRawBulkMarker = 0x7E;
inline constexpr std::uint8_t kRawCompactDataMarker = 0x7F;
inline constexpr std::size_t kRawBulkHeaderSize = 4;
constexpr bool isRawBulkMarker(std::uint8_t byte)
{
    return (byte & 0xFE) == kRawBulkMarker;
}
// Compact BulkData after the raw header: the plaintext (streamOffset u64 | data) starts at
// kCompactDataPlaintextAt.
inline constexpr std::size_t kCompactDataPlaintextAt = 4;
inline constexpr std::size_t kCompactDataOverhead = kCompactDataPlaintextAt + 8 + kBulkTagSize;
static_assert(kCompactDataOverhead + kMaxLargeBulkSlice == kMaxBulkDataFrame);
// The largest sealed BulkData frame plus the header: 9,000 bytes of IPv4 packet. Larger is not ours.
inline constexpr std::size_t kMaxRawBulkDatagram = kRawBulkHeaderSize + kMaxBulkDataFrame;
static_assert(kMaxRawBulkDatagram + 28 == 9000);
// The slice that fills an IPv4 packet of `ipPacketBytes` (20 bytes of IP and 8 of UDP header) when sent
// as a raw datagram, in the compact format or as a full frame.
constexpr std::size_t rawBulkSliceFor(std::size_t ipPacketBytes, bool compact)
{
    return ipPacketBytes - 28 - kRawBulkHeaderSize -
           (compact ? kCompactDataOverhead : kBulkDataFrameOverhead);
}

struct RawBulkHeader {
    std::uint8_t session = 0;
    std::uint16_t peerIndex = 0;
    bool compactData = false; // marker 0x7F: compact BulkData follows, not a frame
    bool operator==(const RawBulkHeader&) const = default;
};

struct RawBulkView {
    RawBulkHeader header;
    ByteSpan frame; // points into the datagram: the frame, or the compact data
};

// Writes the kRawBulkHeaderSize header bytes to `out`.
void writeRawBulkHeader(const RawBulkHeader& header, std::uint8_t* out);
// Refuses another marker, an empty frame and a datagram above kMaxRawBulkDatagram.
Result<RawBulkView> decodeRawBulk(ByteSpan datagram);

// Compact BulkData laid out for sealing in place: writes the packet number's low 32 bits and the
// plaintext (streamOffset | data) at kCompactDataPlaintextAt, and returns the plaintext's length. `out`
// needs kCompactDataOverhead + data.size() bytes.
std::size_t writeCompactData(std::uint64_t packetNumber, std::uint64_t streamOffset, ByteSpan data,
                             std::uint8_t* out);
struct CompactDataView {
    std::uint32_t packetNumberLow = 0;
    ByteSpan sealed; // plaintext + tag, points into the input
};
// Refuses input too short for the packet number, an offset, one byte of data and the tag.
Result<CompactDataView> decodeCompactData(ByteSpan data);
// The whole packet number whose low 32 bits are `low`: the one nearest to `expected` (the largest
// received + 1), as in RFC 9000's appendix A.3. A wrong guess only fails to open.
std::uint64_t expandPacketNumber(std::uint32_t low, std::uint64_t expected);

} // namespace duet::wire
