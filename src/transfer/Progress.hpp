#pragma once
// Speed and ETA from a cumulative byte count sampled against a Clock. The speed is the byte difference
// across a sliding window (default 5 s) divided by the time it spans, so it reacts within the window and
// falls to zero when bytes stop moving. Memory is bounded: one sample per kSampleSpacing of clock time,
// so at most window / kSampleSpacing + 2 samples. Single thread.
#include "duet/core/Clock.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>

namespace duet::transfer {

class RateMeter {
public:
    static constexpr Millis kSampleSpacing{250};

    explicit RateMeter(Millis window = Millis{5'000});

    // `totalBytes` is cumulative. A smaller value than before (a file restarted) starts afresh.
    void record(MonoTime now, std::uint64_t totalBytes);
    double bytesPerSecond() const;
    void reset() { m_samples.clear(); }
    std::size_t sampleCount() const { return m_samples.size(); }

private:
    struct Sample {
        MonoTime time;
        std::uint64_t bytes = 0;
    };
    Millis m_window;
    std::deque<Sample> m_samples;
};

// Seconds until `remainingBytes` are done at `bytesPerSecond`, rounded up; none when nothing moves.
std::optional<std::chrono::seconds> estimateRemaining(std::uint64_t remainingBytes, double bytesPerSecond);

struct ProgressFigures {
    std::uint64_t doneBytes = 0;
    std::uint64_t totalBytes = 0;
    double bytesPerSecond = 0;
    std::optional<std::chrono::seconds> eta; // none while stalled, paused or finished
};

} // namespace duet::transfer
