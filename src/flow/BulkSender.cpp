#include "duet/flow/BulkSender.hpp"

#include <algorithm>
#include <cmath>

namespace duet::flow {
namespace {

using namespace std::chrono_literals;
using Nanos = std::chrono::nanoseconds;

// RFC 9002's thresholds: three later packets acknowledged, or 9/8 of the RTT elapsed, means lost.
// A path that reorders (seen as acks for packets already declared lost) raises the packet threshold to
// the reordering distance seen, up to kMaxPacketThreshold; the time threshold still catches real losses.
constexpr std::uint64_t kPacketThreshold = 3;
constexpr std::uint64_t kMaxPacketThreshold = 1024;
constexpr std::size_t kRememberedLosses = 4096;
// The same for the time threshold, in eighths of the RTT: 9/8 (RFC 9002) growing to 2 RTT.
constexpr std::int64_t kTimeThresholdEighths = 9;
constexpr std::int64_t kMaxTimeThresholdEighths = 16;
constexpr Nanos kTimerGranularity = 1ms;
constexpr Nanos kInitialProbeTimeout = 300ms;
// The receiver's promise (BulkReceiver) plus the net loop's own wake-up granularity.
constexpr Nanos kPeerMaxAckDelay = 5ms;
constexpr int kMaxProbeBackoff = 6;
constexpr Nanos kMaxProbeInterval = 1s;
// This many probe timeouts in a row are an outage rather than a tail loss.
constexpr int kOutageProbes = 2;
// Pacing may catch up on at most this much lost time in one burst, and on no more than
// kPacingBurstDatagrams.
// The net loop waits for the exact send time, but on a loaded machine it wakes 1-2 ms late: with a burst
// of 8 datagrams that alone held a 1 Gbit/s LAN transfer to ~7 MB/s (DUET_BULK_TRACE showed 9 packets
// in flight against a window of 50-150 KB). 32 base datagrams (38 KB) is still about half of the 64 KiB
// drop-tail queue of the lan profile and a third of Wi-Fi's 125 kB; whole milliseconds at 1 Gbit/s are not.
constexpr Nanos kPacingCatchUp = 2ms;
// Counted in datagrams of the size in use: a path that carries jumbo frames (or loopback) takes 32 of them.
constexpr double kPacingBurstDatagrams = 32.0;
// Every wake-up of the net loop costs a context switch and a service pass (several system calls; on the
// paravirtualised test VM a third of the sender's time went to scheduling and interrupt enabling). At
// high rates the sender therefore sleeps until a few datagrams are due and sends them back to back: at
// most kPacingQuantumTime of data and kMaxPacingQuantum datagrams (19 KB of base ones, under a third of the
// smallest, 64 KiB, queue). In steady state (ProbeBandwidth) it also waits for up to kSteadyQuantum datagrams
// of kSteadyQuantumTime, which covers paths of 1-12 MB/s (4.8 KB, under a millisecond of queue at wan's 6
// MB/s); start-up and slower paths are paced one datagram at a time.
constexpr Nanos kPacingQuantumTime = 200us;
constexpr double kMaxPacingQuantum = 16.0;
constexpr Nanos kSteadyQuantumTime = 1ms;
constexpr double kSteadyQuantum = 4.0;

double seconds(Nanos duration)
{
    return std::chrono::duration<double>(duration).count();
}

// Window while probing after a timeout, in datagrams of the size in use: two probes, no more until the
// path answers.
constexpr std::uint64_t kProbeWindowDatagrams = 2;
// Path MTU probes declared lost that are remembered in case they arrive after all: one search step's.
constexpr std::size_t kRememberedLostProbes = SliceSizeSearch::kAttemptsPerSize;

} // namespace

BulkSender::BulkSender(MonoTime now, BulkSenderConfig config)
    : m_config(config), m_bbr(now, config.seed), m_sliceSize(config.largerSlices),
      m_packetThreshold(kPacketThreshold), m_timeThresholdEighths(kTimeThresholdEighths),
      m_lastAckOrProbe(now), m_deliveredTime(now), m_firstSentTime(now), m_nextSendTime(now)
{
    // The largest message must always fit into an empty buffer.
    m_config.maxBuffered =
        std::max<std::uint64_t>(m_config.maxBuffered, kMaxBulkMessage + kMessagePrefixSize);
}

bool BulkSender::canQueue(std::size_t size) const
{
    return size > 0 && size <= kMaxBulkMessage &&
           bufferedBytes() + size + kMessagePrefixSize <= m_config.maxBuffered &&
           m_writeOffset + size + kMessagePrefixSize <= wire::kMaxBulkStreamOffset;
}

bool BulkSender::queue(wire::ByteSpan message)
{
    if (!canQueue(message.size())) return false;
    Block block;
    block.offset = m_writeOffset;
    block.bytes.reserve(kMessagePrefixSize + message.size());
    const auto size = static_cast<std::uint32_t>(message.size());
    for (std::size_t i = 0; i < kMessagePrefixSize; ++i)
        block.bytes.push_back(static_cast<std::uint8_t>(size >> (8 * i)));
    block.bytes.insert(block.bytes.end(), message.begin(), message.end());
    m_writeOffset += block.bytes.size();
    m_blocks.push_back(std::move(block));
    return true;
}

wire::ByteSpan BulkSender::streamBytes(std::uint64_t offset, std::uint64_t maxLength) const
{
    // Blocks are contiguous and ascending: find the last one starting at or before `offset`.
    auto it = std::upper_bound(m_blocks.begin(), m_blocks.end(), offset,
                               [](std::uint64_t value, const Block& block) { return value < block.offset; });
    if (it == m_blocks.begin()) return {};
    --it;
    const std::uint64_t within = offset - it->offset;
    if (within >= it->bytes.size()) return {};
    const std::uint64_t length = std::min<std::uint64_t>(maxLength, it->bytes.size() - within);
    return wire::ByteSpan(it->bytes).subspan(within, length);
}

std::optional<std::pair<std::uint64_t, std::uint64_t>> BulkSender::nextRetransmission()
{
    while (!m_lost.empty()) {
        const auto range = m_lost.front();
        m_lost.pop_front();
        // A late original may have been acknowledged since the loss was declared.
        if (range.first + range.second <= m_ackedOffset) continue;
        if (m_ackedStream.covers(range.first, range.first + range.second)) continue;
        // A lost probe, or slices from before an outage shrank the size, go again in today's size.
        const std::uint64_t size = m_sliceSize.current();
        if (range.second > size) {
            m_lost.emplace_front(range.first + size, range.second - size);
            return std::pair{range.first, size};
        }
        return range;
    }
    return std::nullopt;
}

std::optional<std::pair<std::uint64_t, std::uint64_t>> BulkSender::nextNewSlice(std::uint64_t size)
{
    if (m_nextOffset >= m_writeOffset) return std::nullopt;
    const wire::ByteSpan bytes = streamBytes(m_nextOffset, size);
    if (bytes.empty()) return std::nullopt;
    const std::pair<std::uint64_t, std::uint64_t> range{m_nextOffset, bytes.size()};
    m_nextOffset += bytes.size();
    return range;
}

std::optional<OutgoingSlice> BulkSender::poll(MonoTime now)
{
    if (!m_inFlight.empty() && now >= m_lastAckOrProbe + backedOffProbeTimeout()) onProbeTimeout(now);
    if (const std::uint64_t lost = detectLosses(now); lost > 0) m_bbr.onTimeoutLoss(lost);
    const std::uint64_t window = sendWindow();
    if (m_bytesInFlight >= window || now < m_nextSendTime) return std::nullopt;

    bool retransmission = true;
    bool probe = false;
    auto range = nextRetransmission();
    if (!range) {
        retransmission = false;
        // A probe carries new data, and only once the path has answered (an RTT sample, no timeout).
        const std::optional<std::uint32_t> probeSize =
            m_smoothedRtt.count() > 0 && !m_afterTimeout ? m_sliceSize.probeDue(now) : std::nullopt;
        const std::uint64_t size = m_sliceSize.current();
        range = nextNewSlice(probeSize.value_or(size));
        probe = probeSize && range && range->second == *probeSize;
        if (range && !probe && range->second > size) {
            // Too little data left in this message for a whole probe: an ordinary slice after all.
            m_nextOffset = range->first + size;
            range->second = size;
        }
    }
    if (!range) {
        // Nothing to send with room in the window: samples taken until this data is acknowledged
        // measure the application, not the path.
        m_appLimitedUntil = std::max<std::uint64_t>(m_delivered + m_bytesInFlight, 1);
        return std::nullopt;
    }
    const wire::ByteSpan data = streamBytes(range->first, range->second);
    if (m_inFlight.empty()) {
        m_firstSentTime = now;
        m_deliveredTime = now;
        m_lastAckOrProbe = now;
    }
    SentPacket packet;
    packet.streamOffset = range->first;
    packet.length = static_cast<std::uint32_t>(data.size());
    packet.sentAt = now;
    packet.deliveredAtSend = m_delivered;
    packet.deliveredTimeAtSend = m_deliveredTime;
    packet.firstSentTimeAtSend = m_firstSentTime;
    packet.appLimited = m_appLimitedUntil > m_delivered;
    const std::uint64_t packetNumber = m_nextPacketNumber++;
    m_inFlight.emplace(packetNumber, packet);
    if (probe) m_sliceSize.onProbeSent(packetNumber, packet.length);
    m_bytesInFlight += data.size();

    const double rate = std::max(m_bbr.pacingRate(), 1.0);
    const auto gap = std::chrono::duration_cast<Nanos>(
        std::chrono::duration<double>(static_cast<double>(data.size()) / rate));
    const Nanos catchUp = std::min(
        kPacingCatchUp, std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(
                            kPacingBurstDatagrams * static_cast<double>(m_sliceSize.current()) / rate)));
    m_nextSendTime = std::max(m_nextSendTime, now - catchUp) + gap;

