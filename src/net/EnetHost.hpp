#pragma once
// Owner of the one ENetHost: bound on 0.0.0.0:port with Duet's limits (Limits.hpp), and with an intercept
// hook that swallows the Waker's tokens so a post() ends a blocking service() call at once, and sets
// raw bulk datagrams aside for the net loop.
// Thread: the net thread only; nothing else may call enet_* on this host.
// Errors: bind() returns nullptr and a readable reason; service() treats ENet's -1 (a wake token, an
// oversized datagram, a socket hiccup) as "no event", never as fatal.
#include "duet/core/Clock.hpp"
#include "duet/net/BulkSocket.hpp"
#include "duet/net/Waker.hpp"

#include <array>
#include <enet/enet.h>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace duet::net {

class EnetHost {
public:
    static constexpr std::size_t kMaxRawDatagram = 8972; // wire::kMaxRawBulkDatagram
    static constexpr std::size_t kRawCapture = 256;      // ENet reads at most 256 datagrams per pass

    static std::unique_ptr<EnetHost> bind(std::uint16_t port, const Waker& waker, std::string& error);
    ~EnetHost();
    EnetHost(const EnetHost&) = delete;
    EnetHost& operator=(const EnetHost&) = delete;

    ENetHost* get() const { return m_host; }
    std::uint16_t port() const { return m_port; }

    // Waits up to `timeout` for one event; false on timeout, wake-up or a non-fatal error.
    bool service(ENetEvent& event, Millis timeout);
    // Returns an already queued event without waiting.
    bool nextQueued(ENetEvent& event);
    // Datagrams ENet refused with -1 that were not wake tokens (oversized or socket errors), for the log.
    std::uint64_t rejectedDatagrams() const { return m_rejected; }

    // Dead-peer detection within 8 s; applied as soon as a peer exists, connect attempts included.
    static void setTimeouts(ENetPeer* peer);
    // Applies the per-connection settings Duet uses (timeouts, throttle) to a freshly connected peer.
    static void tunePeer(ENetPeer* peer);
    // Caps how long half-open ENet connections (CONNECT seen, never acknowledged) hold a peer slot.
    void limitHalfOpenPeers();
    // Other protocols served on ENet's socket (STUN answers, hole punches): the filter sees each datagram
    // before ENet does and returns true to swallow it. Runs inside service(), on the net thread.
    using DatagramFilter = std::function<bool(const std::uint8_t*, std::size_t, const ENetAddress&)>;
    void setDatagramFilter(DatagramFilter filter) { m_filter = std::move(filter); }

    // Raw bulk datagrams (PROTOCOL.md §11.8) arrive on the bulk socket, or when the kernel cannot steer
    // them, are copied aside by the intercept during service(). takeRaw() adds what the bulk socket holds
    // to those and returns them all; the next service() call discards what is left.
    std::span<RawDatagram> takeRaw();
    void clearRawDatagrams() { m_rawCount = 0; }
    // The bulk socket's descriptor, to wait on beside ENet's; -1 without one.
    int bulkFd() const { return m_bulkSocket ? m_bulkSocket->fd() : -1; }

private:
    EnetHost(ENetHost* host, std::uint16_t port, const Waker& waker, std::unique_ptr<BulkSocket> bulkSocket);
    static int ENET_CALLBACK intercept(ENetHost* host, ENetEvent* event);

    ENetHost* m_host;
    std::uint16_t m_port;
    const Waker& m_waker;
    bool m_woken = false;
    std::uint64_t m_rejected = 0;
    DatagramFilter m_filter;
    std::unique_ptr<BulkSocket> m_bulkSocket; // null when the kernel cannot steer raw datagrams
    std::vector<RawDatagram> m_raw = std::vector<RawDatagram>(kRawCapture);
    std::size_t m_rawCount = 0;
    bool m_rawFull = false;
};

// "a.b.c.d:port" of an ENet address.
std::string formatAddress(const ENetAddress& address);

} // namespace duet::net
