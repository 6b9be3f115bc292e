#include "LinkDirection.hpp"

#include <algorithm>

namespace duet::netlab {
namespace {

enum Stream : std::uint64_t { kLoss = 1, kDuplicate, kJitter, kReorder, kCorrupt };

std::int64_t serialisationNs(std::size_t bytes, std::uint64_t rateBitsPerSecond)
{
    // bytes is at most 64 KiB, so bytes * 8e9 fits easily in 64 bits.
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(bytes) * 8U * kNanosPerSecond /
                                     rateBitsPerSecond);
}

} // namespace

LinkDirection::LinkDirection(const DirectionConfig& config, std::uint64_t seed, int directionIndex)
    : m_config(config), m_lossRng(deriveSeed(seed, directionIndex, kLoss)),
      m_duplicateRng(deriveSeed(seed, directionIndex, kDuplicate)),
      m_jitterRng(deriveSeed(seed, directionIndex, kJitter)),
      m_reorderRng(deriveSeed(seed, directionIndex, kReorder)),
      m_corruptRng(deriveSeed(seed, directionIndex, kCorrupt))
{
}

bool LinkDirection::drawLoss()
{
    // Three draws every time, whichever models are on, to keep the stream aligned with packet numbers.
    const double bernoulli = m_lossRng.uniform();
    const double stateLoss = m_lossRng.uniform();
    const double transition = m_lossRng.uniform();
    bool lost = bernoulli < m_config.loss;
    const GilbertElliott& ge = m_config.burstLoss;
    if (ge.enabled) {
        lost = lost || stateLoss < (m_burstBad ? ge.lossInBad : ge.lossInGood);
        m_burstBad = m_burstBad ? !(transition < ge.badToGood) : transition < ge.goodToBad;
    }
    return lost;
}

std::uint64_t LinkDirection::backlogBytes(std::int64_t nowNs) const
{
    if (m_config.rateBitsPerSecond == 0 || m_linkFreeAtNs <= nowNs) return 0;
    // In double: nanoseconds times bit/s overflows 64 bits for long queues, and byte precision is plenty.
    const double seconds = static_cast<double>(m_linkFreeAtNs - nowNs) / static_cast<double>(kNanosPerSecond);
    return static_cast<std::uint64_t>(seconds * static_cast<double>(m_config.rateBitsPerSecond) / 8.0);
}

std::int64_t LinkDirection::enqueue(std::int64_t nowNs, std::size_t bytes)
{
    if (m_config.rateBitsPerSecond == 0) return nowNs;
    if (backlogBytes(nowNs) + bytes > m_config.queueBytes) return -1;
    m_linkFreeAtNs = std::max(m_linkFreeAtNs, nowNs) + serialisationNs(bytes, m_config.rateBitsPerSecond);
    return m_linkFreeAtNs;
}

Departure LinkDirection::schedule(std::int64_t transmittedNs)
{
    Departure out;
    const double jitterDraw = m_jitterRng.uniform();
    const double reorderDraw = m_reorderRng.uniform();
    const double corruptDraw = m_corruptRng.uniform();
    out.corruptDraw = m_corruptRng.next();

    std::int64_t delay = m_config.delayNs;
    if (m_config.jitterNs > 0) {
        delay += static_cast<std::int64_t>((2.0 * jitterDraw - 1.0) * static_cast<double>(m_config.jitterNs));
        delay = std::max<std::int64_t>(delay, 0);
    }
    out.dueNs = transmittedNs + delay;
    if (!m_config.jitterMayReorder) {
        // Jitter must not reorder: a packet never leaves before the one queued ahead of it.
        out.dueNs = std::max(out.dueNs, m_lastInOrderDueNs);
        m_lastInOrderDueNs = out.dueNs;
    }
    if (reorderDraw < m_config.reorderProbability) {
        // Held back after the in-order bookkeeping, so the packets behind it overtake it.
        out.dueNs += m_config.reorderExtraDelayNs;
        out.reordered = true;
    }
    out.corrupt = corruptDraw < m_config.corruptProbability;
    return out;
}

Admission LinkDirection::admit(std::int64_t arrivalNs, std::size_t bytes)
{
    Admission result;
    const bool lost = drawLoss();
    result.duplicated = m_duplicateRng.chance(m_config.duplicateProbability);
    if (isDownAt(arrivalNs)) {
        result.fate = Fate::Blackout;
        return result;
    }
    if (lost) {
        result.fate = Fate::Lost;
        return result;
    }
    const int copies = result.duplicated ? 2 : 1;
    for (int copy = 0; copy < copies; ++copy) {
        const std::int64_t transmitted = enqueue(arrivalNs, bytes);
        if (transmitted < 0) {
            ++result.queueDrops;
            continue;
        }
        result.departure[result.departures++] = schedule(transmitted);
    }
    if (result.departures == 0) result.fate = Fate::QueueFull;
    return result;
}

} // namespace duet::netlab
