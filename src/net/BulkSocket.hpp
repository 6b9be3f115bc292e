#pragma once
// The kernel's half of raw bulk reception (PROTOCOL.md §11.8): a second UDP socket on ENet's port, in one
// SO_REUSEPORT group with ENet's socket, and a classic BPF program on the group that steers datagrams
// starting with the raw bulk marker to it. The net loop reads those in batches (recvmmsg) instead of ENet
// reading every datagram with a system call of its own; everything else still reaches ENet. Raw bulk
// datagrams are sent from it too, with the don't-fragment bit and no local fragmentation.
// Thread: the net thread. Errors: bindShared() and open() return false / nullptr with a reason (an old
// kernel, no BPF); the ENet intercept then still sets raw datagrams aside, one read each.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <netinet/in.h>
#include <span>
#include <string>
#include <sys/socket.h>

namespace duet::net {

// One raw bulk datagram as received; `fromHost` in network order, `fromPort` in host order.
struct RawDatagram {
    std::uint32_t fromHost = 0;
    std::uint16_t fromPort = 0;
    std::size_t size = 0;
    std::array<std::uint8_t, 8972> bytes{}; // wire::kMaxRawBulkDatagram; longer ones are not ours
};

class BulkSocket {
public:
    // Binds `enetSocket` (created unbound) to 0.0.0.0:`port` as the first member of a SO_REUSEPORT
    // group, after checking with a plain socket that no other program holds the port (port 0: picks a
    // free one). Returns the bound port, 0 with `error` set when the port cannot be had.
    static std::uint16_t bindShared(int enetSocket, std::uint16_t port, std::string& error);
    // Joins the group of `enetSocket` (bound by bindShared) on `port` and steers raw bulk datagrams here.
    static std::unique_ptr<BulkSocket> open(int enetSocket, std::uint16_t port, std::string& why);
    ~BulkSocket();
    BulkSocket(const BulkSocket&) = delete;
    BulkSocket& operator=(const BulkSocket&) = delete;

    int fd() const { return m_fd; }
    // Reads what is waiting, without blocking, into `out`; returns how many datagrams it filled.
    std::size_t receive(std::span<RawDatagram> out);

private:
    static constexpr std::size_t kBatch = 64;
    explicit BulkSocket(int fd) : m_fd(fd) {}
    int m_fd;
    std::array<mmsghdr, kBatch> m_headers{};
    std::array<iovec, kBatch> m_iov{};
    std::array<sockaddr_in, kBatch> m_from{};
};

} // namespace duet::net