    ++m_stats.packetsSent;
    m_stats.bytesSent += data.size();
    if (retransmission) m_stats.bytesRetransmitted += data.size();
    return OutgoingSlice{packetNumber, range->first, data, retransmission, probe};
}

std::optional<MonoTime> BulkSender::nextWake(MonoTime now) const
{
    std::optional<MonoTime> wake;
    const auto earliest = [&wake](MonoTime t) { wake = wake ? std::min(*wake, t) : t; };
    if (!m_inFlight.empty()) {
        earliest(m_lastAckOrProbe + backedOffProbeTimeout());
        if (m_largestAcked && m_inFlight.begin()->first < *m_largestAcked)
            earliest(m_inFlight.begin()->second.sentAt + lossDelay());
    }
    const bool hasData = !m_lost.empty() || m_nextOffset < m_writeOffset;
    const std::uint64_t window = sendWindow();
    if (hasData && m_bytesInFlight < window) {
        const double rate = std::max(m_bbr.pacingRate(), 1.0);
        const double perDatagram = static_cast<double>(m_sliceSize.current());
        // In steady state on a path of a few MB/s a wake-up per datagram cost the sender more CPU than the
        // data (wan: 11 s for 256 MiB): there it waits for up to kSteadyQuantum datagrams of 1 ms.
        double quantum = std::floor(rate * seconds(kPacingQuantumTime) / perDatagram);
        if (m_bbr.mode() == Bbr::Mode::ProbeBandwidth)
            quantum =
                std::max(quantum, std::min(kSteadyQuantum,
                                           std::floor(rate * seconds(kSteadyQuantumTime) / perDatagram)));
        quantum = std::clamp(quantum, 1.0, kMaxPacingQuantum);
        // Only while the window has room for the whole quantum: otherwise acks, not time, release data.
        Nanos gather{0};
        if (m_bytesInFlight + static_cast<std::uint64_t>(quantum * perDatagram) <= window)
            gather = std::chrono::duration_cast<Nanos>(
                std::chrono::duration<double>((quantum - 1) * perDatagram / rate));
        earliest(std::max(now, m_nextSendTime + gather));
    }
    return wake;
}

