// Bbr on its own, fed synthetic acknowledgements: the ack aggregation it measures widens cwnd; RTT
// samples near the minimum spare the path a ProbeRtt; the queue guard cuts by what the bottleneck carried.
#include "duet/flow/Bbr.hpp"

#include <doctest/doctest.h>

namespace duet::flow {
namespace {

using namespace std::chrono_literals;

constexpr double kRate = 100e6; // bytes per second
constexpr auto kRtt = 500us;

// Acks `bytes` at `now`, measured at kRate with an RTT of kRtt, on a path with a BDP in flight.
void ack(Bbr& bbr, std::uint64_t& delivered, std::uint64_t bytes, MonoTime now,
         std::chrono::nanoseconds rtt = kRtt, double rate = kRate)
{
    const auto inflight = static_cast<std::uint64_t>(kRate * std::chrono::duration<double>(kRtt).count());
    AckSample sample;
    sample.priorDelivered = delivered > inflight ? delivered - inflight : 0;
    delivered += bytes;
    sample.delivered = delivered;
    sample.deliveryRate = rate;
    sample.newlyAcked = bytes;
    sample.bytesInFlight = inflight;
    sample.rtt = rtt;
    bbr.onAck(sample, now);
}

// 2000 even acks at kRate: the estimate is kRate and the gain cycle runs.
Bbr warmedUp(MonoTime& now, std::uint64_t& delivered)
{
    Bbr bbr(now, 0);
    for (int i = 0; i < 2000; ++i) {
        now += 120us;
        ack(bbr, delivered, 12'000, now);
    }
    return bbr;
}

// Acks at kRate whose RTT shows a 10 ms queue, until the guard cuts the estimate (at most 40 rounds).
bool feedQueueUntilCut(Bbr& bbr, MonoTime& now, std::uint64_t& delivered)
{
    const double before = bbr.bottleneckBandwidth();
    for (int i = 0; i < 400 && bbr.bottleneckBandwidth() >= before; ++i) {
        now += 120us;
        ack(bbr, delivered, 12'000, now, kRtt + 10ms);
    }
    return bbr.bottleneckBandwidth() < before;
}

} // namespace

TEST_CASE("flow bbr: a standing queue cuts the estimate once, not again while the cut drains it")
{
    MonoTime now{std::chrono::hours(1000)};
    std::uint64_t delivered = 0;
    Bbr bbr = warmedUp(now, delivered);
    REQUIRE(bbr.mode() == Bbr::Mode::ProbeBandwidth);
    REQUIRE(bbr.bottleneckBandwidth() == doctest::Approx(kRate));
    REQUIRE(feedQueueUntilCut(bbr, now, delivered));
    const double cut = bbr.bottleneckBandwidth();
    CHECK(cut == doctest::Approx(0.95 * kRate).epsilon(0.02));

    // The round in progress acknowledges what was sent before the cut, into the same queue, and delivers
    // less as the queue drains: judged, it would cut again (to 0.8 of the estimate here).
    const std::uint64_t cutRound = bbr.roundCount();
    for (int i = 0; i < 400 && bbr.roundCount() == cutRound; ++i) {
        now += 120us;
        ack(bbr, delivered, 6'000, now, kRtt + 10ms, kRate / 2);
    }
    REQUIRE(bbr.roundCount() == cutRound + 1);
    CHECK(bbr.bottleneckBandwidth() == doctest::Approx(cut));

    // The round after it shows the queue still standing: that one is judged.
    const std::uint64_t judgedRound = bbr.roundCount();
    for (int i = 0; i < 400 && bbr.roundCount() == judgedRound; ++i) {
        now += 120us;
        ack(bbr, delivered, 6'000, now, kRtt + 10ms, kRate / 2);
    }
    CHECK(bbr.bottleneckBandwidth() < 0.9 * cut);
}

TEST_CASE("flow bbr: a round stretched by one late ack does not make the guard cut below the real rate")
{
    // On a jittery path a round's closing ack may come late; the bytes over that round then understate
    // what the bottleneck carried, and the delivery-rate samples of the round do not.
    MonoTime now{std::chrono::hours(1000)};
    std::uint64_t delivered = 0;
    Bbr bbr = warmedUp(now, delivered);
    double lowest = kRate;
    int cuts = 0;
    for (int episode = 0; episode < 20; ++episode) {
        const double before = bbr.bottleneckBandwidth();
        // A queue for a round or two, with a 2 ms gap between two acks (an ack held up by jitter).
        for (int i = 0; i < 14; ++i) {
            now += i == 7 ? 2ms : 120us;
            ack(bbr, delivered, 12'000, now, kRtt + 10ms);
            lowest = std::min(lowest, bbr.bottleneckBandwidth());
        }
        cuts += bbr.bottleneckBandwidth() < before ? 1 : 0;
        // Then no queue for long enough that probing lifts the cap again.
        for (int i = 0; i < 200; ++i) {
            now += 120us;
            ack(bbr, delivered, 12'000, now);
        }
    }
    CHECK(cuts >= 5);
    // Counted over the stretched round alone, the rate is a fifth of kRate: the cut would be the 0.8 floor.
    CHECK(lowest >= 0.9 * kRate);
}

TEST_CASE("flow bbr: acks that arrive in clumps widen cwnd by what the clumps carry, up to 20 ms")
{
    MonoTime now{std::chrono::hours(1000)};
    Bbr bbr(now, 0);
    std::uint64_t delivered = 0;
    // Evenly spaced acks, 12 KB every 120 us (100 MB/s): no aggregation beyond the fixed allowance.
    for (int i = 0; i < 2000; ++i) {
        now += 120us;
        ack(bbr, delivered, 12'000, now);
    }
    REQUIRE(bbr.bottleneckBandwidth() == doctest::Approx(kRate));
    CHECK(bbr.extraAcked() < 20'000);
    const std::uint64_t evenCwnd = bbr.cwnd();
    // 2 x BDP (100 KB) + 2 ms (200 KB) + 8 datagrams.
    CHECK(evenCwnd == doctest::Approx(2 * 50'000 + 200'000 + 8 * kMaxDatagramPayload).epsilon(0.05));

    // A late loop: nothing for 4 ms, then 4 ms worth of acks at once (400 KB), over and over.
    for (int i = 0; i < 200; ++i) {
        now += 4ms;
        ack(bbr, delivered, 400'000, now);
    }
    CHECK(bbr.extraAcked() >= 390'000);
    CHECK(bbr.cwnd() >= 2 * 50'000 + 390'000);

    // A clump far beyond the cap is counted as 20 ms at the estimated rate, no more.
    now += 60ms;
    ack(bbr, delivered, 6'000'000, now);
    CHECK(bbr.extraAcked() <= static_cast<std::uint64_t>(kRate * 0.020) + 1);

    // Even acks again: after the window of rounds has passed, the allowance returns to the fixed one.
    for (int i = 0; i < 5000; ++i) {
        now += 120us;
        ack(bbr, delivered, 12'000, now);
    }
    CHECK(bbr.extraAcked() < 20'000);
    CHECK(bbr.cwnd() <= evenCwnd * 11 / 10);
}

TEST_CASE(
    "flow bbr: samples close to the minimum RTT confirm it, so the pipe is not drained to re-measure it")
{
    // 12 s of acks every 120 us; `above` is how far the RTT samples sit over the first (minimum) one.
    const auto run = [](std::chrono::nanoseconds above) {
        MonoTime now{std::chrono::hours(1000)};
        Bbr bbr(now, 0);
        std::uint64_t delivered = 0;
        bool probedRtt = false;
        ack(bbr, delivered, 12'000, now);
        for (int i = 0; i < 100'000; ++i) {
            now += 120us;
            ack(bbr, delivered, 12'000, now, kRtt + above);
            probedRtt = probedRtt || bbr.mode() == Bbr::Mode::ProbeRtt;
        }
        return probedRtt;
    };
    CHECK_FALSE(run(200us)); // within 250 us: the minimum still holds
    CHECK(run(2ms));         // a standing queue, or a longer path: measure again after 10 s
}

} // namespace duet::flow
