#pragma once
// Batches raw bulk datagrams (PROTOCOL.md §11.8) for one sendmmsg() on ENet's UDP socket: a system call
// per batch instead of one per 1.2 KB datagram (system calls are what a small VM spends most on).
// Thread: the net thread only (the socket is ENet's; this only sends on it). Errors: a datagram the
// kernel refuses (a full socket buffer, an unreachable address) is dropped and counted; the bulk
// transport sees it as lost, as it would any datagram the path drops.
#include <array>
#include <cstddef>
#include <cstdint>
#include <enet/enet.h>
#include <netinet/in.h>
#include <span>
#include <sys/socket.h>

namespace duet::net {

class RawDatagramSender {
public:
    static constexpr std::size_t kBatch = 64;
    static constexpr std::size_t kMaxDatagram = 1400;

    explicit RawDatagramSender(ENetSocket socket) : m_socket(socket) {}

    // The next datagram's buffer: write up to kMaxDatagram bytes there, then commit() them (or not).
    std::span<std::uint8_t> slot() { return m_buffers[m_count]; }
    // Queues the slot's first `size` bytes for `to`; sends the batch when it is full.
    void commit(const ENetAddress& to, std::size_t size);
    // Sends whatever is queued.
    void flush();

    std::uint64_t sent() const { return m_sent; }
    std::uint64_t dropped() const { return m_dropped; }
    std::uint64_t systemCalls() const { return m_calls; }

private:
    ENetSocket m_socket;
    std::size_t m_count = 0;
    std::array<std::array<std::uint8_t, kMaxDatagram>, kBatch> m_buffers{};
    std::array<iovec, kBatch> m_iov{};
    std::array<sockaddr_in, kBatch> m_to{};
    std::array<mmsghdr, kBatch> m_headers{};
    std::uint64_t m_sent = 0;
    std::uint64_t m_dropped = 0;
    std::uint64_t m_calls = 0;
};

} // namespace duet::net
