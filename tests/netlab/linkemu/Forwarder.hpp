#pragma once

#include "Counters.hpp"
#include "LinkDirection.hpp"
#include "NatRebinder.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <queue>
#include <vector>

// The forwarding loop of one direction: reads packets from the input TUN fd, asks LinkDirection for
// their fate, holds them in a due-time priority queue and writes them to the output TUN fd when due.
// Sleeps in ppoll() with a nanosecond timeout until the next packet is due or input arrives, so an
// idle link costs no CPU. One thread runs one Forwarder; the objects it references must outlive run().
namespace duet::netlab {

enum class NatRole { None, Outbound, Inbound };

struct ForwarderSetup {
    int inputFd = -1;
    int outputFd = -1;
    int wakeFd = -1;              // eventfd; readable = stop
    std::size_t slotBytes = 2048; // largest packet (the devices' MTU)
    std::int64_t startNs = 0;     // CLOCK_MONOTONIC time that schedules count from
    NatRebinder* nat = nullptr;
    NatRole natRole = NatRole::None;
};

// Fixed-size packet buffers, allocated in chunks on demand up to a cap so that a huge delay at a high
// rate cannot eat the machine's memory (packets beyond the cap are dropped and counted as overflow).
class PacketPool {
public:
    explicit PacketPool(std::size_t slotBytes);
    static constexpr std::uint32_t kNoSlot = 0xFFFFFFFF;
    std::uint32_t acquire(); // kNoSlot when the cap is reached
    void release(std::uint32_t slot) { m_free.push_back(slot); }
    std::uint8_t* data(std::uint32_t slot);
    std::size_t slotBytes() const { return m_slotBytes; }

private:
    std::size_t m_slotBytes;
    std::vector<std::unique_ptr<std::uint8_t[]>> m_chunks;
    std::vector<std::uint32_t> m_free;
};

class Forwarder {
public:
    Forwarder(const ForwarderSetup& setup, LinkDirection& link, DirectionCounters& counters);
    // Returns true when stopped (flag or wakeFd), false when the input device failed.
    bool run(const std::atomic<bool>& stop);

private:
    struct Pending {
        std::int64_t dueNs;
        std::uint64_t order; // FIFO among equal due times
        std::uint32_t slot;
        std::uint32_t length;
        Departure departure;
    };
    struct LaterFirst {
        bool operator()(const Pending& a, const Pending& b) const
        {
            return a.dueNs != b.dueNs ? a.dueNs > b.dueNs : a.order > b.order;
        }
    };

    std::size_t readAvailable();
    void admit(std::uint32_t slot, std::size_t length, std::int64_t nowNs);
    void deliverDue(std::int64_t nowNs);
    void deliver(const Pending& packet);
    void learnWakeLateness(std::int64_t observedNs);

    ForwarderSetup m_setup;
    LinkDirection& m_link;
    DirectionCounters& m_counters;
    PacketPool m_pool;
    std::priority_queue<Pending, std::vector<Pending>, LaterFirst> m_pending;
    std::uint64_t m_order = 0;
    bool m_deviceFailed = false;
    std::int64_t m_wakeLatenessNs = 0;   // learned mean timer overshoot, subtracted from sleeps
    std::vector<std::uint8_t> m_scratch; // receives packets that have no buffer left
};

std::int64_t monotonicNowNs();

} // namespace duet::netlab
