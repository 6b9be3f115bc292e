#pragma once

#include <atomic>
#include <cstdint>
#include <string>

// Per-direction event counters. Each direction's counters are written by that direction's forwarding
// thread only and read by the main thread for printing, hence relaxed atomics and add() below.
namespace duet::netlab {

struct DirectionCounters {
    std::atomic<std::uint64_t> received{0}; // packets read from the input device
    std::atomic<std::uint64_t> receivedBytes{0};
    std::atomic<std::uint64_t> forwarded{0}; // packets written to the output device (copies included)
    std::atomic<std::uint64_t> forwardedBytes{0};
    std::atomic<std::uint64_t> queueDrops{0}; // drop-tail queue full
    std::atomic<std::uint64_t> lost{0};       // random or burst loss
    std::atomic<std::uint64_t> blackout{0};   // arrived or fell due while the link was down
    std::atomic<std::uint64_t> duplicated{0};
    std::atomic<std::uint64_t> reordered{0}; // held back so that later packets may overtake
    std::atomic<std::uint64_t> corrupted{0};
    std::atomic<std::uint64_t> natRewritten{0};
    std::atomic<std::uint64_t> natStale{0}; // dropped: addressed to a forgotten NAT mapping
    std::atomic<std::uint64_t> overflow{0}; // dropped: emulator buffer limit reached
    std::atomic<std::uint64_t> writeErrors{0};
    std::atomic<std::uint64_t> wakeLatenessNs{0}; // gauge: learned timer overshoot (see Forwarder)

    // Single-writer increment: cheaper than fetch_add and still tear-free for the reader.
    static void add(std::atomic<std::uint64_t>& counter, std::uint64_t amount = 1)
    {
        counter.store(counter.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
    }
};

// "received=... forwarded=... ..." on one line, stable key order (scripts parse it).
std::string formatCounters(const DirectionCounters& counters);

} // namespace duet::netlab