bool BulkSender::onAck(const wire::BulkAck& ack, MonoTime now)
{
    if (ack.ranges.empty() || ack.ranges.front().high >= m_nextPacketNumber) return false;
    std::uint64_t newlyAcked = 0;
    std::optional<std::pair<std::uint64_t, SentPacket>> newest;
    for (const wire::BulkAckRange& range : ack.ranges) {
        for (auto lost = m_declaredLost.lower_bound(range.low);
             lost != m_declaredLost.end() && lost->first <= range.high;) {
            ++m_stats.spuriousLosses;
            if (m_largestAcked)
                m_packetThreshold =
                    std::clamp(*m_largestAcked - lost->first + 1, m_packetThreshold, kMaxPacketThreshold);
            m_timeThresholdEighths = std::min(m_timeThresholdEighths + 1, kMaxTimeThresholdEighths);
            m_bbr.onSpuriousLoss(lost->second);
            lost = m_declaredLost.erase(lost);
        }
        auto it = m_inFlight.lower_bound(range.low);
        while (it != m_inFlight.end() && it->first <= range.high) {
            const SentPacket& packet = it->second;
            if (m_sliceSize.isProbe(it->first)) m_sliceSize.onProbeAcked();
            m_ackedStream.insert(packet.streamOffset, packet.streamOffset + packet.length);
            m_bytesInFlight -= packet.length;
            m_delivered += packet.length;
            newlyAcked += packet.length;
            if (!newest || it->first > newest->first) newest = *it;
            it = m_inFlight.erase(it);
        }
    }
    // A probe declared lost that arrived after all (a path that reorders): its size passes, and its data
    // needs no second copy.
    for (auto lost = m_lostProbes.begin(); lost != m_lostProbes.end();) {
        const std::uint64_t number = lost->packetNumber;
        const bool acked =
            std::any_of(ack.ranges.begin(), ack.ranges.end(), [number](const wire::BulkAckRange& r) {
                return r.low <= number && number <= r.high;
            });
        if (!acked) {
            ++lost;
            continue;
        }
        m_ackedStream.insert(lost->streamOffset, lost->streamOffset + lost->length);
        m_sliceSize.onLateProbeAck(lost->length);
        lost = m_lostProbes.erase(lost);
        releaseAcknowledged();
    }
    if (!newest) return true; // nothing new: a repeated or reordered acknowledgement

    const std::uint64_t largest = ack.ranges.front().high;
    AckSample sample;
    if (newest->first == largest) {
        const auto ackDelay =
            std::min<Nanos>(std::chrono::microseconds(ack.ackDelayMicros), kPeerMaxAckDelay);
        sample.rtt = now - newest->second.sentAt;
        sample.ackDelay = ackDelay;
        updateRtt(sample.rtt, ackDelay);
    }
    if (!m_largestAcked || largest > *m_largestAcked) {
        m_largestAcked = largest;
        m_largestAckedSentAt = newest->second.sentAt;
    }
    const SentPacket& packet = newest->second;
    const Nanos sendElapsed = packet.sentAt - packet.firstSentTimeAtSend;
    const Nanos ackElapsed = now - packet.deliveredTimeAtSend;
    const Nanos interval = std::max(sendElapsed, ackElapsed);
    m_deliveredTime = now;
    m_firstSentTime = packet.sentAt;
    // Intervals shorter than the path's RTT come from compressed acks and overstate the rate.
    if (interval.count() > 0 && interval >= m_bbr.minRtt())
        sample.deliveryRate = static_cast<double>(m_delivered - packet.deliveredAtSend) /
                              std::chrono::duration<double>(interval).count();
    sample.appLimited = packet.appLimited;
    if (m_appLimitedUntil != 0 && m_delivered > m_appLimitedUntil) m_appLimitedUntil = 0;

    if (m_probeCount >= kOutageProbes) m_bbr.onOutageOver();
    m_probeCount = 0;
    m_afterTimeout = false;
    m_lastAckOrProbe = now;
    sample.newlyLost = detectLosses(now);
    sample.delivered = m_delivered;
    sample.priorDelivered = packet.deliveredAtSend;
    sample.newlyAcked = newlyAcked;
    sample.rttVariance = m_rttVariance;
    sample.bytesInFlight = m_bytesInFlight;
    releaseAcknowledged();
    m_bbr.onAck(sample, now);
    return true;
}

