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
    CHECK(rawBulkSliceFor(9000) == kMaxLargeBulkSlice);
    CHECK(rawBulkSliceFor(1500) + kRawBulkHeaderSize + kBulkDataFrameOverhead + 28 == 1500);
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
    writeRawBulkHeader({3, 0x0fff}, datagram.data());
    CHECK(datagram == Bytes{kRawBulkMarker, 3, 0xff, 0x0f});
    const Bytes frame(1240, 0x42);
    datagram.insert(datagram.end(), frame.begin(), frame.end());
    const auto raw = decodeRawBulk(datagram);
    REQUIRE(raw.ok());
    CHECK(raw->header == RawBulkHeader{3, 0x0fff});
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
    writeRawBulkHeader({0, 0}, oversized.data());
    CHECK(decodeRawBulk(oversized).error() == DecodeError::Oversized);
    oversized.pop_back();
    CHECK(decodeRawBulk(oversized).ok());
}

} // namespace duet::wire
