#include "duet/discovery/NetInterfaces.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

namespace duet::discovery {
namespace {

Ipv4Address fromSockaddr(const sockaddr* address)
{
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return Ipv4Address{ntohl(v4->sin_addr.s_addr)};
}

} // namespace

std::optional<Ipv4Address> directedBroadcast(Ipv4Address address, Ipv4Address netmask)
{
    const std::uint32_t hostBits = ~netmask.hostOrder;
    if (hostBits <= 1) return std::nullopt;
    return Ipv4Address{address.hostOrder | hostBits};
}

std::vector<NetInterface> listIpv4Interfaces(bool includeLoopback, std::string* error)
{
    std::vector<NetInterface> result;
    ifaddrs* head = nullptr;
    if (getifaddrs(&head) != 0) {
        if (error) *error = std::string("getifaddrs: ") + std::strerror(errno);
        return result;
    }
    for (const ifaddrs* entry = head; entry != nullptr; entry = entry->ifa_next) {
        if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET) continue;
        if (entry->ifa_netmask == nullptr) continue;
        const unsigned flags = entry->ifa_flags;
        // RUNNING as well as UP: an interface without carrier would only turn every send into an error.
        if ((flags & IFF_UP) == 0 || (flags & IFF_RUNNING) == 0) continue;
        const bool loopback = (flags & IFF_LOOPBACK) != 0;
        if (loopback && !includeLoopback) continue;

        NetInterface iface;
        iface.name = entry->ifa_name;
        iface.index = if_nametoindex(entry->ifa_name);
        if (iface.index == 0) continue; // vanished between the two calls
        iface.address = fromSockaddr(entry->ifa_addr);
        iface.netmask = fromSockaddr(entry->ifa_netmask);
        iface.loopback = loopback;
        iface.multicast = (flags & IFF_MULTICAST) != 0;
        const bool hasBroadcast = (flags & IFF_BROADCAST) != 0;
        const std::optional<Ipv4Address> configured =
            hasBroadcast && entry->ifa_broadaddr != nullptr && entry->ifa_broadaddr->sa_family == AF_INET
                ? std::optional(fromSockaddr(entry->ifa_broadaddr))
                : std::nullopt;
        if (configured && configured->hostOrder != 0 && *configured != iface.address) {
            iface.broadcast = configured;
        } else if (hasBroadcast || loopback) {
            // An address added without "brd" comes back with its own address (glibc) or 0.0.0.0 as broadcast,
            // yet the kernel still treats address | ~mask as the subnet broadcast. So does lo, which has no
            // IFF_BROADCAST, for 127.255.255.255: that lets instances on one machine see each other in tests.
            iface.broadcast = directedBroadcast(iface.address, iface.netmask);
        }
        result.push_back(std::move(iface));
    }
    freeifaddrs(head);
    return result;
}

std::vector<NetInterface> filterByName(std::vector<NetInterface> interfaces,
                                       const std::vector<std::string>& allowList)
{
    if (allowList.empty()) return interfaces;
    std::erase_if(interfaces, [&](const NetInterface& iface) {
        return std::find(allowList.begin(), allowList.end(), iface.name) == allowList.end();
    });
    return interfaces;
}

} // namespace duet::discovery