void BulkSender::updateRtt(Nanos sample, Nanos ackDelay)
{
    m_latestRtt = sample;
    if (m_smoothedRtt.count() == 0) {
        m_smoothedRtt = sample;
        m_rttVariance = sample / 2;
        return;
    }
    const Nanos minRtt = m_bbr.minRtt().count() > 0 ? m_bbr.minRtt() : sample;
    const Nanos adjusted = sample - ackDelay >= minRtt ? sample - ackDelay : sample;
    const Nanos deviation = m_smoothedRtt > adjusted ? m_smoothedRtt - adjusted : adjusted - m_smoothedRtt;
    m_rttVariance = (3 * m_rttVariance + deviation) / 4;
    m_smoothedRtt = (7 * m_smoothedRtt + adjusted) / 8;
}

Nanos BulkSender::probeTimeout() const
{
    if (m_smoothedRtt.count() == 0) return kInitialProbeTimeout;
    return m_smoothedRtt + std::max(4 * m_rttVariance, kTimerGranularity) + kPeerMaxAckDelay;
}

Nanos BulkSender::backedOffProbeTimeout() const
{
    // Backing off stops at a second between probes, so the end of an outage is noticed within one.
    const Nanos timeout = probeTimeout();
    return std::min(timeout * (std::int64_t{1} << m_probeCount), std::max(timeout, kMaxProbeInterval));
}

