#include "duet/net/Waker.hpp"

#include "duet/crypto/Random.hpp"
#include "duet/net/SocketAddress.hpp"
#include "duet/wire/Bulk.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace duet::net {
namespace {

sockaddr_in loopback(std::uint16_t port)
{
    return ipv4Address(htonl(INADDR_LOOPBACK), port);
}

} // namespace

Waker::Waker()
{
    crypto::SystemRandom().fill(m_token);
    // The kernel steers datagrams that start with the raw bulk marker away from ENet's socket (BulkSocket).
    if (m_token[0] == wire::kRawBulkMarker) m_token[0] = wire::kRawBulkMarker + 1;
    m_socket = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (m_socket < 0) return;
    // Bound to a known loopback port so the intercept can also check where a token came from.
    sockaddr_in address = loopback(0);
    socklen_t length = sizeof address;
    if (::bind(m_socket, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(m_socket, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(m_socket);
        m_socket = -1;
        return;
    }
    m_sourcePort = ntohs(address.sin_port);
}

Waker::~Waker()
{
    if (m_socket >= 0) ::close(m_socket);
}

void Waker::setTarget(std::uint16_t hostPort)
{
    m_targetPort.store(hostPort);
}

void Waker::wake()
{
    const std::uint16_t port = m_targetPort.load();
    if (m_socket < 0 || port == 0) return;
    if (m_pending.exchange(true)) return;
    const sockaddr_in target = loopback(port);
    // Non-blocking: if the loopback buffer is full the host is busy anyway and will drain commands soon.
    (void)::sendto(m_socket, m_token.data(), m_token.size(), MSG_NOSIGNAL,
                   reinterpret_cast<const sockaddr*>(&target), sizeof target);
}

bool Waker::matches(const std::uint8_t* data, std::size_t size, std::uint32_t fromHost,
                    std::uint16_t fromPort) const
{
    return size == kTokenSize && fromHost == htonl(INADDR_LOOPBACK) && fromPort == m_sourcePort &&
           std::memcmp(data, m_token.data(), kTokenSize) == 0;
}

} // namespace duet::net
