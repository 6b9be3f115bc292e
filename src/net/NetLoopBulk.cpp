// The net loop's side of the bulk datagram transport (PROTOCOL.md §11): one BulkLink per verified
// connection, its datagrams carried as unsequenced, unreliable ENet packets on kBulkChannel.
#include "duet/net/Limits.hpp"
#include "duet/net/NetLoop.hpp"
#include "duet/wire/Bulk.hpp"
#include "duet/wire/Frame.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <poll.h>

namespace duet::net {
namespace {

// Datagrams one connection may send per loop turn. Pacing decides the real rate; this only keeps one
// busy connection from holding the loop (and chat) for long: 512 datagrams are 0.6-0.7 MB at Ethernet
// sizes (4.6 MB of jumbo ones, on a path that takes them at several hundred MB/s).
constexpr int kMaxDatagramsPerTurn = 512;
static_assert(RawDatagramSender::kMaxDatagram == wire::kMaxRawBulkDatagram);
static_assert(BulkLink::kMaxFrame + wire::kRawBulkHeaderSize == wire::kMaxRawBulkDatagram);

// DUET_BULK=0 keeps chunks on the reliable channel 2 (the pre-bulk path), for comparisons.
bool bulkEnabled()
{
    const char* setting = std::getenv("DUET_BULK");
    return setting == nullptr || std::strcmp(setting, "0") != 0;
}

} // namespace

void NetLoop::startBulk(Connection& connection)
{
    if (!connection.session || connection.closing || !bulkEnabled()) return;
    // A peer that negotiated fewer channels (an older build) keeps the reliable channel 2.
    if (connection.peer->channelCount <= kBulkChannel) return;
    const crypto::SessionKeys& keys = connection.session->keys();
    std::uint32_t seed = 0;
    m_random.fill(std::span(reinterpret_cast<std::uint8_t*>(&seed), sizeof seed));
    const crypto::PacketAead aead =
        (connection.session->sharedCapabilities() & wire::kCapabilityBulkAesGcm) != 0
            ? crypto::PacketAead::Aes256Gcm
            : crypto::PacketAead::XChaCha20Poly1305;
    const std::uint32_t shared = connection.session->sharedCapabilities();
    connection.rawBulk = (shared & wire::kCapabilityRawBulk) != 0;
    connection.compactBulk = connection.rawBulk && (shared & wire::kCapabilityCompactBulk) != 0;
    // Ethernet's 1,500 bytes, then jumbo frames (and loopback): each only after a probe of it arrived.
    std::vector<std::uint32_t> largerSlices;
    if (connection.rawBulk && (shared & wire::kCapabilityLargeBulk) != 0)
        for (const std::size_t packet : {1500, 9000})
            largerSlices.push_back(
                static_cast<std::uint32_t>(wire::rawBulkSliceFor(packet, connection.compactBulk)));
    const bool probing = !largerSlices.empty();
    connection.bulk = std::make_unique<BulkLink>(keys.send.file, keys.receive.file, m_clock.now(), seed, aead,
                                                 std::move(largerSlices), connection.compactBulk);
    std::cerr << "duet: " << connection.address << ": bulk transport "
              << (connection.rawBulk ? "in raw datagrams beside ENet" : "on ENet channel 3") << ", "
              << (aead == crypto::PacketAead::Aes256Gcm ? "AES-256-GCM" : "XChaCha20-Poly1305")
              << (connection.compactBulk ? ", compact data" : "")
              << (probing ? ", probing the path for larger datagrams" : "") << '\n';
}

void NetLoop::takeRawBulk()
{
    const ENetHost* host = m_host->get();
    for (RawDatagram& datagram : m_host->takeRaw()) {
        const wire::Result<wire::RawBulkView> raw =
            wire::decodeRawBulk(wire::ByteSpan(datagram.bytes.data(), datagram.size));
        if (!raw || raw->header.peerIndex >= host->peerCount) continue;
        // The same checks ENet applies to its own datagrams: a live peer slot, its session, its address.
        ENetPeer* peer = &host->peers[raw->header.peerIndex];
        if (peer->state != ENET_PEER_STATE_CONNECTED || peer->incomingSessionID != raw->header.session ||
            peer->address.host != datagram.fromHost || peer->address.port != datagram.fromPort)
            continue;
        Connection* connection = find(peer);
        // Only a peer that negotiated raw bulk sends it; anything else is noise, never a strike.
        if (connection == nullptr || connection->closing || !connection->rawBulk) continue;
        connection->bytesIn += datagram.size;
        onBulkDatagram(*connection,
                       std::span(datagram.bytes).subspan(wire::kRawBulkHeaderSize, raw->frame.size()),
                       raw->header.compactData);
    }
    m_host->clearRawDatagrams();
}

void NetLoop::onBulkDatagram(Connection& connection, std::span<std::uint8_t> datagram, bool compactData)
{
    // Before verification (or with bulk off) nobody may send here; such packets are only noise.
    if (!connection.bulk || !connection.session || !connection.session->verified()) return;
    std::vector<wire::Bytes> frames;
    const BulkLink::Verdict verdict =
        connection.bulk->onDatagram(datagram, m_clock.now(), frames, compactData);
    if (verdict == BulkLink::Verdict::Abuse) {
        std::cerr << "duet: closing " << connection.address << ": bulk transport abuse\n";
        return closeConnection(
            connection, {wire::CloseReason::ProtocolError, "bulk transport abuse", "bulk transport abuse"},
            Millis{1000});
    }
    // Completed chunk frames reach the transfer layer as chunks of channel 2 do, so resume and the
    // abuse strikes of the transfer layer are unchanged.
    for (const wire::Bytes& frame : frames) {
        if (connection.closing) return;
        // The stream carries chunk frames only (§11.2); anything else is a broken or hostile peer.
        const wire::Result<wire::FrameView> decoded = wire::decodeFrame(frame);
        const bool chunk = decoded && (decoded->type == wire::FrameType::Chunk ||
                                       decoded->type == wire::FrameType::StreamChunk);
        if (!chunk)
            return closeConnection(
                connection, {wire::CloseReason::ProtocolError, "bulk stream abuse", "bulk transport abuse"},
                Millis{1000});
        if (decoded->type == wire::FrameType::StreamChunk) {
            // Already opened with the datagrams that carried it: no second cipher pass.
            if (m_transfers) m_transfers->onStreamChunk(connection.id, decoded->body);
            continue;
        }
        withSession(connection, [&frame](Session& session, SessionActions& out) {
            session.onPacket(kDataChannel, frame, out);
        });
    }
}

void NetLoop::pumpBulk()
{
    const MonoTime now = m_clock.now();
    bool sent = false;
    for (auto& [id, connection] : m_connections) {
        if (!connection.bulk || connection.closing) continue;
        wire::RawBulkHeader header{connection.peer->outgoingSessionID, connection.peer->outgoingPeerID,
                                   false};
        for (int i = 0; i < kMaxDatagramsPerTurn; ++i) {
            if (connection.rawBulk) {
                // Sealed straight into the datagram batch: no copy, no allocation per packet.
                const std::span<std::uint8_t> slot = m_rawSender->slot();
                const std::size_t size =
                    connection.bulk->pollInto(now, slot.subspan(wire::kRawBulkHeaderSize));
                if (size == 0) break;
                header.compactData = connection.bulk->lastWasCompact();
                wire::writeRawBulkHeader(header, slot.data());
                m_rawSender->commit(connection.peer->address, wire::kRawBulkHeaderSize + size,
                                    connection.bulk->lastWasProbe());
                connection.bytesOut += wire::kRawBulkHeaderSize + size;
                continue;
            }
            std::optional<wire::Bytes> frame = connection.bulk->poll(now);
            if (!frame) break;
            // Unsequenced without the reliable flag: ENet neither orders, retries nor (throttle pinned
            // in EnetHost::tunePeer) drops it; the bulk transport does all three itself.
            ENetPacket* packet =
                enet_packet_create(frame->data(), frame->size(), ENET_PACKET_FLAG_UNSEQUENCED);
            if (packet == nullptr) break;
            if (enet_peer_send(connection.peer, kBulkChannel, packet) != 0) {
                enet_packet_destroy(packet);
                break; // counted as lost by the sender's timers, like any datagram the path drops
            }
            connection.bytesOut += frame->size();
            sent = true;
        }
        if (const std::optional<std::string> line = connection.bulk->traceLine(now))
            std::cerr << "duet: " << connection.address << ' ' << *line << '\n';
    }
    m_rawSender->flush();
    // Out now rather than at the next service call, which may be a millisecond away.
    if (sent) enet_host_flush(m_host->get());
}

Millis NetLoop::waitForPacing(Millis timeout)
{
    const MonoTime now = m_clock.now();
    const std::optional<MonoTime> wake = bulkWake(now);
    if (timeout.count() == 0 || !wake || *wake >= now + timeout) return timeout;
    // ENet waits in whole milliseconds; pacing gaps at LAN rates are tens of microseconds.
    if (*wake > now) waitOnHostSocket(*wake - now);
    return Millis{0};
}

Millis NetLoop::waitForRawBulk(Millis timeout)
{
    const bool rawPossible = std::any_of(m_connections.begin(), m_connections.end(), [](const auto& entry) {
        return entry.second.rawBulk && !entry.second.closing;
    });
    if (timeout.count() == 0 || !rawPossible) return timeout;
    waitOnHostSocket(timeout);
    return Millis{0};
}

void NetLoop::waitOnHostSocket(std::chrono::nanoseconds gap)
{
    // ENet's socket also receives the Waker's tokens, so a packet or a command still ends the wait.
    enet_host_flush(m_host->get());
    const timespec wait{static_cast<std::time_t>(gap.count() / 1'000'000'000),
                        static_cast<long>(gap.count() % 1'000'000'000)};
    pollfd fds[2] = {{m_host->get()->socket, POLLIN, 0}, {m_host->bulkFd(), POLLIN, 0}};
    if (::ppoll(fds, m_host->bulkFd() >= 0 ? 2 : 1, &wait, nullptr) < 0 && errno != EINTR)
        std::cerr << "duet: ppoll failed: " << errno << '\n';
}

std::optional<MonoTime> NetLoop::bulkWake(MonoTime now) const
{
    std::optional<MonoTime> wake;
    for (const auto& [id, connection] : m_connections) {
        if (!connection.bulk || connection.closing) continue;
        if (const std::optional<MonoTime> at = connection.bulk->nextWake(now))
            wake = wake ? std::min(*wake, *at) : *at;
    }
    return wake;
}

} // namespace duet::net
