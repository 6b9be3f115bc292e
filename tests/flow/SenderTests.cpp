// BulkSender on its own: slicing, the buffer limit, acks of packets never sent, loss and probe timeout.
#include "duet/flow/BulkSender.hpp"

#include <algorithm>
#include <deque>
#include <doctest/doctest.h>
#include <optional>

namespace duet::flow {
namespace {

using namespace std::chrono_literals;
using Nanos = std::chrono::nanoseconds;

MonoTime start()
{
    return MonoTime{std::chrono::hours(1000)};
}

wire::BulkAck ackOf(std::uint64_t high, std::uint64_t low)
{
    wire::BulkAck ack;
    ack.ranges.push_back({high, low});
    return ack;
}

} // namespace

TEST_CASE("flow sender: slices a message into datagrams below the MTU budget, with fresh packet numbers")
{
    BulkSender sender(start(), {});
    const wire::Bytes message(5000, 3);
    REQUIRE(sender.queue(message));
    std::uint64_t expectedOffset = 0;
    MonoTime now = start();
    for (std::uint64_t pn = 0; pn < 5; ++pn) {
        now += 1ms; // past the pacing gap
        const auto slice = sender.poll(now);
        REQUIRE(slice.has_value());
        CHECK(slice->packetNumber == pn);
        CHECK(slice->streamOffset == expectedOffset);
        CHECK(slice->data.size() <= kMaxDatagramPayload);
        CHECK_FALSE(slice->retransmission);
        expectedOffset += slice->data.size();
    }
    CHECK(expectedOffset == 5004); // the 4-byte length prefix rides in the stream
    CHECK_FALSE(sender.poll(now + 1ms).has_value());
    CHECK(sender.bytesInFlight() == 5004);
}

TEST_CASE("flow sender: the buffer limit holds and frees as acks arrive")
{
    BulkSender sender(start(), {2u << 20, 0, {}});
    const wire::Bytes message(kMaxBulkMessage, 1);
    CHECK(sender.queue(message));
    CHECK_FALSE(sender.canQueue(kMaxBulkMessage));
    CHECK_FALSE(sender.queue(message));
    CHECK_FALSE(sender.canQueue(0));
    CHECK_FALSE(sender.canQueue(kMaxBulkMessage + 1));
    CHECK(sender.bufferedBytes() == kMaxBulkMessage + 4);
    CHECK_FALSE(sender.idle());
}

TEST_CASE("flow sender: an ack naming a packet never sent is refused and changes nothing")
{
    BulkSender sender(start(), {});
    REQUIRE(sender.queue(wire::Bytes(100, 1)));
    REQUIRE(sender.poll(start()).has_value());
    CHECK_FALSE(sender.onAck(ackOf(1, 0), start() + 10ms));
    CHECK_FALSE(sender.onAck(wire::BulkAck{}, start() + 10ms));
    CHECK(sender.bytesInFlight() == 104);
    CHECK(sender.onAck(ackOf(0, 0), start() + 10ms));
    CHECK(sender.idle());
    CHECK(sender.onAck(ackOf(0, 0), start() + 11ms)); // a repeat is harmless
    CHECK(sender.stats().smoothedRtt == 10ms);
}

TEST_CASE("flow sender: a gap three packets deep is retransmitted under a new packet number")
{
    BulkSender sender(start(), {});
    REQUIRE(sender.queue(wire::Bytes(6000, 2)));
    std::vector<std::pair<std::uint64_t, std::size_t>> sent; // offset, length
    for (int i = 0; i < 6; ++i) {
        auto slice = sender.poll(start() + std::chrono::milliseconds(i));
        REQUIRE(slice.has_value());
        sent.emplace_back(slice->streamOffset, slice->data.size());
    }
    wire::BulkAck ack;
    ack.ranges = {{5, 2}, {0, 0}}; // packet 1 missing, three later ones acknowledged
    REQUIRE(sender.onAck(ack, start() + 20ms));
    const auto again = sender.poll(start() + 20ms);
    REQUIRE(again.has_value());
    CHECK(again->retransmission);
    CHECK(again->packetNumber == 6);
    CHECK(again->streamOffset == sent[1].first);
    CHECK(again->data.size() == sent[1].second);
    REQUIRE(sender.onAck(ackOf(6, 6), start() + 40ms));
    CHECK(sender.idle());
    CHECK(sender.stats().packetsLost == 1);
}

TEST_CASE("flow sender: silence after sending fires the probe timeout, which backs off")
{
    BulkSender sender(start(), {});
    REQUIRE(sender.queue(wire::Bytes(3000, 2)));
    MonoTime sentAt = start();
    for (int i = 0; i < 3; ++i) {
        sentAt = start() + std::chrono::milliseconds(i);
        REQUIRE(sender.poll(sentAt).has_value());
    }
    const auto wake = sender.nextWake(sentAt);
    REQUIRE(wake.has_value());
    CHECK(*wake == start() + 300ms); // no RTT sample yet: the initial timeout, from the first send
    const auto probe = sender.poll(*wake);
    REQUIRE(probe.has_value());
    CHECK(probe->retransmission);
    CHECK(sender.stats().probeTimeouts == 1);
    const auto secondWake = sender.nextWake(*wake);
    REQUIRE(secondWake.has_value());
    CHECK(*secondWake - *wake >= 600ms); // doubled
}

} // namespace duet::flow

