#include "duet/flow/BulkReceiver.hpp"

#include <algorithm>
#include <utility>

namespace duet::flow {
namespace {

// Twice what one ack can report, so ranges dropped from the set are far older than any the sender waits on.
constexpr std::size_t kTrackedRanges = 2 * wire::kMaxBulkAckRanges;

} // namespace

BulkReceiver::BulkReceiver(BulkReceiverConfig config) : m_config(config) {}

BulkReceiver::Verdict BulkReceiver::onData(std::uint64_t packetNumber, const wire::BulkDataView& slice,
                                           MonoTime now)
{
    if (m_failed) return Verdict::Refused;
    const std::uint64_t begin = slice.streamOffset;
    const std::uint64_t end = begin + slice.data.size();
    if (slice.data.empty() || end > m_deliveredOffset + m_config.window) return Verdict::Refused;

    const std::optional<std::uint64_t> highest = m_packets.highest();
    const bool duplicatePacket = m_packets.contains(packetNumber);
    if (!duplicatePacket) {
        // A gap (or a late filler of one) is reported at once so the sender detects loss quickly.
        if (highest && packetNumber != *highest + 1) m_ackNow = true;
        if (!highest || packetNumber > *highest) m_largestReceivedAt = now;
        m_packets.insert(packetNumber, packetNumber + 1);
        m_packets.keepHighest(kTrackedRanges);
    } else {
        m_ackNow = true; // the sender retransmitted, so our ack was probably lost
    }
    if (m_unacked++ == 0) m_firstUnackedAt = now;

    const auto stored = m_out.find(begin);
    const bool duplicateData =
        end <= m_deliveredOffset || (stored != m_out.end() && stored->second.size() >= slice.data.size());
    if (duplicatePacket || duplicateData) {
        ++m_duplicates;
        return Verdict::Duplicate;
    }
    // Overlapping slices are only possible from a misbehaving sender; delivery copes by skipping overlap.
    if (m_bufferedBytes + slice.data.size() > 2 * m_config.window) return Verdict::Refused;
    wire::Bytes& slot = m_out[begin];
    m_bufferedBytes -= slot.size();
    slot.assign(slice.data.begin(), slice.data.end());
    m_bufferedBytes += slot.size();
    deliverContiguous();
    return m_failed ? Verdict::Refused : Verdict::Accepted;
}

void BulkReceiver::deliverContiguous()
{
    while (!m_out.empty() && m_out.begin()->first <= m_deliveredOffset && !m_failed) {
        auto first = m_out.begin();
        const std::uint64_t end = first->first + first->second.size();
        if (end > m_deliveredOffset) {
            const wire::ByteSpan fresh =
                wire::ByteSpan(first->second).subspan(m_deliveredOffset - first->first);
            if (!consume(fresh)) m_failed = true;
            m_deliveredOffset = end;
        }
        m_bufferedBytes -= first->second.size();
        m_out.erase(first);
    }
}

bool BulkReceiver::consume(wire::ByteSpan bytes)
{
    while (!bytes.empty()) {
        if (m_prefixHave < m_prefix.size()) {
            const std::size_t take = std::min(bytes.size(), m_prefix.size() - m_prefixHave);
            std::copy_n(bytes.begin(), take, m_prefix.begin() + static_cast<std::ptrdiff_t>(m_prefixHave));
            m_prefixHave += take;
            bytes = bytes.subspan(take);
            if (m_prefixHave < m_prefix.size()) return true;
            m_messageSize = 0;
            for (std::size_t i = 0; i < m_prefix.size(); ++i)
                m_messageSize |= std::size_t{m_prefix[i]} << (8 * i);
            if (m_messageSize == 0 || m_messageSize > kMaxBulkMessage) return false;
            m_message.clear();
            m_message.reserve(m_messageSize);
            continue;
        }
        const std::size_t take = std::min(bytes.size(), m_messageSize - m_message.size());
        m_message.insert(m_message.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
        bytes = bytes.subspan(take);
        if (m_message.size() == m_messageSize) {
            m_ready.push_back(std::move(m_message));
            m_message = {};
            m_prefixHave = 0;
        }
    }
    return true;
}

std::vector<wire::Bytes> BulkReceiver::takeMessages()
{
    return std::exchange(m_ready, {});
}

std::optional<MonoTime> BulkReceiver::nextAckTime() const
{
    if (m_unacked == 0) return std::nullopt;
    if (m_ackNow || m_unacked >= kAckEveryPackets) return m_firstUnackedAt;
    return m_firstUnackedAt + kMaxAckDelay;
}

std::optional<wire::BulkAck> BulkReceiver::pollAck(MonoTime now)
{
    const std::optional<MonoTime> due = nextAckTime();
    if (!due || now < *due || m_packets.empty()) return std::nullopt;
    wire::BulkAck ack;
    const auto delay = std::chrono::duration_cast<std::chrono::microseconds>(now - m_largestReceivedAt);
    ack.ackDelayMicros = static_cast<std::uint32_t>(std::clamp<std::int64_t>(delay.count(), 0, UINT32_MAX));
    const auto& ranges = m_packets.ranges();
    for (auto it = ranges.rbegin(); it != ranges.rend() && ack.ranges.size() < wire::kMaxBulkAckRanges; ++it)
        ack.ranges.push_back({it->second - 1, it->first});
    m_unacked = 0;
    m_ackNow = false;
    return ack;
}

} // namespace duet::flow
