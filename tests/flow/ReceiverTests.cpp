// BulkReceiver: reassembly in any order, duplicates, the window and hostile message lengths.
#include "duet/flow/BulkReceiver.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <numeric>
#include <random>

namespace duet::flow {
namespace {

MonoTime start()
{
    return MonoTime{std::chrono::hours(1000)};
}

wire::Bytes framed(const wire::Bytes& message)
{
    wire::Bytes out;
    const auto size = static_cast<std::uint32_t>(message.size());
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<std::uint8_t>(size >> (8 * i)));
    out.insert(out.end(), message.begin(), message.end());
    return out;
}

wire::BulkDataView view(const wire::Bytes& stream, std::uint64_t offset, std::size_t length)
{
    return {offset, wire::ByteSpan(stream).subspan(offset, length)};
}

} // namespace

TEST_CASE("flow receiver: slices in random order, with duplicates, give the messages in order")
{
    wire::Bytes stream;
    std::vector<wire::Bytes> messages;
    for (int m = 0; m < 5; ++m) {
        wire::Bytes message(1000 + 777 * m);
        std::iota(message.begin(), message.end(), static_cast<std::uint8_t>(m));
        messages.push_back(message);
        const wire::Bytes piece = framed(message);
        stream.insert(stream.end(), piece.begin(), piece.end());
    }
    std::vector<std::pair<std::uint64_t, std::size_t>> slices;
    for (std::uint64_t offset = 0; offset < stream.size(); offset += 500)
        slices.emplace_back(offset, std::min<std::size_t>(500, stream.size() - offset));
    std::mt19937 random(11);
    std::shuffle(slices.begin(), slices.end(), random);
    BulkReceiver receiver;
    std::uint64_t packetNumber = 0;
    std::vector<wire::Bytes> received;
    for (const auto& [offset, length] : slices) {
        CHECK(receiver.onData(packetNumber++, view(stream, offset, length), start()) ==
              BulkReceiver::Verdict::Accepted);
        // The same bytes again under a new packet number (a retransmission) are a harmless duplicate.
        CHECK(receiver.onData(packetNumber++, view(stream, offset, length), start()) ==
              BulkReceiver::Verdict::Duplicate);
        for (wire::Bytes& message : receiver.takeMessages())
            received.push_back(std::move(message));
    }
    CHECK(received == messages);
    CHECK(receiver.deliveredOffset() == stream.size());
    CHECK(receiver.bufferedBytes() == 0);
}

TEST_CASE("flow receiver: data beyond the window is refused, not buffered")
{
    BulkReceiver receiver(BulkReceiverConfig{64 * 1024});
    const wire::Bytes slice(1000, 1);
    CHECK(receiver.onData(0, {63 * 1024, slice}, start()) == BulkReceiver::Verdict::Accepted);
    CHECK(receiver.onData(1, {64 * 1024, slice}, start()) == BulkReceiver::Verdict::Refused);
    CHECK(receiver.bufferedBytes() == 1000);
}

TEST_CASE("flow receiver: a zero or oversized message length fails the stream")
{
    for (const std::uint32_t length : {0u, static_cast<std::uint32_t>(kMaxBulkMessage + 1), UINT32_MAX}) {
        BulkReceiver receiver;
        wire::Bytes stream(4);
        for (int i = 0; i < 4; ++i)
            stream[i] = static_cast<std::uint8_t>(length >> (8 * i));
        stream.resize(100, 7);
        CHECK(receiver.onData(0, {0, stream}, start()) == BulkReceiver::Verdict::Refused);
        CHECK(receiver.onData(1, {100, stream}, start()) == BulkReceiver::Verdict::Refused);
        CHECK(receiver.takeMessages().empty());
    }
}

TEST_CASE("flow receiver: overlapping slices from a misbehaving sender still reassemble the stream")
{
    const wire::Bytes message(3000, 9);
    const wire::Bytes stream = framed(message);
    BulkReceiver receiver;
    CHECK(receiver.onData(0, view(stream, 100, 1000), start()) == BulkReceiver::Verdict::Accepted);
    CHECK(receiver.onData(1, view(stream, 50, 2000), start()) == BulkReceiver::Verdict::Accepted);
    CHECK(receiver.onData(2, view(stream, 0, 60), start()) == BulkReceiver::Verdict::Accepted);
    CHECK(receiver.onData(3, view(stream, 2050, stream.size() - 2050), start()) ==
          BulkReceiver::Verdict::Accepted);
    const std::vector<wire::Bytes> messages = receiver.takeMessages();
    REQUIRE(messages.size() == 1);
    CHECK(messages.front() == message);
    CHECK(receiver.bufferedBytes() == 0);
}

TEST_CASE("flow receiver: acks come every 8 packets, at once on a gap, else after the delay")
{
    BulkReceiver receiver;
    const wire::Bytes stream = framed(wire::Bytes(1u << 20, 0));
    const auto slice = [&stream](std::uint64_t offset) { return view(stream, offset, 100); };
    const MonoTime now = start();
    for (std::uint64_t pn = 0; pn < 7; ++pn)
        CHECK(receiver.onData(pn, slice(pn * 100), now) == BulkReceiver::Verdict::Accepted);
    CHECK_FALSE(receiver.pollAck(now).has_value());
    REQUIRE(receiver.nextAckTime().has_value());
    CHECK(*receiver.nextAckTime() == now + kMaxAckDelay);
    receiver.onData(7, slice(700), now);
    const auto ack = receiver.pollAck(now);
    REQUIRE(ack.has_value());
    REQUIRE(ack->ranges.size() == 1);
    CHECK(ack->ranges.front() == wire::BulkAckRange{7, 0});
    CHECK_FALSE(receiver.nextAckTime().has_value());

    receiver.onData(10, slice(1000), now); // 8 and 9 missing: report at once
    const auto gapAck = receiver.pollAck(now);
    REQUIRE(gapAck.has_value());
    REQUIRE(gapAck->ranges.size() == 2);
    CHECK(gapAck->ranges[0] == wire::BulkAckRange{10, 10});
    CHECK(gapAck->ranges[1] == wire::BulkAckRange{7, 0});

    receiver.onData(11, slice(1100), now);
    CHECK_FALSE(receiver.pollAck(now + std::chrono::milliseconds(1)).has_value());
    const auto late = receiver.pollAck(now + kMaxAckDelay);
    REQUIRE(late.has_value());
    CHECK(late->ackDelayMicros == 2000);
}

TEST_CASE("flow receiver: an ack never carries more than the cap of ranges")
{
    BulkReceiver receiver;
    const wire::Bytes stream = framed(wire::Bytes(1u << 20, 0));
    for (std::uint64_t i = 0; i < 100; ++i)
        CHECK(receiver.onData(2 * i, view(stream, i * 10, 10), start()) == BulkReceiver::Verdict::Accepted);
    const auto ack = receiver.pollAck(start());
    REQUIRE(ack.has_value());
    CHECK(ack->ranges.size() == wire::kMaxBulkAckRanges);
    CHECK(ack->ranges.front().high == 198);
    // What it carries encodes and decodes cleanly.
    CHECK(wire::decodeBulkAck(wire::encodeBulkAck(*ack)).ok());
}

} // namespace duet::flow
