#include "duet/net/EnetHost.hpp"

#include "duet/net/Limits.hpp"
#include "duet/wire/Bulk.hpp"

#include <cerrno>
#include <cstring>
#include <iostream>
#include <mutex>

namespace duet::net {
namespace {

static_assert(EnetHost::kMaxRawDatagram == wire::kMaxRawBulkDatagram);

// ENet's intercept hook receives only the ENetHost, which has no user-data field; the host being
// serviced on this thread is published here for the duration of the call.
thread_local EnetHost* t_servicing = nullptr;

bool initializeEnetOnce()
{
    static std::once_flag once;
    static bool ok = false;
    std::call_once(once, [] { ok = enet_initialize() == 0; });
    return ok;
}

// Dead-peer detection: ENet declares a peer gone once a reliable command stays unacknowledged for
// 3 s after ~5 doublings of its retransmission timeout, and in any case after 8 s.
constexpr enet_uint32 kTimeoutMinimumMs = 3000;
constexpr enet_uint32 kTimeoutMaximumMs = 8000;
// ENet checks timeouts only when a retransmission is due; VERIFY_CONNECT goes out at 0, 0.5, 1.5 and
// 3.5 s, so a 3 s limit drops a half-open peer at the 3.5 s tick, inside the 5 s handshake budget.
constexpr enet_uint32 kHalfOpenTimeoutMs = 3000;
constexpr int kSocketBufferBytes = 4 << 20;

} // namespace

std::string formatAddress(const ENetAddress& address)
{
    char ip[64] = {};
    if (enet_address_get_host_ip(&address, ip, sizeof ip) != 0) std::strcpy(ip, "?");
    return std::string(ip) + ":" + std::to_string(address.port);
}

std::unique_ptr<EnetHost> EnetHost::bind(std::uint16_t port, const Waker& waker, std::string& error)
{
    if (!initializeEnetOnce()) {
        error = "ENet could not be initialised";
        return nullptr;
    }
    // Created unbound (a null address), then bound here as the first of a SO_REUSEPORT group, so the
    // bulk socket can share its port (BulkSocket).
    errno = 0;
    ENetHost* host = enet_host_create(nullptr, kMaxPeers, kChannelCount, 0, 0);
    if (host == nullptr) {
        const int cause = errno;
        error = "UDP port " + std::to_string(port) + ": " +
                (cause != 0 ? std::string(std::strerror(cause)) : std::string("no socket"));
        return nullptr;
    }
    const std::uint16_t bound = BulkSocket::bindShared(host->socket, port, error);
    if (bound == 0) {
        enet_host_destroy(host);
        return nullptr;
    }
    std::string why;
    std::unique_ptr<BulkSocket> bulkSocket = BulkSocket::open(host->socket, bound, why);
    if (!bulkSocket) std::cerr << "duet: raw bulk datagrams are read through ENet (" << why << ")\n";
    // ENet 1.3.17 has no MTU API: set the host's and every peer slot's value directly (recipes §4).
    host->mtu = kMtu;
    for (std::size_t i = 0; i < host->peerCount; ++i)
        host->peers[i].mtu = kMtu;
    // Bulk datagrams arrive in paced bursts of up to a millisecond or two; ENet's 256 KiB default
    // buffers overflow at gigabit rates while the loop is busy. The kernel caps this at rmem_max.
    enet_socket_set_option(host->socket, ENET_SOCKOPT_RCVBUF, kSocketBufferBytes);
    enet_socket_set_option(host->socket, ENET_SOCKOPT_SNDBUF, kSocketBufferBytes);
    host->maximumPacketSize = kMaxPacketSize;
    host->maximumWaitingData = kMaxWaitingData;
    host->duplicatePeers = kMaxConnectionsPerIp;
    host->intercept = &EnetHost::intercept;
    return std::unique_ptr<EnetHost>(new EnetHost(host, bound, waker, std::move(bulkSocket)));
}

EnetHost::EnetHost(ENetHost* host, std::uint16_t port, const Waker& waker,
                   std::unique_ptr<BulkSocket> bulkSocket)
    : m_host(host), m_port(port), m_waker(waker), m_bulkSocket(std::move(bulkSocket))
{
}

std::span<RawDatagram> EnetHost::takeRaw()
{
    if (m_bulkSocket) m_rawCount += m_bulkSocket->receive(std::span(m_raw).subspan(m_rawCount));
    return {m_raw.data(), m_rawCount};
}

EnetHost::~EnetHost()
{
    enet_host_destroy(m_host);
}

int ENET_CALLBACK EnetHost::intercept(ENetHost* host, ENetEvent*)
{
    EnetHost* self = t_servicing;
    if (self == nullptr || self->m_host != host) return 0;
    if (!self->m_waker.matches(host->receivedData, host->receivedDataLength, host->receivedAddress.host,
                               host->receivedAddress.port)) {
        const std::size_t size = host->receivedDataLength;
        if (size > 0 && wire::isRawBulkMarker(host->receivedData[0]) && size <= kMaxRawDatagram) {
            RawDatagram& slot = self->m_raw[self->m_rawCount++];
            slot.fromHost = host->receivedAddress.host;
            slot.fromPort = host->receivedAddress.port;
            slot.size = size;
            std::memcpy(slot.bytes.data(), host->receivedData, size);
            if (self->m_rawCount < kRawCapture) return 1;
            // Full: end this service call; the rest waits in the socket until the loop took these.
            self->m_rawFull = true;
            return -1;
        }
        // 1: consumed; ENet goes on reading the next datagram.
        const bool swallowed = self->m_filter && self->m_filter(host->receivedData, host->receivedDataLength,
                                                                host->receivedAddress);
        return swallowed ? 1 : 0;
    }
    // Returning 1 would only make ENet read the next datagram and keep waiting; -1 ends the service
    // call now, which is the point of the token.
    self->m_woken = true;
    return -1;
}

bool EnetHost::service(ENetEvent& event, Millis timeout)
{
    const auto ms = static_cast<enet_uint32>(timeout.count() < 0 ? 0 : timeout.count());
    t_servicing = this;
    m_woken = false;
    m_rawFull = false;
    m_rawCount = 0;
    const int result = enet_host_service(m_host, &event, ms);
    t_servicing = nullptr;
    if (result < 0 && !m_woken && !m_rawFull) ++m_rejected;
    return result > 0;
}

bool EnetHost::nextQueued(ENetEvent& event)
{
    return enet_host_check_events(m_host, &event) > 0;
}

void EnetHost::setTimeouts(ENetPeer* peer)
{
    enet_peer_timeout(peer, 0, kTimeoutMinimumMs, kTimeoutMaximumMs);
}

void EnetHost::tunePeer(ENetPeer* peer)
{
    setTimeouts(peer);
    // Pin the throttle: ENet would otherwise shrink the reliable window whenever the RTT wobbles
    // (recipes §4), which only hurts a link that carries nothing but reliable traffic.
    enet_peer_throttle_configure(peer, 5000, ENET_PEER_PACKET_THROTTLE_SCALE, 0);
    // Over loopback nothing fragments below 64 KiB: let ENet pack up to its largest datagram (several
    // bulk datagrams per send and per receive, a third of the system calls). ENet's receive buffer is
    // exactly that size on every build, and the MTU is only a sender's choice, so the peer needs nothing.
    if ((ENET_NET_TO_HOST_32(peer->address.host) >> 24) == 127) peer->mtu = ENET_PROTOCOL_MAXIMUM_MTU;
}

void EnetHost::limitHalfOpenPeers()
{
    for (std::size_t i = 0; i < m_host->peerCount; ++i) {
        ENetPeer& peer = m_host->peers[i];
        if (peer.state == ENET_PEER_STATE_ACKNOWLEDGING_CONNECT && peer.timeoutMaximum > kHalfOpenTimeoutMs)
            enet_peer_timeout(&peer, 0, kHalfOpenTimeoutMs, kHalfOpenTimeoutMs);
    }
}

} // namespace duet::net
