#include "duet/transfer/Progress.hpp"

#include <cmath>

namespace duet::transfer {

RateMeter::RateMeter(Millis window) : m_window(window < kSampleSpacing ? kSampleSpacing : window) {}

void RateMeter::record(MonoTime now, std::uint64_t totalBytes)
{
    if (!m_samples.empty() && (totalBytes < m_samples.back().bytes || now < m_samples.back().time))
        m_samples.clear();
    // One sample per kSampleSpacing slot of the clock: a record in the newest sample's slot replaces it,
    // so frequent calls (one per chunk) cost no memory and the newest always holds the latest count.
    const auto slot = [](MonoTime t) { return t.time_since_epoch() / kSampleSpacing; };
    if (!m_samples.empty() && slot(m_samples.back().time) == slot(now))
        m_samples.back() = Sample{now, totalBytes};
    else
        m_samples.push_back(Sample{now, totalBytes});
    // Keep one sample at or before the window's start as the baseline.
    while (m_samples.size() >= 2 && m_samples[1].time <= now - m_window)
        m_samples.pop_front();
}

double RateMeter::bytesPerSecond() const
{
    if (m_samples.size() < 2) return 0;
    const Sample& first = m_samples.front();
    const Sample& last = m_samples.back();
    const auto span = std::chrono::duration<double>(last.time - first.time).count();
    if (span <= 0) return 0;
    return static_cast<double>(last.bytes - first.bytes) / span;
}

std::optional<std::chrono::seconds> estimateRemaining(std::uint64_t remainingBytes, double bytesPerSecond)
{
    if (remainingBytes == 0 || !(bytesPerSecond > 0)) return std::nullopt;
    const double seconds = std::ceil(static_cast<double>(remainingBytes) / bytesPerSecond);
    // Beyond about 30 years an ETA means nothing; it also keeps the cast in range.
    if (seconds > 1e9) return std::nullopt;
    return std::chrono::seconds{static_cast<std::int64_t>(seconds)};
}

} // namespace duet::transfer
