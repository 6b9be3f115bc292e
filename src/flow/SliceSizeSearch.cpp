#include "duet/flow/SliceSizeSearch.hpp"

#include "duet/wire/Bulk.hpp"

#include <algorithm>

namespace duet::flow {

SliceSizeSearch::SliceSizeSearch(std::vector<std::uint32_t> ladder)
    : m_ladder(std::move(ladder)), m_current(static_cast<std::uint32_t>(wire::kMaxBulkSlice))
{
    // Only sizes above the base and within what a receiver accepts, smallest first.
    std::erase_if(m_ladder, [](std::uint32_t size) {
        return size <= wire::kMaxBulkSlice || size > wire::kMaxLargeBulkSlice;
    });
    std::sort(m_ladder.begin(), m_ladder.end());
    m_ladder.erase(std::unique(m_ladder.begin(), m_ladder.end()), m_ladder.end());
}

std::optional<std::uint32_t> SliceSizeSearch::probeDue(MonoTime now) const
{
    if (m_outstanding) return std::nullopt;
    if (m_resumeAt && now < *m_resumeAt) return std::nullopt;
    if (m_next < m_ladder.size()) return m_ladder[m_next];
    return std::nullopt;
}

void SliceSizeSearch::onProbeSent(std::uint64_t packetNumber, std::uint32_t)
{
    m_outstanding = packetNumber;
    m_resumeAt.reset();
    ++m_probesSent;
}

void SliceSizeSearch::onProbeAcked()
{
    if (!m_outstanding) return;
    m_outstanding.reset();
    m_current = m_ladder[m_next];
    ++m_next;
    m_attempts = 0;
}

void SliceSizeSearch::onProbeLost(MonoTime now)
{
    if (!m_outstanding) return;
    m_outstanding.reset();
    ++m_probesLost;
    if (++m_attempts < kAttemptsPerSize) return;
    // This size does not pass, so no larger one will: try again much later, from the next size up.
    m_attempts = 0;
    m_resumeAt = now + kRaiseInterval;
}

void SliceSizeSearch::onLateProbeAck(std::uint32_t size)
{
    if (m_next >= m_ladder.size() || m_ladder[m_next] != size || size <= m_current) return;
    m_current = size;
    m_outstanding.reset(); // a probe of the same size still out is an ordinary packet now
    ++m_next;
    m_attempts = 0;
    m_resumeAt.reset(); // the search had given up on this size: it goes on to the next
}

void SliceSizeSearch::onOutage(MonoTime now)
{
    if (m_current == wire::kMaxBulkSlice && !m_outstanding) return;
    m_current = static_cast<std::uint32_t>(wire::kMaxBulkSlice);
    m_next = 0;
    m_attempts = 0;
    m_outstanding.reset();
    m_resumeAt.reset(); // the sender probes again only once acks flow (never right after a timeout)
    (void)now;
}

} // namespace duet::flow
