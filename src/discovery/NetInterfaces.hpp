#pragma once
// IPv4 interface enumeration for discovery (getifaddrs), plus the pure helpers the service uses to pick
// where beacons go. Thread-safe (no shared state); errors give an empty list and a message.
#include "duet/discovery/Ipv4Address.hpp"

#include <optional>
#include <string>
#include <vector>

namespace duet::discovery {

// One IPv4 address of one interface; an interface with two addresses gives two entries.
struct NetInterface {
    std::string name;
    unsigned index = 0; // kernel interface index, as reported with each received datagram
    Ipv4Address address;
    Ipv4Address netmask;
    std::optional<Ipv4Address> broadcast; // directed broadcast; none on point-to-point links and /31, /32
    bool loopback = false;
    bool multicast = false; // the interface can send and receive multicast
};

// Interfaces that are up and running, in the order the kernel lists them. Loopback only when asked (tests).
std::vector<NetInterface> listIpv4Interfaces(bool includeLoopback, std::string* error = nullptr);

// Keeps the entries whose name is in allowList; an empty allowList keeps everything.
std::vector<NetInterface> filterByName(std::vector<NetInterface> interfaces,
                                       const std::vector<std::string>& allowList);

// address | ~netmask, or nullopt for /31 and /32, which have no broadcast address.
std::optional<Ipv4Address> directedBroadcast(Ipv4Address address, Ipv4Address netmask);

} // namespace duet::discovery
