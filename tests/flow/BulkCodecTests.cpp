// The bulk datagram codecs (src/wire/Bulk.hpp) on good and hostile input.
#include "duet/wire/Bulk.hpp"

#include <doctest/doctest.h>

namespace duet::wire {

TEST_CASE("wire bulk: envelope, data and ack round-trip")
{
    const Bytes cipher(40, 0xab);
    const Bytes envelope = encodeBulkEnvelope(77, cipher);
    const auto decodedEnvelope = decodeBulkEnvelope(envelope);
    REQUIRE(decodedEnvelope.ok());
    CHECK(decodedEnvelope->sequence == 77);
    CHECK(Bytes(decodedEnvelope->ciphertext.begin(), decodedEnvelope->ciphertext.end()) == cipher);

    const Bytes slice(kMaxBulkSlice, 0x5a);
    const auto data = decodeBulkData(encodeBulkData(123456, slice));
    REQUIRE(data.ok());
    CHECK(data->streamOffset == 123456);
    CHECK(data->data.size() == kMaxBulkSlice);

    BulkAck ack;
    ack.ackDelayMicros = 1500;
    ack.ranges = {{100, 90}, {80, 80}, {10, 0}};
    const auto decodedAck = decodeBulkAck(encodeBulkAck(ack));
    REQUIRE(decodedAck.ok());
    CHECK(decodedAck.value() == ack);
}

TEST_CASE("wire bulk: hostile envelopes and data are refused")
{
    CHECK(decodeBulkEnvelope(Bytes(8 + kBulkTagSize - 1)).error() == DecodeError::Truncated);
    CHECK(decodeBulkEnvelope(Bytes{}).error() == DecodeError::Truncated);
    CHECK(decodeBulkData(encodeBulkData(0, {})).error() == DecodeError::Truncated);
    CHECK(decodeBulkData(encodeBulkData(0, Bytes(kMaxLargeBulkSlice + 1))).error() == DecodeError::Oversized);
    // Slices above the base are a path MTU search's (§11.9); the largest fills a 9,000-byte packet.
    CHECK(decodeBulkData(encodeBulkData(0, Bytes(kMaxLargeBulkSlice))).ok());
    CHECK(rawBulkSliceFor(9000, true) == kMaxLargeBulkSlice);
    CHECK(rawBulkSliceFor(9000, false) == 8928);
    CHECK(rawBulkSliceFor(1500, false) == 1428);
    CHECK(rawBulkSliceFor(1500, true) == 1440);
    CHECK(decodeBulkData(encodeBulkData(kMaxBulkStreamOffset - 10, Bytes(11))).error() ==
          DecodeError::Malformed);
    CHECK(decodeBulkData(encodeBulkData(UINT64_MAX, Bytes(1))).error() == DecodeError::Malformed);
    CHECK(decodeBulkData(encodeBulkData(kMaxBulkStreamOffset - 10, Bytes(10))).ok());
}

TEST_CASE("wire bulk: hostile acks are refused")
{
    const auto encode = [](std::vector<BulkAckRange> ranges) {
        BulkAck ack;
        ack.ranges = std::move(ranges);
        return encodeBulkAck(ack);
    };
    CHECK(decodeBulkAck(encode({})).error() == DecodeError::Malformed);               // no range
    CHECK(decodeBulkAck(encode({{5, 6}})).error() == DecodeError::Malformed);         // low > high
    CHECK(decodeBulkAck(encode({{5, 1}, {9, 8}})).error() == DecodeError::Malformed); // ascending
    CHECK(decodeBulkAck(encode({{9, 5}, {5, 1}})).error() == DecodeError::Malformed); // overlapping
    CHECK(decodeBulkAck(encode({{9, 5}, {4, 1}})).error() == DecodeError::Malformed); // adjacent
    CHECK(decodeBulkAck(encode({{9, 1}, {0, 0}})).error() == DecodeError::Malformed); // no gap below 1
    CHECK(decodeBulkAck(encode({{9, 5}, {3, 1}})).ok());
    std::vector<BulkAckRange> many;
    for (std::uint64_t i = 0; i < kMaxBulkAckRanges + 1; ++i)
        many.push_back({1000 - 3 * i, 1000 - 3 * i});
    CHECK(decodeBulkAck(encode(many)).error() == DecodeError::Oversized);
    many.pop_back();
    CHECK(decodeBulkAck(encode(many)).ok());
    // A count promising more ranges than the datagram holds, and trailing bytes.
    Bytes truncated = encode({{9, 5}, {3, 1}});
    truncated.pop_back();
    CHECK(decodeBulkAck(truncated).error() == DecodeError::Truncated);
    Bytes trailing = encode({{9, 5}});
    trailing.push_back(0);
    CHECK(decodeBulkAck(trailing).error() == DecodeError::TrailingBytes);
    CHECK(decodeBulkAck(Bytes{1, 2, 3}).error() == DecodeError::Truncated);
}

TEST_CASE("wire bulk: raw datagram header round-trips and refuses what is not ours")
{
    Bytes datagram(kRawBulkHeaderSize);
    writeRawBulkHeader({3, 0x0fff, false}, datagram.data());
    CHECK(datagram == Bytes{kRawBulkMarker, 3, 0xff, 0x0f});
    const Bytes frame(1240, 0x42);
    datagram.insert(datagram.end(), frame.begin(), frame.end());
    const auto raw = decodeRawBulk(datagram);
    REQUIRE(raw.ok());
    CHECK(raw->header == RawBulkHeader{3, 0x0fff, false});
    CHECK(Bytes(raw->frame.begin(), raw->frame.end()) == frame);

    // ENet's own datagrams, STUN and hole punches start otherwise.
    Bytes enet = datagram;
    enet[0] = 0x8f;
    CHECK(decodeRawBulk(enet).error() == DecodeError::BadMagic);
    Bytes punch{'D', 'P', 'C', 'H', 1};
    CHECK(decodeRawBulk(punch).error() == DecodeError::BadMagic);
    // A header without a frame, a cut header, nothing at all.
    CHECK(decodeRawBulk(Bytes(datagram.begin(), datagram.begin() + kRawBulkHeaderSize)).error() ==
          DecodeError::Truncated);
    CHECK(decodeRawBulk(Bytes{kRawBulkMarker, 1}).error() == DecodeError::Truncated);
    CHECK(decodeRawBulk(Bytes{}).error() == DecodeError::Truncated);
    // Larger than any sealed bulk frame: not ours, whatever the marker says.
    Bytes oversized(kMaxRawBulkDatagram + 1, 0);
    writeRawBulkHeader({0, 0, false}, oversized.data());
    CHECK(decodeRawBulk(oversized).error() == DecodeError::Oversized);
    oversized.pop_back();
    CHECK(decodeRawBulk(oversized).ok());
}

TEST_CASE("wire bulk: compact data round-trips behind its own marker, and short input is refused")
{
    // Header 0x7F, then the packet number's low half, the offset, the data and room for the tag.
    const Bytes slice(1440, 0x33);
    Bytes datagram(kRawBulkHeaderSize + kCompactDataOverhead + slice.size());
    writeRawBulkHeader({2, 7, true}, datagram.data());
    CHECK(datagram[0] == kRawCompactDataMarker);
    const std::size_t plaintext =
        writeCompactData(0x1'2345'6789, 0xABCD, slice, datagram.data() + kRawBulkHeaderSize);
    CHECK(plaintext == 8 + slice.size());
    CHECK(datagram.size() + 28 == 1500); // an Ethernet packet exactly
    const auto raw = decodeRawBulk(datagram);
    REQUIRE(raw.ok());
    CHECK(raw->header == RawBulkHeader{2, 7, true});
    const auto compact = decodeCompactData(raw->frame);
    REQUIRE(compact.ok());
    CHECK(compact->packetNumberLow == 0x2345'6789);
    CHECK(compact->sealed.size() == plaintext + kBulkTagSize);
    const auto data = decodeBulkData(compact->sealed.first(plaintext));
    REQUIRE(data.ok());
    CHECK(data->streamOffset == 0xABCD);
    CHECK(Bytes(data->data.begin(), data->data.end()) == slice);

    // Too short for the number, an offset, a byte and the tag; markers beside ours are not ours.
    CHECK(decodeCompactData(Bytes(4 + 8 + kBulkTagSize)).error() == DecodeError::Truncated);
    CHECK(decodeCompactData(Bytes(4 + 8 + 1 + kBulkTagSize)).ok());
    CHECK(decodeCompactData(Bytes(3)).error() == DecodeError::Truncated);
    for (const std::uint8_t marker : {std::uint8_t{0x7C}, std::uint8_t{0x7D}, std::uint8_t{0xFF}}) {
        Bytes other = datagram;
        other[0] = marker;
        CHECK(decodeRawBulk(other).error() == DecodeError::BadMagic);
    }
}

TEST_CASE("wire bulk: a compact packet number is expanded to the one nearest the expected")
{
    CHECK(expandPacketNumber(0, 0) == 0);
    CHECK(expandPacketNumber(5, 3) == 5);
    CHECK(expandPacketNumber(0xFFFF'FFF0, 3) == 0xFFFF'FFF0); // nothing below zero to wrap to
    // Across the 2^32 boundary, both ways.
    CHECK(expandPacketNumber(2, 0xFFFF'FFFE) == 0x1'0000'0002);
    CHECK(expandPacketNumber(0xFFFF'FFFD, 0x1'0000'0002) == 0xFFFF'FFFD);
    // Late and early within half the window.
    CHECK(expandPacketNumber(0x1000, 0x7'0000'2000) == 0x7'0000'1000);
    CHECK(expandPacketNumber(0x8000'0001, 0x7'0000'0000) == 0x6'8000'0001);
    CHECK(expandPacketNumber(0x8000'0000, 0x7'0000'0000) == 0x7'8000'0000); // exactly half: ahead
    CHECK(expandPacketNumber(0x7FFF'FFFF, 0x7'0000'0000) == 0x7'7FFF'FFFF);
    // The top of the range does not wrap past 2^64.
    CHECK(expandPacketNumber(0, UINT64_MAX - 5) == 0xFFFF'FFFF'0000'0000);
}

} // namespace duet::wire
