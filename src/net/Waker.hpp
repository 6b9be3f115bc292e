#pragma once
// Wakes the net thread out of enet_host_service at once: a 16-byte random token sent with plain sendto
// from a private socket on 127.0.0.1 to the host's own port. The host's intercept hook recognises the
// token (matches()) and swallows the datagram before ENet parses it.
// Thread: wake() from any thread; setTarget(), clearPending() and matches() on the net thread.
// Errors: never throws. If the socket cannot be created, ok() is false and wake() does nothing.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace duet::net {

class Waker {
public:
    static constexpr std::size_t kTokenSize = 16;

    Waker();
    ~Waker();
    Waker(const Waker&) = delete;
    Waker& operator=(const Waker&) = delete;

    bool ok() const { return m_socket >= 0; }
    // The port the host is bound to; wake() is a no-op until it is set.
    void setTarget(std::uint16_t hostPort);
    // Sends one token unless one is already on its way and not yet consumed.
    void wake();
    // Called by the net thread before it drains the command queue, so a later post() sends a new token.
    void clearPending() { m_pending.store(false); }
    // True when a received datagram is our token from our own socket. `fromHost` is in network order.
    bool matches(const std::uint8_t* data, std::size_t size, std::uint32_t fromHost,
                 std::uint16_t fromPort) const;

private:
    int m_socket = -1;
    std::uint16_t m_sourcePort = 0;
    std::array<std::uint8_t, kTokenSize> m_token{};
    std::atomic<std::uint16_t> m_targetPort{0};
    std::atomic<bool> m_pending{false};
};

} // namespace duet::net
