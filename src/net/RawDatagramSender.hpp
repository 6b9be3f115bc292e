#pragma once
// Batches raw bulk datagrams (PROTOCOL.md §11.8) for one sendmmsg() on ENet's UDP socket: a system call
// per batch instead of one per 1.2 KB datagram, and where the kernel can, runs of equal-sized datagrams
// to one peer as single UDP_SEGMENT (GSO) messages, one pass through the network stack per run.
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
    static constexpr std::size_t kMaxDatagram = 8972; // wire::kMaxRawBulkDatagram

    explicit RawDatagramSender(ENetSocket socket) : m_socket(socket) {}

    // The next datagram's buffer: write up to kMaxDatagram bytes there, then commit() them (or not).
    std::span<std::uint8_t> slot() { return m_buffers[m_count]; }
    // Queues the slot's first `size` bytes for `to`; sends the batch when it is full. An `alone` datagram
    // (a path MTU probe, which the kernel may refuse as too large) never shares a segmented message.
    void commit(const ENetAddress& to, std::size_t size, bool alone = false);
    // Sends whatever is queued.
    void flush();

    std::uint64_t sent() const { return m_sent; }
    std::uint64_t dropped() const { return m_dropped; }
    std::uint64_t systemCalls() const { return m_calls; }
    std::uint64_t segmentedRuns() const { return m_segmentedRuns; }
    // False once the kernel refused a segmented send (then every datagram goes on its own).
    bool segmentation() const { return m_segmentation; }
    // For tests and comparisons (DUET_GSO=0): send every datagram on its own.
    void disableSegmentation() { m_segmentation = false; }

private:
    // Linux accepts at most 64 segments per message, and a message is at most one UDP datagram's size.
    static constexpr std::size_t kMaxSegments = 64;
    static constexpr std::size_t kMaxSegmentedBytes = 65000;
    // The largest UDP payload of a 1,500-byte IPv4 packet: any interface that segments takes it.
    static constexpr std::size_t kEthernetDatagram = 1472;
    struct Group {
        std::size_t first = 0;
        std::size_t count = 0;
        alignas(cmsghdr) std::array<std::uint8_t, CMSG_SPACE(sizeof(std::uint16_t))> control{};
    };
    void sendSegmented();
    void sendEach(std::size_t from);
    static bool sameAddress(const sockaddr_in& a, const sockaddr_in& b);

    ENetSocket m_socket;
    std::size_t m_count = 0;
    std::array<std::array<std::uint8_t, kMaxDatagram>, kBatch> m_buffers{};
    std::array<iovec, kBatch> m_iov{};
    std::array<sockaddr_in, kBatch> m_to{};
    std::array<bool, kBatch> m_alone{};
    std::array<mmsghdr, kBatch> m_headers{};
    std::uint64_t m_sent = 0;
    std::uint64_t m_dropped = 0;
    std::uint64_t m_calls = 0;
    std::uint64_t m_segmentedRuns = 0;
    bool m_segmentation = true;
    std::array<Group, kBatch> m_groups{};
    std::array<mmsghdr, kBatch> m_groupHeaders{};
};

} // namespace duet::net
