#pragma once
// An IPv4 socket address for the net library's own sockets (the bulk socket, the Waker, raw datagrams).
// `networkOrderHost` is as ENet and sockaddr_in keep it; `port` is in host order. Pure.
#include <arpa/inet.h>
#include <cstdint>
#include <netinet/in.h>

namespace duet::net {

inline sockaddr_in ipv4Address(std::uint32_t networkOrderHost, std::uint16_t port)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = networkOrderHost;
    address.sin_port = htons(port);
    return address;
}

} // namespace duet::net
