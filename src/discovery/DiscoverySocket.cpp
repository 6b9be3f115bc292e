#include "duet/discovery/DiscoverySocket.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace duet::discovery {
namespace {

in_addr toInAddr(Ipv4Address address)
{
    in_addr result{};
    result.s_addr = htonl(address.hostOrder);
    return result;
}

bool setIntOption(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof value) == 0;
}

} // namespace

std::unique_ptr<DiscoverySocket> DiscoverySocket::open(std::uint16_t port, std::string& error)
{
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = std::string("socket: ") + std::strerror(errno);
        return nullptr;
    }
    std::unique_ptr<DiscoverySocket> result(new DiscoverySocket(fd));
    struct Option {
        int level;
        int name;
        int value;
        const char* label;
    };
    const Option options[] = {
        // Both reuse flags: every instance bound to the port gets its own copy of each broadcast and
        // multicast datagram (unicast would reach only one of them, which is why we never rely on it).
        {SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR"},
        {SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT"},
        {SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST"},
        {IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO"},
        {IPPROTO_IP, IP_MULTICAST_LOOP, 1, "IP_MULTICAST_LOOP"},
        // Beacons are for the local link only; a router must never forward them.
        {IPPROTO_IP, IP_MULTICAST_TTL, 1, "IP_MULTICAST_TTL"},
        // Linux otherwise delivers multicast for groups joined by any socket on the host to this port.
        {IPPROTO_IP, IP_MULTICAST_ALL, 0, "IP_MULTICAST_ALL"},
    };
    for (const Option& option : options) {
        if (!setIntOption(fd, option.level, option.name, option.value)) {
            error = std::string(option.label) + ": " + std::strerror(errno);
            return nullptr;
        }
    }
    sockaddr_in bindAddress{};
    bindAddress.sin_family = AF_INET;
    bindAddress.sin_port = htons(port);
    bindAddress.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(fd, reinterpret_cast<const sockaddr*>(&bindAddress), sizeof bindAddress) != 0) {
        error = "bind 0.0.0.0:" + std::to_string(port) + ": " + std::strerror(errno);
        return nullptr;
    }
    return result;
}

DiscoverySocket::~DiscoverySocket()
{
    if (m_fd >= 0) ::close(m_fd);
}

bool DiscoverySocket::joinGroup(Ipv4Address group, const NetInterface& iface)
{
    ip_mreqn request{};
    request.imr_multiaddr = toInAddr(group);
    request.imr_address = toInAddr(iface.address);
    request.imr_ifindex = static_cast<int>(iface.index);
    return setsockopt(m_fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &request, sizeof request) == 0;
}

bool DiscoverySocket::leaveGroup(Ipv4Address group, const NetInterface& iface)
{
    ip_mreqn request{};
    request.imr_multiaddr = toInAddr(group);
    request.imr_address = toInAddr(iface.address);
    request.imr_ifindex = static_cast<int>(iface.index);
    return setsockopt(m_fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &request, sizeof request) == 0;
}

bool DiscoverySocket::send(const NetInterface& iface, Ipv4Address destination, std::uint16_t port,
                           wire::ByteSpan payload)
{
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr = toInAddr(destination);

    iovec data{const_cast<std::uint8_t*>(payload.data()), payload.size()};
    // IP_PKTINFO picks the outgoing interface and source address per datagram: without it 255.255.255.255
    // and the multicast group would leave only through the default route's interface.
    alignas(cmsghdr) unsigned char control[CMSG_SPACE(sizeof(in_pktinfo))] = {};
    msghdr message{};
    message.msg_name = &to;
    message.msg_namelen = sizeof to;
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = IPPROTO_IP;
    header->cmsg_type = IP_PKTINFO;
    header->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
    in_pktinfo info{};
    info.ipi_ifindex = static_cast<int>(iface.index);
    info.ipi_spec_dst = toInAddr(iface.address);
    std::memcpy(CMSG_DATA(header), &info, sizeof info);

    for (int attempt = 0; attempt < 2; ++attempt) {
        const ssize_t sent = sendmsg(m_fd, &message, MSG_NOSIGNAL);
        if (sent == static_cast<ssize_t>(payload.size())) return true;
        if (sent < 0 && errno == EINTR) continue;
        return false;
    }
    return false;
}

ReceiveStatus DiscoverySocket::receive(std::span<std::uint8_t> buffer, ReceivedDatagram& out)
{
    sockaddr_in from{};
    iovec data{buffer.data(), buffer.size()};
    alignas(cmsghdr) unsigned char control[CMSG_SPACE(sizeof(in_pktinfo))] = {};
    msghdr message{};
    message.msg_name = &from;
    message.msg_namelen = sizeof from;
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;

    ssize_t received = -1;
    for (int attempt = 0; attempt < 2; ++attempt) {
        // MSG_TRUNC makes the kernel report the datagram's real length even though it is cut to the buffer.
        received = recvmsg(m_fd, &message, MSG_TRUNC);
        if (received >= 0 || errno != EINTR) break;
    }
    if (received < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? ReceiveStatus::Empty : ReceiveStatus::Error;

    out = ReceivedDatagram{};
    out.size = static_cast<std::size_t>(received);
    out.source = Ipv4Address{ntohl(from.sin_addr.s_addr)};
    for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
         header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != IPPROTO_IP || header->cmsg_type != IP_PKTINFO) continue;
        in_pktinfo info{};
        std::memcpy(&info, CMSG_DATA(header), sizeof info);
        out.interfaceIndex = static_cast<unsigned>(info.ipi_ifindex);
        out.destination = Ipv4Address{ntohl(info.ipi_addr.s_addr)};
    }
    return ReceiveStatus::Datagram;
}

} // namespace duet::discovery
