#include "duet/net/BulkSocket.hpp"

#include "duet/net/SocketAddress.hpp"
#include "duet/wire/Bulk.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <linux/filter.h>
#include <unistd.h>

namespace duet::net {
namespace {

static_assert(std::tuple_size_v<decltype(RawDatagram::bytes)> == wire::kMaxRawBulkDatagram);

bool bindTo(int fd, std::uint16_t port)
{
    const sockaddr_in address = ipv4Address(htonl(INADDR_ANY), port);
    return ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

bool shareable(int fd)
{
    const int on = 1;
    return ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) == 0;
}

// A plain socket (no SO_REUSEPORT) binds only where nothing else is bound, so it tells whether the port is
// free, and for port 0 which free port the kernel picks. Another Duet's shared sockets count as taken.
std::uint16_t probeFreePort(std::uint16_t port, std::string& error)
{
    const int probe = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (probe < 0 || !bindTo(probe, port)) {
        const int cause = errno;
        if (probe >= 0) ::close(probe);
        error = "UDP port " + std::to_string(port) + ": " + std::strerror(cause);
        return 0;
    }
    sockaddr_in bound{};
    socklen_t length = sizeof bound;
    const bool named = ::getsockname(probe, reinterpret_cast<sockaddr*>(&bound), &length) == 0;
    ::close(probe);
    if (!named) {
        error = "cannot read the bound UDP port";
        return 0;
    }
    return ntohs(bound.sin_port);
}

} // namespace

std::uint16_t BulkSocket::bindShared(int enetSocket, std::uint16_t port, std::string& error)
{
    const std::uint16_t chosen = probeFreePort(port, error);
    if (chosen == 0) return 0;
    // Without SO_REUSEPORT (a kernel before 3.9) ENet's socket is bound alone and no bulk socket joins.
    (void)shareable(enetSocket);
    if (!bindTo(enetSocket, chosen)) {
        error = "UDP port " + std::to_string(chosen) + ": " + std::strerror(errno);
        return 0;
    }
    return chosen;
}

std::unique_ptr<BulkSocket> BulkSocket::open(int enetSocket, std::uint16_t port, std::string& why)
{
    // Index 1 of the group (this socket, bound second) for either marker byte (0x7E, 0x7F), else index 0
    // (ENet's). UDP runs the program with the payload at offset 0. An index past the group falls back to
    // the hash, so while this socket is not yet bound everything still goes to ENet.
    static_assert(wire::kRawCompactDataMarker == (wire::kRawBulkMarker | 1));
    static sock_filter program[] = {
        BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
        BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xFE),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, wire::kRawBulkMarker, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, 1),
        BPF_STMT(BPF_RET | BPF_K, 0),
    };
    sock_fprog steering{static_cast<unsigned short>(std::size(program)), program};
    if (::setsockopt(enetSocket, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &steering, sizeof steering) != 0) {
        why = std::string("no reuseport steering: ") + std::strerror(errno);
        return nullptr;
    }
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    const int buffer = 4 << 20;
    // Raw bulk datagrams are also sent from here. They never fragment (DF, and no local fragmenting to a
    // learnt path MTU): a path MTU probe that is too large must be lost, not cut up (PROTOCOL.md §11.9).
    const int probeMtu = IP_PMTUDISC_PROBE;
    if (fd < 0 || !shareable(fd) || ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer) != 0 ||
        ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer) != 0 ||
        ::setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &probeMtu, sizeof probeMtu) != 0 || !bindTo(fd, port)) {
        why = std::string("no bulk socket: ") + std::strerror(errno);
        if (fd >= 0) ::close(fd);
        return nullptr;
    }
    return std::unique_ptr<BulkSocket>(new BulkSocket(fd));
}

BulkSocket::~BulkSocket()
{
    ::close(m_fd);
}

std::size_t BulkSocket::receive(std::span<RawDatagram> out)
{
    std::size_t filled = 0;
    while (filled < out.size()) {
        const std::size_t want = std::min(kBatch, out.size() - filled);
        for (std::size_t i = 0; i < want; ++i) {
            RawDatagram& slot = out[filled + i];
            m_iov[i] = {slot.bytes.data(), slot.bytes.size()};
            m_headers[i] = {};
            m_headers[i].msg_hdr.msg_name = &m_from[i];
            m_headers[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
            m_headers[i].msg_hdr.msg_iov = &m_iov[i];
            m_headers[i].msg_hdr.msg_iovlen = 1;
        }
        const int got =
            ::recvmmsg(m_fd, m_headers.data(), static_cast<unsigned>(want), MSG_DONTWAIT, nullptr);
        if (got <= 0) break; // EAGAIN: nothing more now (errors end the read the same way)
        const std::size_t base = filled;
        for (std::size_t i = 0; i < static_cast<std::size_t>(got); ++i) {
            // A truncated datagram was longer than any bulk frame: not ours, so not kept.
            if ((m_headers[i].msg_hdr.msg_flags & MSG_TRUNC) != 0) continue;
            RawDatagram& slot = out[filled];
            if (filled != base + i)
                std::memcpy(slot.bytes.data(), out[base + i].bytes.data(), m_headers[i].msg_len);
            slot.size = m_headers[i].msg_len;
            slot.fromHost = m_from[i].sin_addr.s_addr;
            slot.fromPort = ntohs(m_from[i].sin_port);
            ++filled;
        }
        if (static_cast<std::size_t>(got) < want) break;
    }
    return filled;
}

} // namespace duet::net
