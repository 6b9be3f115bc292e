#include "duet/net/BulkLink.hpp"

#include "duet/flow/BulkSession.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace duet::net {

BulkLink::BulkLink(const crypto::Key32& sendFileKey, const crypto::Key32& receiveFileKey, MonoTime now,
                   std::uint32_t seed, crypto::PacketAead aead, std::vector<std::uint32_t> largerSlices,
                   bool compactData)
    : m_session(std::make_unique<flow::BulkSession>(sendFileKey, receiveFileKey, now, seed, aead,
                                                    std::move(largerSlices), compactData))
{
}

BulkLink::~BulkLink() = default;

crypto::PacketAead BulkLink::aead() const
{
    return m_session->aead();
}

bool BulkLink::queue(wire::Bytes frame, std::uint64_t* queued)
{
    if (frame.empty() || frame.size() > flow::kMaxBulkMessage) return false;
    if (queued != nullptr) m_queued = queued;
    m_waitingBytes += frame.size();
    m_waiting.push_back(std::move(frame));
    feedSender();
    updateQueued();
    return true;
}

void BulkLink::feedSender()
{
    // Order matters: the stream must carry the frames in the order they were handed in.
    while (!m_waiting.empty() && m_session->canQueue(m_waiting.front().size())) {
        m_session->queue(m_waiting.front());
        m_waitingBytes -= m_waiting.front().size();
        m_waiting.pop_front();
    }
}

void BulkLink::updateQueued()
{
    if (m_queued != nullptr) *m_queued = m_waitingBytes + m_session->sender().bufferedBytes();
}

std::optional<wire::Bytes> BulkLink::poll(MonoTime now)
{
    return m_session->poll(now);
}

std::size_t BulkLink::pollInto(MonoTime now, std::span<std::uint8_t> out)
{
    static_assert(kMaxFrame == flow::BulkSession::kMaxFrame);
    return m_session->pollInto(now, out);
}

bool BulkLink::lastWasProbe() const
{
    return m_session->lastWasProbe();
}

bool BulkLink::lastWasCompact() const
{
    return m_session->lastWasCompact();
}

std::optional<MonoTime> BulkLink::nextWake(MonoTime now) const
{
    return m_session->nextWake(now);
}

BulkLink::Verdict BulkLink::onDatagram(std::span<std::uint8_t> datagram, MonoTime now,
                                       std::vector<wire::Bytes>& frames, bool compactData)
{
    const flow::BulkSession::Input input = compactData
                                               ? m_session->onCompactDataInPlace(datagram, now, frames)
                                               : m_session->onFrameInPlace(datagram, now, frames);
    switch (input) {
    case flow::BulkSession::Input::Accepted:
        // An ack may have freed buffer space: refill it and tell the producer.
        feedSender();
        updateQueued();
        return Verdict::Accepted;
    case flow::BulkSession::Input::Dropped:
        ++m_dropped;
        return Verdict::Dropped;
    case flow::BulkSession::Input::Abuse:
        return Verdict::Abuse;
    }
    return Verdict::Abuse;
}

bool BulkLink::idle() const
{
    return m_waiting.empty() && m_session->idle();
}

BulkLinkStats BulkLink::stats() const
{
    const flow::BulkSenderStats sender = m_session->sender().stats();
    BulkLinkStats stats;
    stats.packetsSent = sender.packetsSent;
    stats.bytesRetransmitted = sender.bytesRetransmitted;
    stats.packetsLost = sender.packetsLost;
    stats.probeTimeouts = sender.probeTimeouts;
    stats.duplicatesReceived = m_session->receiver().duplicates();
    stats.droppedDatagrams = m_dropped;
    stats.smoothedRtt = sender.smoothedRtt;
    stats.pacingRate = m_session->sender().congestion().pacingRate();
    const flow::Bbr& bbr = m_session->sender().congestion();
    stats.cwnd = bbr.cwnd();
    stats.bytesInFlight = m_session->sender().bytesInFlight();
    stats.bufferedBytes = m_session->sender().bufferedBytes();
    stats.bytesAcknowledged = sender.bytesAcknowledged;
    stats.bottleneckBandwidth = bbr.bottleneckBandwidth();
    stats.minRtt = bbr.minRtt();
    stats.mode = static_cast<int>(bbr.mode());
    stats.extraAcked = bbr.extraAcked();
    stats.sliceSize = sender.sliceSize;
    stats.sizeProbesSent = sender.sizeProbesSent;
    stats.sizeProbesLost = sender.sizeProbesLost;
    return stats;
}

std::optional<std::string> BulkLink::traceLine(MonoTime now)
{
    static const bool enabled = [] {
        const char* setting = std::getenv("DUET_BULK_TRACE");
        return setting != nullptr && std::strcmp(setting, "1") == 0;
    }();
    if (!enabled || now - m_lastTrace < std::chrono::milliseconds(100)) return std::nullopt;
    const BulkLinkStats s = stats();
    const double elapsed = std::chrono::duration<double>(now - m_lastTrace).count();
    const double acked = static_cast<double>(s.bytesAcknowledged - m_lastTraceAcknowledged);
    m_lastTrace = now;
    m_lastTraceAcknowledged = s.bytesAcknowledged;
    if (acked == 0 && s.bytesInFlight == 0) return std::nullopt;
    char line[384];
    std::snprintf(
        line, sizeof line,
        "bulk: acked %.1f MB/s pace %.1f bw %.1f MB/s cwnd %llu inflight %llu buffered %llu "
        "extra %llu minrtt %.3f srtt %.3f ms mode %d sent %llu lost %llu pto %llu slice %u probes %llu/%llu "
        "aead %s",
        acked / elapsed / 1e6, s.pacingRate / 1e6, s.bottleneckBandwidth / 1e6,
        static_cast<unsigned long long>(s.cwnd), static_cast<unsigned long long>(s.bytesInFlight),
        static_cast<unsigned long long>(s.bufferedBytes), static_cast<unsigned long long>(s.extraAcked),
        std::chrono::duration<double, std::milli>(s.minRtt).count(),
        std::chrono::duration<double, std::milli>(s.smoothedRtt).count(), s.mode,
        static_cast<unsigned long long>(s.packetsSent), static_cast<unsigned long long>(s.packetsLost),
        static_cast<unsigned long long>(s.probeTimeouts), s.sliceSize,
        static_cast<unsigned long long>(s.sizeProbesSent), static_cast<unsigned long long>(s.sizeProbesLost),
        aead() == crypto::PacketAead::Aes256Gcm ? "aes256gcm" : "xchacha20");
    return std::string(line);
}

} // namespace duet::net
