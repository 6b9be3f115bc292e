// The path MTU search (SliceSizeSearch) on its own and inside BulkSender, over a fake path that drops
// every datagram above its MTU, as a router with a smaller link would (PROTOCOL.md §11.9).
#include "duet/flow/BulkSender.hpp"
#include "duet/flow/SliceSizeSearch.hpp"

#include <algorithm>
#include <deque>
#include <doctest/doctest.h>

namespace duet::flow {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t kEthernet = 1428; // wire::rawBulkSliceFor(1500)
constexpr std::uint32_t kJumbo = 8928;    // wire::rawBulkSliceFor(9000)

MonoTime start()
{
    return MonoTime{std::chrono::hours(1000)};
}

struct PathRun {
    BulkSenderStats stats;
    bool delivered = false;       // every byte acknowledged
    std::size_t largestSlice = 0; // the largest datagram the sender put on the path
    std::size_t probes = 0;
};

// A 10 ms round trip that acknowledges each datagram on its own and drops those above the MTU, which
// becomes `mtuLater` after `changeAfter` (a route change). Bounded: 60 simulated seconds.
PathRun runOverPath(std::size_t mtu, std::vector<std::uint32_t> ladder, std::size_t messages,
                    std::size_t mtuLater = 0, std::chrono::milliseconds changeAfter = 0ms,
                    std::chrono::milliseconds probeDelay = 0ms)
{
    BulkSender sender(start(), {8u << 20, 7, std::move(ladder)});
    std::size_t queued = 0;
    std::deque<std::pair<MonoTime, std::uint64_t>> acks;
    PathRun run;
    MonoTime now = start();
    for (int step = 0; step < 600'000; ++step) {
        while (queued < messages && sender.queue(wire::Bytes(64 * 1024, static_cast<std::uint8_t>(queued))))
            ++queued;
        if (queued == messages && sender.idle()) {
            run.delivered = true;
            break;
        }
        if (mtuLater != 0 && now - start() >= changeAfter) mtu = mtuLater;
        while (const std::optional<OutgoingSlice> slice = sender.poll(now)) {
            run.largestSlice = std::max(run.largestSlice, slice->data.size());
            if (slice->probe) ++run.probes;
            // A probe held back (a path that reorders) arrives after the datagrams sent behind it.
            if (slice->data.size() <= mtu)
                acks.emplace_back(now + 10ms + (slice->probe ? probeDelay : 0ms), slice->packetNumber);
        }
        std::stable_sort(acks.begin(), acks.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        while (!acks.empty() && acks.front().first <= now) {
            wire::BulkAck ack;
            ack.ranges.push_back({acks.front().second, acks.front().second});
            sender.onAck(ack, now);
            acks.pop_front();
        }
        now += 100us;
    }
    run.stats = sender.stats();
    return run;
}

} // namespace

TEST_CASE("slice size search: an acknowledged probe raises the size, three lost ones end the search")
{
    SliceSizeSearch search({kJumbo, kEthernet, 900, 8941, kJumbo});
    CHECK(search.current() == 1200);
    CHECK(search.probeDue(start()) == kEthernet); // ascending, once each, sizes outside (1200, 8940] dropped
    search.onProbeSent(5, kEthernet);
    CHECK(search.isProbe(5));
    CHECK_FALSE(search.isProbe(6));
    CHECK_FALSE(search.probeDue(start()).has_value()); // one probe at a time
    search.onProbeAcked();
    CHECK(search.current() == kEthernet);
    CHECK(search.probeDue(start()) == kJumbo);
    for (int attempt = 0; attempt < SliceSizeSearch::kAttemptsPerSize; ++attempt) {
        REQUIRE(search.probeDue(start()) == kJumbo);
        search.onProbeSent(10 + static_cast<std::uint64_t>(attempt), kJumbo);
        search.onProbeLost(start());
    }
    CHECK(search.current() == kEthernet);
    CHECK_FALSE(search.probeDue(start() + 599s).has_value());
    CHECK(search.probeDue(start() + 600s) == kJumbo); // the path may have changed since
    CHECK(search.probesSent() == 4);
    CHECK(search.probesLost() == 3);

    search.onOutage(start());
    CHECK(search.current() == 1200);
    CHECK(search.probeDue(start()) == kEthernet);

    // A probe declared lost and acknowledged after all proves its size, if that is still the next one.
    search.onProbeSent(20, kEthernet);
    search.onProbeLost(start());
    search.onLateProbeAck(kJumbo); // not the size being searched for: nothing
    CHECK(search.current() == 1200);
    search.onLateProbeAck(kEthernet);
    CHECK(search.current() == kEthernet);
    CHECK(search.probeDue(start()) == kJumbo);
    // Once past it, another late one changes nothing, and neither does one that is out now.
    search.onLateProbeAck(kEthernet);
    CHECK(search.current() == kEthernet);
    search.onProbeSent(21, kJumbo);
    search.onLateProbeAck(kJumbo);
    CHECK(search.current() == kJumbo);
    CHECK_FALSE(search.isProbe(21)); // the one still out is an ordinary packet now
    CHECK_FALSE(search.probeDue(start()).has_value());
    search.onProbeAcked(); // its ack must not raise past the ladder
    CHECK(search.current() == kJumbo);
}

TEST_CASE("slice size search: without a ladder the base size is all there is")
{
    SliceSizeSearch search({});
    CHECK(search.current() == 1200);
    CHECK_FALSE(search.probeDue(start()).has_value());
    search.onOutage(start());
    CHECK(search.current() == 1200);
}

TEST_CASE("flow sender: the path MTU search finds the largest size the path carries")
{
    SUBCASE("jumbo frames (or loopback)")
    {
        const PathRun run = runOverPath(9000, {kEthernet, kJumbo}, 64);
        CHECK(run.delivered);
        CHECK(run.stats.sliceSize == kJumbo);
        CHECK(run.stats.sizeProbesLost == 0);
        CHECK(run.stats.packetsLost == 0);
    }
    SUBCASE("Ethernet: the jumbo probe is lost three times, none of it counts as congestion")
    {
        const PathRun run = runOverPath(1500, {kEthernet, kJumbo}, 64);
        CHECK(run.delivered);
        CHECK(run.stats.sliceSize == kEthernet);
        CHECK(run.stats.sizeProbesLost == 3);
        CHECK(run.stats.packetsLost == 0);
        CHECK(run.probes == 4);
        // The lost probes' data went again in slices the path carries.
        CHECK(run.stats.bytesRetransmitted == 3 * kJumbo);
    }
    SUBCASE("a tunnel below Ethernet keeps the base size")
    {
        const PathRun run = runOverPath(1300, {kEthernet, kJumbo}, 64);
        CHECK(run.delivered);
        CHECK(run.stats.sliceSize == 1200);
        CHECK(run.largestSlice == kEthernet); // only the three probes
        CHECK(run.probes == 3);
        CHECK(run.stats.packetsLost == 0);
    }
    SUBCASE("a peer that cannot read large datagrams never gets one")
    {
        const PathRun run = runOverPath(9000, {}, 64);
        CHECK(run.delivered);
        CHECK(run.largestSlice == 1200);
        CHECK(run.probes == 0);
    }
}

TEST_CASE("flow sender: probes that arrive late, after they were declared lost, still raise the size")
{
    // Every probe is acknowledged 15 ms after the datagrams sent behind it: by then three later packets
    // were acknowledged, so each is declared lost first.
    const PathRun run = runOverPath(9000, {kEthernet, kJumbo}, 256, 0, 0ms, 15ms);
    CHECK(run.delivered);
    CHECK(run.stats.sliceSize == kJumbo);
    CHECK(run.stats.sizeProbesLost >= 2);
    // A probe of a size that a late acknowledgement proved while it was out is an ordinary packet from
    // then on, so its own late arrival counts as one loss; nothing else does.
    CHECK(run.stats.packetsLost <= 2);
}

TEST_CASE("flow sender: a path that stops carrying large datagrams sends small ones again after the outage")
{
    // Jumbo first, then a route change to 1,300 bytes: every large datagram vanishes (a black hole).
    const PathRun run = runOverPath(9000, {kEthernet, kJumbo}, 512, 1300, 60ms);
    CHECK(run.delivered);
    CHECK(run.largestSlice == kJumbo);
    CHECK(run.stats.sliceSize == 1200);
    CHECK(run.stats.probeTimeouts >= 2);
}

} // namespace duet::flow
