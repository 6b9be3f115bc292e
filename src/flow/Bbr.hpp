#pragma once
// A BBR-style congestion controller (model: bottleneck bandwidth and minimum RTT; after BBR v1 with a
// loss bound borrowed from v2). It decides how many bytes may be in flight (cwnd) and how fast to pace
// them (pacingRate); the sender feeds it one AckSample per processed acknowledgement.
// Pure and deterministic: time comes in as arguments. Not thread-safe. See PROTOCOL.md §11.4.
#include "duet/core/Clock.hpp"

#include <array>
#include <cstdint>

namespace duet::flow {

inline constexpr std::uint64_t kMaxDatagramPayload = 1200;
inline constexpr std::uint64_t kMinCwnd = 4 * kMaxDatagramPayload;

struct AckSample {
    std::uint64_t delivered = 0;             // total bytes acknowledged so far, this ack included
    std::uint64_t priorDelivered = 0;        // `delivered` when the newest acknowledged packet was sent
    double deliveryRate = 0;                 // bytes per second measured by this ack; 0 when no valid sample
    bool appLimited = false;                 // the sample was taken while the sender had nothing to send
    std::uint64_t newlyAcked = 0;            // bytes
    std::uint64_t newlyLost = 0;             // bytes declared lost while processing this ack
    std::uint64_t bytesInFlight = 0;         // after processing
    std::chrono::nanoseconds rtt{0};         // 0 when this ack gives no RTT sample
    std::chrono::nanoseconds ackDelay{0};    // how long the receiver held the ack (part of `rtt`)
    std::chrono::nanoseconds rttVariance{0}; // the sender's smoothed RTT variation (jitter)
};

class Bbr {
public:
    enum class Mode { Startup, Drain, ProbeBandwidth, ProbeRtt };

    // `seed` picks the first gain-cycle phase so that flows started together do not probe in lockstep.
    Bbr(MonoTime now, std::uint32_t seed);

    void onAck(const AckSample& sample, MonoTime now);
    // Losses declared by a timeout (no ack arrived) rather than by a later acknowledgement.
    void onTimeoutLoss(std::uint64_t lostBytes);
    // The path answered again after an outage (several timeouts in a row): what was learnt about it may
    // be stale, so the rate is searched for again from the current estimate, as at the start.
    void onOutageOver();
    // Bytes declared lost earlier were acknowledged after all (the path reordered them).
    void onSpuriousLoss(std::uint64_t bytes);

    std::uint64_t cwnd() const;
    double pacingRate() const; // bytes per second
    Mode mode() const { return m_mode; }
    // Bytes per second, 0 = unknown: the windowed maximum, capped while a standing queue was seen.
    double bottleneckBandwidth() const;
    std::chrono::nanoseconds minRtt() const { return m_minRtt; }
    std::uint64_t roundCount() const { return m_roundCount; }
    std::uint64_t lossBound() const { return m_inflightBound; } // UINT64_MAX when none
    bool filledPipe() const { return m_filledPipe; }
    // Bytes acknowledged beyond what the bandwidth estimate explains (acks held back by the receiver's
    // batching or by a late wake-up of either loop, then released at once): the highest of the last
    // rounds, added to cwnd so the sender is not left idle while the acks it waits for are delayed.
    std::uint64_t extraAcked() const;

private:
    // Maximum over the last kBandwidthWindowRounds rounds; one slot per round, enough for this use.
    class WindowedMax {
    public:
        void update(double value, std::uint64_t round);
        double best() const;

    private:
        static constexpr std::size_t kSlots = 10;
        std::array<double, kSlots> m_values{};
        std::array<std::uint64_t, kSlots> m_rounds{};
        std::uint64_t m_latestRound = 0;
    };

    std::uint64_t bdp(double gain) const;
    void startRoundIfDue(const AckSample& sample);
    void checkFullPipe(const AckSample& sample);
    void updateGainCycle(const AckSample& sample, MonoTime now);
    void updateMinRtt(const AckSample& sample, MonoTime now);
    void updateLossBound(const AckSample& sample);
    void updateQueueGuard(const AckSample& sample, MonoTime now);
    void updateAckAggregation(const AckSample& sample, MonoTime now);
    void enterProbeBandwidth(MonoTime now);

    Mode m_mode = Mode::Startup;
    WindowedMax m_maxBandwidth;
    std::chrono::nanoseconds m_minRtt{0};
    MonoTime m_minRttStamp;
    MonoTime m_probeRttDoneAt{};
    bool m_probeRttRoundDone = false;
    std::uint64_t m_probeRttRoundEnd = 0;

    std::uint64_t m_roundCount = 0;
    std::uint64_t m_nextRoundDelivered = 0;
    bool m_roundStart = false;

    double m_fullBandwidth = 0;
    int m_fullBandwidthRounds = 0;
    bool m_filledPipe = false;

    std::size_t m_cycleIndex = 0;
    MonoTime m_cycleStamp{};

    double m_pacingGain;
    double m_cwndGain;
    double m_initialPacingRate;
    std::uint64_t m_inflightBound = UINT64_MAX; // the loss bound; UINT64_MAX = none yet
    std::uint64_t m_roundDelivered = 0;
    std::uint64_t m_roundLost = 0;
    std::uint64_t m_roundMaxInflight = 0;
    // Queue guard: the lowest RTT of the current round, and where the round began.
    std::chrono::nanoseconds m_roundMinRtt{0};
    int m_startupHighRtts = 0; // RTT samples in a row that showed a queue during start-up
    std::uint64_t m_roundStartDelivered = 0;
    MonoTime m_roundStartTime{};
    double m_bandwidthCap = 0; // 0 = none; the queue guard's cap while it drains the queue
    double m_holdCap = 0;      // its cap from m_drainCapUntilRound until the next probe
    std::uint64_t m_drainCapUntilRound = 0;
    std::uint64_t m_lastRoundLost = 0; // light (random) loss of the last complete round
    double m_roundRateSum = 0;         // the current round's delivery-rate samples (not app-limited)
    int m_roundRateSamples = 0;
    std::uint64_t m_guardQuietUntilRound = 0; // the guard skips the round after it cut
    // Ack aggregation (after Linux BBR's extra_acked): an epoch starts whenever acks fall behind the
    // estimate; what arrives ahead of it within the epoch is the aggregation seen.
    WindowedMax m_extraAcked;
    MonoTime m_ackEpochStart{};
    std::uint64_t m_ackEpochAcked = 0;
};

} // namespace duet::flow
