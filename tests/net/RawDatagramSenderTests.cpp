// RawDatagramSender against real UDP sockets on 127.0.0.1: every datagram arrives whole, in order and
// once, with UDP segmentation (runs of equal sizes, a shorter last one, two destinations interleaved)
// and without it.
#include "duet/net/RawDatagramSender.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <poll.h>
#include <unistd.h>
#include <vector>

namespace duet::net {
namespace {

struct UdpSocket {
    int fd = -1;
    std::uint16_t port = 0;
    UdpSocket()
    {
        fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        REQUIRE(fd >= 0);
        const int buffer = 4 << 20;
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        socklen_t length = sizeof address;
        REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
        port = ntohs(address.sin_port);
    }
    ~UdpSocket() { ::close(fd); }
    ENetAddress address() const { return ENetAddress{htonl(INADDR_LOOPBACK), port}; }

    // Everything that arrives within 2 s of silence-free reading, one vector per datagram.
    std::vector<std::vector<std::uint8_t>> receiveAll(std::size_t expected)
    {
        std::vector<std::vector<std::uint8_t>> out;
        std::vector<std::uint8_t> buffer(65536);
        for (int waits = 0; out.size() < expected && waits < 200; ++waits) {
            pollfd ready{fd, POLLIN, 0};
            if (::poll(&ready, 1, 10) <= 0) continue;
            for (;;) {
                const ssize_t got = ::recv(fd, buffer.data(), buffer.size(), 0);
                if (got < 0) break;
                out.emplace_back(buffer.begin(), buffer.begin() + got);
            }
        }
        return out;
    }
};

// Datagram `index` of `size` bytes: its index in the first two bytes, then a pattern.
void fill(std::span<std::uint8_t> slot, std::size_t index, std::size_t size)
{
    for (std::size_t i = 0; i < size; ++i)
        slot[i] = static_cast<std::uint8_t>(index * 31 + i);
    slot[0] = static_cast<std::uint8_t>(index & 0xFF);
    slot[1] = static_cast<std::uint8_t>(index >> 8);
}

bool holds(const std::vector<std::uint8_t>& datagram, std::size_t index, std::size_t size)
{
    if (datagram.size() != size) return false;
    std::vector<std::uint8_t> expected(size);
    fill(expected, index, size);
    return datagram == expected;
}

void sendPattern(bool segmentation)
{
    UdpSocket sender, first, second;
    RawDatagramSender batch(sender.fd);
    if (!segmentation) batch.disableSegmentation();
    // 150 full datagrams to `first` (more than a batch, so flushes happen inside commit), a shorter one,
    // then a run to `second`, one more to `first` and an odd size to `second`.
    struct Planned {
        UdpSocket* to;
        std::size_t size;
    };
    std::vector<Planned> plan;
    for (int i = 0; i < 150; ++i)
        plan.push_back({&first, 1244});
    plan.push_back({&first, 700});
    for (int i = 0; i < 10; ++i)
        plan.push_back({&second, 1244});
    plan.push_back({&first, 1244});
    plan.push_back({&second, 333});
    for (std::size_t i = 0; i < plan.size(); ++i) {
        const std::span<std::uint8_t> slot = batch.slot();
        fill(slot, i, plan[i].size);
        batch.commit(plan[i].to->address(), plan[i].size);
    }
    batch.flush();
    CHECK(batch.sent() == plan.size());
    CHECK(batch.dropped() == 0);
    if (segmentation && batch.segmentation()) CHECK(batch.segmentedRuns() > 0);

    for (UdpSocket* receiver : {&first, &second}) {
        std::vector<std::size_t> expected;
        for (std::size_t i = 0; i < plan.size(); ++i)
            if (plan[i].to == receiver) expected.push_back(i);
        const auto got = receiver->receiveAll(expected.size());
        REQUIRE(got.size() == expected.size());
        for (std::size_t k = 0; k < expected.size(); ++k) {
            CAPTURE(expected[k]);
            CHECK(holds(got[k], expected[k], plan[expected[k]].size));
        }
    }
}

} // namespace

TEST_CASE("raw datagram sender: segmented runs arrive as the datagrams they were made of")
{
    sendPattern(true);
}

TEST_CASE("raw datagram sender: one by one, the same datagrams arrive")
{
    sendPattern(false);
}

TEST_CASE("raw datagram sender: a path MTU probe travels alone, between segmented runs")
{
    UdpSocket sender, receiver;
    RawDatagramSender batch(sender.fd);
    // Ten full datagrams, a jumbo probe (which a smaller interface would refuse), ten more.
    std::vector<std::size_t> sizes(10, 1472);
    sizes.push_back(RawDatagramSender::kMaxDatagram);
    sizes.insert(sizes.end(), 10, 1472);
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        fill(batch.slot(), i, sizes[i]);
        batch.commit(receiver.address(), sizes[i], sizes[i] == RawDatagramSender::kMaxDatagram);
    }
    batch.flush();
    CHECK(batch.sent() == sizes.size());
    if (batch.segmentation()) CHECK(batch.segmentedRuns() == 3); // not the probe with the run after it
    const auto got = receiver.receiveAll(sizes.size());
    REQUIRE(got.size() == sizes.size());
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        CAPTURE(i);
        CHECK(holds(got[i], i, sizes[i]));
    }
}

} // namespace duet::net
