#pragma once
// The discovery UDP socket: bound to 0.0.0.0:port with address and port reuse so that every Duet instance on
// the machine receives each broadcast and multicast beacon. Sends leave through a chosen interface; receives
// report the arrival interface and the destination address. Non-blocking, move-only, single-threaded.
// Errors are returned as text (open) or as a status (send, receive); nothing throws.
#include "duet/discovery/NetInterfaces.hpp"
#include "duet/wire/Bytes.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace duet::discovery {

struct ReceivedDatagram {
    std::size_t size = 0; // the datagram's full size, which may exceed the buffer it was read into
    Ipv4Address source;
    Ipv4Address destination; // from the IP header: broadcast, multicast group or one of our addresses
    unsigned interfaceIndex = 0;
};

enum class ReceiveStatus : std::uint8_t { Datagram, Empty, Error };

class DiscoverySocket {
public:
    // Returns nullptr and a message naming the failed step when the socket cannot be set up.
    static std::unique_ptr<DiscoverySocket> open(std::uint16_t port, std::string& error);
    ~DiscoverySocket();
    DiscoverySocket(const DiscoverySocket&) = delete;
    DiscoverySocket& operator=(const DiscoverySocket&) = delete;

    int fd() const { return m_fd; }

    bool joinGroup(Ipv4Address group, const NetInterface& iface);
    bool leaveGroup(Ipv4Address group, const NetInterface& iface);
    // One datagram out of `iface`, from its address, to destination:port. False when the kernel refused it.
    bool send(const NetInterface& iface, Ipv4Address destination, std::uint16_t port, wire::ByteSpan payload);
    // Reads one queued datagram into buffer (truncating it; `out.size` tells the real size).
    ReceiveStatus receive(std::span<std::uint8_t> buffer, ReceivedDatagram& out);

private:
    explicit DiscoverySocket(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

} // namespace duet::discovery
