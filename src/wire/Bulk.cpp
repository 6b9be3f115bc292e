#include "duet/wire/Bulk.hpp"

#include "duet/wire/Frame.hpp"

#include <cstring>

namespace duet::wire {

Bytes encodeBulkEnvelope(std::uint64_t sequence, ByteSpan ciphertext)
{
    ByteWriter out;
    out.u64(sequence);
    out.raw(ciphertext);
    return out.take();
}

Result<BulkEnvelopeView> decodeBulkEnvelope(ByteSpan body)
{
    ByteReader in(body);
    BulkEnvelopeView view;
    if (!in.u64(view.sequence) || in.remaining() < kBulkTagSize) return DecodeError::Truncated;
    view.ciphertext = in.rest();
    return view;
}

Bytes encodeBulkData(std::uint64_t streamOffset, ByteSpan data)
{
    ByteWriter out;
    out.u64(streamOffset);
    out.raw(data);
    return out.take();
}

Result<BulkDataView> decodeBulkData(ByteSpan plaintext)
{
    ByteReader in(plaintext);
    BulkDataView view;
    if (!in.u64(view.streamOffset) || in.atEnd()) return DecodeError::Truncated;
    view.data = in.rest();
    if (view.data.size() > kMaxLargeBulkSlice) return DecodeError::Oversized;
    if (view.streamOffset > kMaxBulkStreamOffset - view.data.size()) return DecodeError::Malformed;
    return view;
}

Bytes encodeBulkAck(const BulkAck& ack)
{
    ByteWriter out;
    out.u32(ack.ackDelayMicros);
    out.u8(static_cast<std::uint8_t>(ack.ranges.size()));
    for (const BulkAckRange& range : ack.ranges) {
        out.u64(range.high);
        out.u64(range.low);
    }
    return out.take();
}

Result<BulkAck> decodeBulkAck(ByteSpan plaintext)
{
    ByteReader in(plaintext);
    BulkAck ack;
    std::uint8_t count = 0;
    if (!in.u32(ack.ackDelayMicros) || !in.u8(count)) return DecodeError::Truncated;
    if (count == 0) return DecodeError::Malformed;
    if (count > kMaxBulkAckRanges) return DecodeError::Oversized;
    // Checked against the remaining input before reserving, so a short datagram allocates nothing big.
    if (in.remaining() < std::size_t{count} * 16) return DecodeError::Truncated;
    ack.ranges.reserve(count);
    for (std::uint8_t i = 0; i < count; ++i) {
        BulkAckRange range;
        in.u64(range.high);
        in.u64(range.low);
        if (range.low > range.high) return DecodeError::Malformed;
        // Highest first with a gap of at least one packet number between neighbours.
        if (!ack.ranges.empty() && (ack.ranges.back().low < 2 || range.high > ack.ranges.back().low - 2))
            return DecodeError::Malformed;
        ack.ranges.push_back(range);
    }
    if (!in.atEnd()) return DecodeError::TrailingBytes;
    return ack;
}

std::size_t writeBulkDataFrame(std::uint64_t sequence, std::uint64_t streamOffset, ByteSpan data,
                               std::uint8_t* out)
{
    const std::size_t plaintext = 8 + data.size();
    writeFrameHeader(FrameType::BulkData,
                     static_cast<std::uint32_t>(kBulkEnvelopeHeader + plaintext + kBulkTagSize), out);
    for (std::size_t i = 0; i < 8; ++i) {
        out[8 + i] = static_cast<std::uint8_t>(sequence >> (8 * i));
        out[kBulkDataPlaintextAt + i] = static_cast<std::uint8_t>(streamOffset >> (8 * i));
    }
    if (!data.empty()) std::memcpy(out + kBulkDataPlaintextAt + 8, data.data(), data.size());
    return plaintext;
}

void writeRawBulkHeader(const RawBulkHeader& header, std::uint8_t* out)
{
    out[0] = header.compactData ? kRawCompactDataMarker : kRawBulkMarker;
    out[1] = header.session;
    out[2] = static_cast<std::uint8_t>(header.peerIndex & 0xFF);
    out[3] = static_cast<std::uint8_t>(header.peerIndex >> 8);
}

Result<RawBulkView> decodeRawBulk(ByteSpan datagram)
{
    if (datagram.size() > kMaxRawBulkDatagram) return DecodeError::Oversized;
    ByteReader in(datagram);
    std::uint8_t marker = 0;
    RawBulkView view;
    if (!in.u8(marker) || !in.u8(view.header.session) || !in.u16(view.header.peerIndex) || in.atEnd())
        return DecodeError::Truncated;
    if (!isRawBulkMarker(marker)) return DecodeError::BadMagic;
    view.header.compactData = marker == kRawCompactDataMarker;
    view.frame = in.rest();
    return view;
}

std::size_t writeCompactData(std::uint64_t packetNumber, std::uint64_t streamOffset, ByteSpan data,
                             std::uint8_t* out)
{
    for (std::size_t i = 0; i < 4; ++i)
        out[i] = static_cast<std::uint8_t>(packetNumber >> (8 * i));
    for (std::size_t i = 0; i < 8; ++i)
        out[kCompactDataPlaintextAt + i] = static_cast<std::uint8_t>(streamOffset >> (8 * i));
    if (!data.empty()) std::memcpy(out + kCompactDataPlaintextAt + 8, data.data(), data.size());
    return 8 + data.size();
}

Result<CompactDataView> decodeCompactData(ByteSpan data)
{
    ByteReader in(data);
    CompactDataView view;
    if (!in.u32(view.packetNumberLow) || in.remaining() < 8 + 1 + kBulkTagSize) return DecodeError::Truncated;
    view.sealed = in.rest();
    return view;
}

std::uint64_t expandPacketNumber(std::uint32_t low, std::uint64_t expected)
{
    constexpr std::uint64_t window = std::uint64_t{1} << 32;
    constexpr std::uint64_t half = window / 2;
    const std::uint64_t candidate = (expected & ~(window - 1)) | low;
    // Differences, not sums: near 2^64 `expected + half` would wrap.
    if (candidate < expected && expected - candidate >= half && candidate <= UINT64_MAX - window)
        return candidate + window;
    if (candidate > expected && candidate - expected > half && candidate >= window) return candidate - window;
    return candidate;
}

} // namespace duet::wire