Nanos BulkSender::lossDelay() const
{
    return std::max(m_timeThresholdEighths * std::max(m_smoothedRtt, m_latestRtt) / 8, kTimerGranularity);
}

std::uint64_t BulkSender::detectLosses(MonoTime now)
{
    if (!m_largestAcked) return 0;
    const Nanos delay = lossDelay();
    std::uint64_t lost = 0;
    auto it = m_inFlight.begin();
    // Packet numbers and send times both ascend, so the first packet not yet lost ends the scan.
    while (it != m_inFlight.end() && it->first < *m_largestAcked) {
        const bool byCount = *m_largestAcked - it->first >= m_packetThreshold;
        const bool byTime = now - it->second.sentAt >= delay;
        if (!byCount && !byTime) break;
        auto next = std::next(it);
        lost += declareLost(it, now);
        it = next;
    }
    return lost;
}

std::uint64_t BulkSender::declareLost(std::map<std::uint64_t, SentPacket>::iterator it, MonoTime now)
{
    const std::uint64_t packetNumber = it->first;
    const std::uint64_t streamOffset = it->second.streamOffset;
    const std::uint32_t length = it->second.length;
    m_bytesInFlight -= length;
    m_lost.emplace_back(streamOffset, length);
    const bool probe = m_sliceSize.isProbe(packetNumber);
    m_inFlight.erase(it);
    if (probe) {
        // Too large for the path, most likely: that says nothing about congestion.
        m_sliceSize.onProbeLost(now);
        m_lostProbes.push_back(LostProbe{packetNumber, streamOffset, length});
        if (m_lostProbes.size() > kRememberedLostProbes) m_lostProbes.pop_front();
        return 0;
    }
    ++m_stats.packetsLost;
    m_declaredLost.emplace(packetNumber, length);
    if (m_declaredLost.size() > kRememberedLosses) m_declaredLost.erase(m_declaredLost.begin());
    return length;
}

void BulkSender::onProbeTimeout(MonoTime now)
{
    // Everything sent a whole timeout ago has had its chance; the oldest packet always goes.
    const Nanos timeout = probeTimeout();
    std::uint64_t lost = 0;
    bool first = true;
    while (!m_inFlight.empty() && (first || now - m_inFlight.begin()->second.sentAt >= timeout)) {
        lost += declareLost(m_inFlight.begin(), now);
        first = false;
    }
    m_bbr.onTimeoutLoss(lost);
    m_probeCount = std::min(m_probeCount + 1, kMaxProbeBackoff);
    // An outage may be a path that now drops only large datagrams (a black hole after a route change).
    if (m_probeCount == kOutageProbes) m_sliceSize.onOutage(now);
    m_afterTimeout = true;
    m_lastAckOrProbe = now;
    m_nextSendTime = now;
    ++m_stats.probeTimeouts;
}

void BulkSender::releaseAcknowledged()
{
    m_ackedOffset = m_ackedStream.contiguousEnd(m_ackedOffset);
    m_ackedStream.eraseBelow(m_ackedOffset);
    while (!m_blocks.empty() && m_blocks.front().offset + m_blocks.front().bytes.size() <= m_ackedOffset)
        m_blocks.pop_front();
    m_stats.bytesAcknowledged = m_ackedOffset;
}

std::uint64_t BulkSender::sendWindow() const
{
    // cwnd stays in bytes even for jumbo slices: ProbeRtt (kMinCwnd, 4.8 KB) ends only once the bytes in
    // flight fall that low, which one datagram below the window always allows.
    if (m_afterTimeout) return kProbeWindowDatagrams * m_sliceSize.current();
    return m_bbr.cwnd();
}

BulkSenderStats BulkSender::stats() const
{
    BulkSenderStats stats = m_stats;
    stats.smoothedRtt = m_smoothedRtt;
    stats.sliceSize = m_sliceSize.current();
    stats.sizeProbesSent = m_sliceSize.probesSent();
    stats.sizeProbesLost = m_sliceSize.probesLost();
    return stats;
}

} // namespace duet::flow