namespace duet::flow {

TEST_CASE("flow sender: a late wake-up catches up on 2 ms of datagrams at most")
{
    BulkSender sender(start(), {});
    REQUIRE(sender.queue(wire::Bytes(200'000, 4)));
    REQUIRE(sender.poll(start()).has_value());
    // 50 ms late: at the initial rate (~11 MB/s, ~0.11 ms per datagram) the 2 ms bound allows ~18 more.
    const MonoTime late = start() + 50ms;
    int burst = 0;
    while (burst < 64 && sender.poll(late).has_value())
        ++burst;
    CHECK(burst >= 16);
    CHECK(burst <= 20);
    // Then pacing resumes at the exact gap: the next datagram is due within a millisecond, not now.
    const auto wake = sender.nextWake(late);
    REQUIRE(wake.has_value());
    CHECK(*wake > late);
    CHECK(*wake - late < 1ms);
}

// A 0.5 ms path whose acks come back promptly: the sender's rate climbs past 50 MB/s. Returns the
// packets not yet acknowledged (number, when sent); `now` is moved on.
std::deque<std::pair<std::uint64_t, MonoTime>> rampToLanRate(BulkSender& sender, MonoTime& now)
{
    std::deque<std::pair<std::uint64_t, MonoTime>> sent;
    std::uint64_t queued = 0;
    for (int step = 0; step < 200'000 && sender.congestion().pacingRate() < 50e6; ++step) {
        now += 10us;
        while (sender.canQueue(64 * 1024) && queued < 4'000) {
            REQUIRE(sender.queue(wire::Bytes(64 * 1024, 1)));
            ++queued;
        }
        for (int i = 0; i < 64; ++i) {
            const auto slice = sender.poll(now);
            if (!slice) break;
            sent.emplace_back(slice->packetNumber, now);
        }
        if (!sent.empty() && now - sent.front().second >= 500us) {
            std::uint64_t high = sent.front().first;
            while (!sent.empty() && now - sent.front().second >= 500us) {
                high = sent.front().first;
                sent.pop_front();
            }
            REQUIRE(sender.onAck(ackOf(high, 0), now));
        }
    }
    REQUIRE(sender.congestion().pacingRate() >= 50e6);
    return sent;
}

TEST_CASE("flow sender: at LAN rates a late wake-up sends a burst of at most 32 datagrams")
{
    MonoTime now = start();
    BulkSender sender(now, {});
    const auto sent = rampToLanRate(sender, now);
    // The loop wakes 5 ms late, every packet acknowledged: 2 ms at this rate would be ~100 datagrams.
    if (!sent.empty()) REQUIRE(sender.onAck(ackOf(sent.back().first, 0), now));
    const MonoTime late = now + 5ms;
    int burst = 0;
    while (burst < 200 && sender.poll(late).has_value())
        ++burst;
    CHECK(burst >= 30);
    CHECK(burst <= 33);
}

TEST_CASE("flow sender: at LAN rates it wakes once per few datagrams, on slow paths once per datagram")
{
    MonoTime now = start();
    BulkSender sender(now, {});
    const auto sent = rampToLanRate(sender, now);
    if (!sent.empty()) REQUIRE(sender.onAck(ackOf(sent.back().first, 0), now));
    while (sender.poll(now).has_value()) // whatever is due now
        ;
    const double rate = sender.congestion().pacingRate();
    const double gapSeconds = static_cast<double>(kMaxDatagramPayload) / rate;
    const int quantum = std::min(16, static_cast<int>(rate * 200e-6 / kMaxDatagramPayload));
    REQUIRE(quantum >= 8); // at 50 MB/s and more
    // Asleep until (quantum - 1) more gaps have passed, then the quantum goes out back to back.
    const auto wake = sender.nextWake(now);
    REQUIRE(wake.has_value());
    const double sleep = std::chrono::duration<double>(*wake - now).count();
    CHECK(sleep >= (quantum - 1) * gapSeconds);
    CAPTURE(quantum);
    CAPTURE(gapSeconds);
    // About the quantum's 200 us (the last datagram's gap may have used a slightly lower rate), never
    // the whole millisecond the loop would otherwise round up to.
    CHECK(sleep <= 250e-6);
    int burst = 0;
    while (burst < 64 && sender.poll(*wake).has_value())
        ++burst;
    CHECK(burst >= quantum - 1);
    CHECK(burst <= quantum + 1);

    // A fresh sender (~11 MB/s, below 12 MB/s) is paced datagram by datagram: the next is one gap away.
    BulkSender slow(start(), {});
    REQUIRE(slow.queue(wire::Bytes(200'000, 4)));
    REQUIRE(slow.poll(start()).has_value());
    const auto next = slow.nextWake(start());
    REQUIRE(next.has_value());
    const double slowGap = static_cast<double>(kMaxDatagramPayload) / slow.congestion().pacingRate();
    CHECK(std::chrono::duration<double>(*next - start()).count() <= slowGap + 1e-6);
}

// A path of `rate` bytes per second and `rtt`: each datagram leaves the bottleneck after the ones before
// it, and its ack (cumulative) comes back `rtt` later. Runs `duration` of 50 us steps.
void runOnPath(BulkSender& sender, MonoTime& now, double rate, Nanos rtt, Nanos duration)
{
    std::deque<std::pair<std::uint64_t, MonoTime>> inFlight; // packet number, when its ack arrives
    MonoTime departure = now;
    const auto serialisation = std::chrono::duration_cast<Nanos>(
        std::chrono::duration<double>(static_cast<double>(kMaxDatagramPayload) / rate));
    const MonoTime end = now + duration;
    while (now < end) {
        now += 50us;
        while (sender.canQueue(64 * 1024))
            REQUIRE(sender.queue(wire::Bytes(64 * 1024, 1)));
        while (const auto slice = sender.poll(now)) {
            departure = std::max(departure, now) + serialisation;
            inFlight.emplace_back(slice->packetNumber, departure + rtt);
        }
        std::optional<std::uint64_t> high;
        while (!inFlight.empty() && inFlight.front().second <= now) {
            high = inFlight.front().first;
            inFlight.pop_front();
        }
        if (high) REQUIRE(sender.onAck(ackOf(*high, 0), now));
    }
}

TEST_CASE("flow sender: in steady state on a few-MB/s path it wakes once per four datagrams")
{
    // wan-like: 6 MB/s of payload, 40 ms. A wake-up per datagram cost more CPU than the data there.
    BulkSender sender(start(), {});
    MonoTime now = start();
    runOnPath(sender, now, 6e6, 40ms, 3s);
    REQUIRE(sender.congestion().mode() == Bbr::Mode::ProbeBandwidth);
    const double rate = sender.congestion().pacingRate();
    REQUIRE(rate > 4.8e6); // four datagrams fit in 1 ms
    REQUIRE(rate < 12e6);  // below the rates whose 200 us quantum already holds them
    const double gapSeconds = static_cast<double>(kMaxDatagramPayload) / rate;
    CAPTURE(rate);
    // Drain what is due now, then the next wake-up is three gaps away and four datagrams leave together.
    while (sender.poll(now))
        ;
    const auto wake = sender.nextWake(now);
    REQUIRE(wake.has_value());
    const double sleep = std::chrono::duration<double>(*wake - now).count();
    // (Only while the window has room for all four; this path leaves it.)
    REQUIRE(sender.bytesInFlight() + 4 * kMaxDatagramPayload <= sender.congestion().cwnd());
    CHECK(sleep >= 2.5 * gapSeconds);
    int burst = 0;
    while (burst < 16 && sender.poll(*wake).has_value())
        ++burst;
    CHECK(burst >= 3);
    CHECK(burst <= 5);
}

} // namespace duet::flow
