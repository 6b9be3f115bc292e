#include "duet/flow/Bbr.hpp"

#include <algorithm>

namespace duet::flow {
namespace {

using namespace std::chrono_literals;

// 2/ln(2): the smallest gain that doubles the sending rate every round while the pipe is filling.
constexpr double kStartupGain = 2.885;
constexpr double kProbeBandwidthCwndGain = 2.0;
// The probing cycle: one RTT above the estimate, one below, six at it. BBR v1 probes multiplicatively
// (x1.25); here the probe adds a fixed kProbeBytes per RTT instead, so that with the queue guard's
// multiplicative cut (below) competing flows converge like AIMD. It also bounds the probe's extra queue,
// which is what chat sharing the bottleneck feels (tests/flow's simulations measure both).
constexpr std::array<double, 8> kGainCycle{1.1, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0};
constexpr double kProbeBytes = 16 * kMaxDatagramPayload;
constexpr double kMinDrainGain = 0.75;
constexpr std::chrono::nanoseconds kMinRttWindow = 10s;
constexpr std::chrono::nanoseconds kProbeRttDuration = 200ms;
// An RTT sample within this much of the minimum confirms it (see updateMinRtt).
constexpr int kMinRttConfirmDivisor = 32;
constexpr std::chrono::nanoseconds kMinRttConfirmMargin = 250us;
constexpr std::uint64_t kInitialCwnd = 32 * kMaxDatagramPayload;
// Until the first RTT sample arrives the pipe is assumed to be this long.
constexpr std::chrono::nanoseconds kInitialRttGuess = 10ms;
// Our net loop wakes about once per millisecond and receivers acknowledge in batches, so a sender must be
// allowed this much more than the bandwidth-delay product or it idles between wake-ups.
constexpr std::chrono::nanoseconds kAggregationAllowance = 2ms;
constexpr std::uint64_t kAggregationPackets = 8;
// The measured ack aggregation (extraAcked) may add at most this much time at the estimated rate to cwnd:
// enough for a loaded machine's late wake-ups, not enough to keep a deep queue full for long.
constexpr std::chrono::nanoseconds kMaxAggregation = 20ms;
// An epoch longer than this is restarted, so one early stall does not inflate the estimate forever.
constexpr std::chrono::nanoseconds kMaxAckEpoch = 100ms;
// Loss bound (after BBR v2): a round losing more than this share of its data caps the bytes in flight at
// kLossBeta of what the round had out. Random loss below the threshold (lossy Wi-Fi, 2 % on a bad path)
// is treated as noise, which is what lets the transfer keep the link full where TCP cannot.
constexpr double kLossThreshold = 0.05;
constexpr double kLossBeta = 0.7;
constexpr std::uint64_t kLossMinBytes = 3 * kMaxDatagramPayload;
// Queue guard: a round whose lowest RTT stays this far above the minimum shows a standing queue, which
// means the bandwidth estimate is too high (jitter and ack compression inflate rate samples). The estimate
// is then capped at what that round really delivered and the next phase drains. Chat shares the queue.
// The floor covers the net loop's scheduling jitter on a loaded machine (2 ms capped loopback at 26 MB/s).
constexpr std::chrono::nanoseconds kQueueTargetFloor = 5ms;
constexpr int kQueueTargetDivisor = 16; // of the minimum RTT
constexpr double kQueueCapShare = 0.95;
constexpr std::uint64_t kQueueDrainRounds = 2;
constexpr double kQueueHoldShare = 0.98;
// Start-up ends after this many RTT samples in a row show a queue of a quarter of the minimum RTT.
constexpr int kStartupQueueDivisor = 4;
constexpr int kStartupHighRtts = 8;
// One round may cut the estimate by at most this much: a stall (a timeout, a blackout) must not be
// mistaken for a slower path and spiral the rate down.
constexpr double kQueueCapFloor = 0.8;
// Each loss-free round lets the bound grow by this factor, so capacity freed by a departing flow is found.
constexpr double kBoundGrowth = 1.1;

double seconds(std::chrono::nanoseconds d)
{
    return std::chrono::duration<double>(d).count();
}

} // namespace

void Bbr::WindowedMax::update(double value, std::uint64_t round)
{
    m_latestRound = std::max(m_latestRound, round);
    const std::size_t slot = round % kSlots;
    if (m_rounds[slot] != round) {
        m_rounds[slot] = round;
        m_values[slot] = value;
    } else {
        m_values[slot] = std::max(m_values[slot], value);
    }
}

double Bbr::WindowedMax::best() const
{
    double best = 0;
    for (std::size_t i = 0; i < kSlots; ++i)
        if (m_rounds[i] + kSlots > m_latestRound) best = std::max(best, m_values[i]);
    return best;
}

Bbr::Bbr(MonoTime now, std::uint32_t seed)
    : m_minRttStamp(now), m_pacingGain(kStartupGain), m_cwndGain(kStartupGain),
      m_initialPacingRate(kStartupGain * static_cast<double>(kInitialCwnd) / seconds(kInitialRttGuess))
{
    // Phases 2..7 (gain 1): never start by draining or probing.
    m_cycleIndex = 2 + seed % (kGainCycle.size() - 2);
}

double Bbr::bottleneckBandwidth() const
{
    const double best = m_maxBandwidth.best();
    if (m_bandwidthCap <= 0) return best;
    const double cap = m_roundCount < m_drainCapUntilRound ? m_bandwidthCap : m_holdCap;
    return std::min(best, cap);
}

std::uint64_t Bbr::bdp(double gain) const
{
    const double bandwidth = bottleneckBandwidth();
    if (bandwidth <= 0 || m_minRtt.count() == 0) return kInitialCwnd;
    return static_cast<std::uint64_t>(gain * bandwidth * seconds(m_minRtt));
}

std::uint64_t Bbr::cwnd() const
{
    if (m_mode == Mode::ProbeRtt) return kMinCwnd;
    const double bandwidth = bottleneckBandwidth();
    if (bandwidth <= 0 || m_minRtt.count() == 0) return kInitialCwnd;
    const auto fixedAllowance = static_cast<std::uint64_t>(bandwidth * seconds(kAggregationAllowance)) +
                                kAggregationPackets * kMaxDatagramPayload;
    const std::uint64_t allowance = std::max(fixedAllowance, extraAcked());
    const std::uint64_t target = bdp(m_cwndGain) + allowance;
    return std::max(kMinCwnd, std::min(target, m_inflightBound));
}

double Bbr::pacingRate() const
{
    const double bandwidth = bottleneckBandwidth();
    if (bandwidth <= 0) return m_initialPacingRate;
    double rate = m_pacingGain * bandwidth;
    if (m_mode == Mode::ProbeBandwidth && m_pacingGain != 1.0 && m_minRtt.count() > 0) {
        const double step = kProbeBytes / seconds(m_minRtt);
        rate = m_pacingGain > 1.0 ? bandwidth + step : std::max(kMinDrainGain * bandwidth, bandwidth - step);
    }
    // While still filling the pipe, never pace slower than the first guess.
    return m_filledPipe ? rate : std::max(rate, m_initialPacingRate);
}

void Bbr::onAck(const AckSample& sample, MonoTime now)
{
    startRoundIfDue(sample);
    updateLossBound(sample);
    updateQueueGuard(sample, now);
    if (sample.deliveryRate > 0 && (!sample.appLimited || sample.deliveryRate >= bottleneckBandwidth()))
        m_maxBandwidth.update(sample.deliveryRate, m_roundCount);
    updateAckAggregation(sample, now);
    checkFullPipe(sample);
    if (m_mode == Mode::Startup && m_filledPipe) {
        m_mode = Mode::Drain;
        m_pacingGain = 1.0 / kStartupGain;
        m_cwndGain = kStartupGain;
    }
    if (m_mode == Mode::Drain && sample.bytesInFlight <= bdp(1.0)) enterProbeBandwidth(now);
    if (m_mode == Mode::ProbeBandwidth) updateGainCycle(sample, now);
    updateMinRtt(sample, now);
}

void Bbr::onTimeoutLoss(std::uint64_t lostBytes)
{
    m_roundLost += lostBytes;
}

void Bbr::onOutageOver()
{
    m_mode = Mode::Startup;
    m_pacingGain = kStartupGain;
    m_cwndGain = kStartupGain;
    m_filledPipe = false;
    m_fullBandwidth = 0;
    m_fullBandwidthRounds = 0;
    m_bandwidthCap = 0;
    m_inflightBound = UINT64_MAX;
}

void Bbr::onSpuriousLoss(std::uint64_t bytes)
{
    m_roundLost -= std::min(m_roundLost, bytes);
}

void Bbr::startRoundIfDue(const AckSample& sample)
{
    m_roundStart = false;
    if (sample.priorDelivered < m_nextRoundDelivered) return;
    m_nextRoundDelivered = sample.delivered;
    ++m_roundCount;
    m_roundStart = true;
}

void Bbr::updateLossBound(const AckSample& sample)
{
    if (m_roundStart) {
        const std::uint64_t total = m_roundDelivered + m_roundLost;
        const bool excessive = m_roundLost >= kLossMinBytes &&
                               static_cast<double>(m_roundLost) > kLossThreshold * static_cast<double>(total);
        if (excessive) {
            const std::uint64_t base = std::min(m_inflightBound, std::max(m_roundMaxInflight, kMinCwnd));
            m_inflightBound =
                std::max(kMinCwnd, static_cast<std::uint64_t>(kLossBeta * static_cast<double>(base)));
            m_filledPipe = true; // heavy loss while filling means the pipe is full
        } else if (m_inflightBound != UINT64_MAX) {
            // Once the bound no longer limits anything (twice the model's window) it is dropped.
            const double grown = kBoundGrowth * static_cast<double>(m_inflightBound) + kMaxDatagramPayload;
            m_inflightBound = grown > 2.0 * static_cast<double>(bdp(m_cwndGain))
                                  ? UINT64_MAX
                                  : static_cast<std::uint64_t>(grown);
        }
        // Heavy loss is congestion, which the bottleneck did not carry; light loss is the path's.
        m_lastRoundLost = excessive ? 0 : m_roundLost;
        m_roundDelivered = 0;
        m_roundLost = 0;
        m_roundMaxInflight = 0;
    }
    m_roundDelivered += sample.newlyAcked;
    m_roundLost += sample.newlyLost;
    m_roundMaxInflight = std::max(m_roundMaxInflight, sample.bytesInFlight + sample.newlyAcked);
}

void Bbr::updateQueueGuard(const AckSample& sample, MonoTime now)
{
    if (m_roundStart) {
        // Jitter alone lifts a round's lowest RTT above the all-time minimum; only more than that counts.
        const auto jitter = 2 * sample.rttVariance;
        const auto target = std::max({kQueueTargetFloor, m_minRtt / kQueueTargetDivisor, jitter});
        const bool standingQueue = m_mode == Mode::ProbeBandwidth && m_pacingGain <= 1.0 &&
                                   m_roundMinRtt.count() > 0 && m_roundMinRtt > m_minRtt + target;
        const auto elapsed = now - m_roundStartTime;
        // The round after a cut still acknowledges packets sent before it, into the same queue: judging
        // it would cut again for a queue already draining, by what the draining round delivered.
        const bool afterCut = m_roundCount < m_guardQuietUntilRound;
        if (standingQueue && elapsed.count() > 0 && !afterCut) {
            m_guardQuietUntilRound = m_roundCount + 2;
            // The bottleneck was busy all round, so what it carried (delivered, plus what random loss
            // took after it) is its rate: below it for two rounds drains the queue, just below it after
            // that keeps the link full. Holding at the draining share until the next probe left the bad
            // profile's link 6 % idle (simulation: 0.933 -> 0.961 of it).
            // A round's length comes from two acks, each late by up to the path's jitter (±20 ms of
            // 200 ms on the bad profile), so the bytes over it understate the rate as often as not. The
            // mean of the round's delivery-rate samples is steadier; the larger of the two is taken.
            const double roundRate =
                static_cast<double>(sample.delivered - m_roundStartDelivered) / seconds(elapsed);
            const double sampledRate = m_roundRateSamples > 0 ? m_roundRateSum / m_roundRateSamples : 0;
            const double carried =
                std::max(roundRate, sampledRate) + static_cast<double>(m_lastRoundLost) / seconds(elapsed);
            const double floor = kQueueCapFloor * bottleneckBandwidth();
            m_bandwidthCap = std::max(floor, kQueueCapShare * carried);
            // Light loss counts as carried even when a standing queue overflowed: then the guard fires
            // again on the next round's queue. Capping the hold at the delivered rate instead cost the
            // bad path about 1 % (1.11-1.12 against 1.12-1.13 MB/s, alternated).
            m_holdCap = std::max(floor, kQueueHoldShare * carried);
            m_drainCapUntilRound = m_roundCount + kQueueDrainRounds;
            if (m_pacingGain == 1.0) {
                m_cycleIndex = 1; // the draining phase
                m_cycleStamp = now;
                m_pacingGain = kGainCycle[m_cycleIndex];
            }
        }
        m_roundMinRtt = std::chrono::nanoseconds{0};
        m_roundRateSum = 0;
        m_roundRateSamples = 0;
        m_roundStartDelivered = sample.delivered;
        m_roundStartTime = now;
    }
    if (sample.deliveryRate > 0 && !sample.appLimited) {
        m_roundRateSum += sample.deliveryRate;
        ++m_roundRateSamples;
    }
    // The receiver's deliberate ack delay is not queueing: leave it out.
    const auto queued = sample.rtt > sample.ackDelay ? sample.rtt - sample.ackDelay : sample.rtt;
    // Start-up doubles the rate every round; waiting for three rounds without growth (checkFullPipe)
    // filled a 200 ms path's whole buffer for half a second, and chat with it. A run of RTT samples
    // above the minimum by more than jitter explains already says the pipe is full: drain now.
    if (m_mode == Mode::Startup && !m_filledPipe && m_minRtt.count() > 0 && sample.rtt.count() > 0) {
        const auto limit =
            m_minRtt + std::max({kQueueTargetFloor, m_minRtt / kStartupQueueDivisor, 2 * sample.rttVariance});
        m_startupHighRtts = queued > limit ? m_startupHighRtts + 1 : 0;
        if (m_startupHighRtts >= kStartupHighRtts) m_filledPipe = true;
    }
    if (sample.rtt.count() > 0 && (m_roundMinRtt.count() == 0 || queued < m_roundMinRtt))
        m_roundMinRtt = queued;
}

std::uint64_t Bbr::extraAcked() const
{
    const double cap = bottleneckBandwidth() * seconds(kMaxAggregation);
    return static_cast<std::uint64_t>(std::min(m_extraAcked.best(), cap));
}

void Bbr::updateAckAggregation(const AckSample& sample, MonoTime now)
{
    const double bandwidth = bottleneckBandwidth();
    if (bandwidth <= 0 || sample.newlyAcked == 0) return;
    double expected = bandwidth * seconds(now - m_ackEpochStart);
    // Acks at or behind the estimated rate end the epoch: aggregation is measured from there.
    if (static_cast<double>(m_ackEpochAcked) <= expected || now - m_ackEpochStart > kMaxAckEpoch) {
        m_ackEpochAcked = 0;
        m_ackEpochStart = now;
        expected = 0;
    }
    m_ackEpochAcked += sample.newlyAcked;
    const double extra =
        std::min(static_cast<double>(m_ackEpochAcked) - expected, static_cast<double>(cwnd()));
    m_extraAcked.update(std::max(extra, 0.0), m_roundCount);
}

void Bbr::checkFullPipe(const AckSample& sample)
{
    if (m_filledPipe || !m_roundStart || sample.appLimited) return;
    const double bandwidth = m_maxBandwidth.best();
    if (bandwidth >= 1.25 * m_fullBandwidth) {
        m_fullBandwidth = bandwidth;
        m_fullBandwidthRounds = 0;
        return;
    }
    if (++m_fullBandwidthRounds >= 3) m_filledPipe = true;
}

void Bbr::enterProbeBandwidth(MonoTime now)
{
    m_mode = Mode::ProbeBandwidth;
    m_cwndGain = kProbeBandwidthCwndGain;
    m_cycleStamp = now;
    m_pacingGain = kGainCycle[m_cycleIndex];
}

void Bbr::updateGainCycle(const AckSample& sample, MonoTime now)
{
    const auto elapsed = now - m_cycleStamp;
    const bool fullLength = elapsed > m_minRtt;
    bool next = fullLength;
    if (m_pacingGain > 1.0)
        next = (fullLength && (sample.newlyLost > 0 ||
                               sample.bytesInFlight >= bdp(1.0) + static_cast<std::uint64_t>(kProbeBytes))) ||
               elapsed > 2 * m_minRtt;
    else if (m_pacingGain < 1.0)
        next = fullLength || sample.bytesInFlight <= bdp(1.0);
    if (!next) return;
    m_cycleIndex = (m_cycleIndex + 1) % kGainCycle.size();
    m_cycleStamp = now;
    m_pacingGain = kGainCycle[m_cycleIndex];
    if (m_cycleIndex == 0) m_bandwidthCap = 0; // probing asks the path again
}

void Bbr::updateMinRtt(const AckSample& sample, MonoTime now)
{
    const bool expired = now > m_minRttStamp + kMinRttWindow;
    if (sample.rtt.count() > 0 && (m_minRtt.count() == 0 || sample.rtt <= m_minRtt || expired)) {
        m_minRtt = sample.rtt;
        m_minRttStamp = now;
    } else if (sample.rtt.count() > 0 &&
               sample.rtt <= m_minRtt + std::max(m_minRtt / kMinRttConfirmDivisor, kMinRttConfirmMargin)) {
        // A sample this close to the minimum saw an (almost) empty queue: the minimum still holds, and
        // draining the pipe to measure it again (ProbeRtt: 200 ms and a round trip at four datagrams,
        // 4 % of a 200 ms path's time) would learn nothing.
        m_minRttStamp = now;
    }
    if (expired && m_mode != Mode::ProbeRtt && m_filledPipe) {
        m_mode = Mode::ProbeRtt;
        m_pacingGain = 1.0;
        m_cwndGain = 1.0;
        m_probeRttDoneAt = MonoTime{};
        m_probeRttRoundDone = false;
    }
    if (m_mode != Mode::ProbeRtt) return;
    if (m_probeRttDoneAt == MonoTime{} && sample.bytesInFlight <= kMinCwnd) {
        m_probeRttDoneAt = now + kProbeRttDuration;
        m_probeRttRoundEnd = m_roundCount + 1;
    } else if (m_probeRttDoneAt != MonoTime{}) {
        if (m_roundCount >= m_probeRttRoundEnd) m_probeRttRoundDone = true;
        if (m_probeRttRoundDone && now >= m_probeRttDoneAt) {
            m_minRttStamp = now;
            enterProbeBandwidth(now);
        }
    }
}

} // namespace duet::flow
