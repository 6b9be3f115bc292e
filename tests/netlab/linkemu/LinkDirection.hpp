#pragma once

#include "Config.hpp"
#include "Random.hpp"

#include <cstddef>
#include <cstdint>

// The impairment model of one direction of the link, without any I/O: given a packet's arrival time and
// size it decides whether the packet is dropped (and why) or when each copy leaves the link. Times are
// nanoseconds since the emulator started. Owned and called by one thread.
//
// Order, as on a real path: blackout -> random/burst loss -> duplication -> drop-tail queue at `rate`
// (serialisation) -> propagation delay with jitter -> reordering hold-back. The loss and duplication
// streams are drawn the same number of times for every arriving packet, so whether packet N is lost
// depends only on the seed and N; jitter, reorder and corruption draw once per departing copy.
namespace duet::netlab {

enum class Fate { Forward, Blackout, Lost, QueueFull };

struct Departure {
    std::int64_t dueNs = 0;
    bool corrupt = false;
    std::uint64_t corruptDraw = 0; // picks the byte and the bit mask
    bool reordered = false;
};

struct Admission {
    Fate fate = Fate::Forward;
    int departures = 0; // 0, 1 or 2 (a duplicate whose copy fit in the queue)
    Departure departure[2];
    bool duplicated = false; // a duplicate was made (it may still have hit a full queue)
    int queueDrops = 0;      // copies refused by the queue
};

class LinkDirection {
public:
    LinkDirection(const DirectionConfig& config, std::uint64_t seed, int directionIndex);

    Admission admit(std::int64_t arrivalNs, std::size_t bytes);

    // The link delivers nothing while down; packets due inside a blackout are lost too.
    bool isDownAt(std::int64_t sinceStartNs) const { return m_config.blackout.isDown(sinceStartNs); }

    // Bytes waiting to be serialised at `nowNs` (0 without a rate limit).
    std::uint64_t backlogBytes(std::int64_t nowNs) const;

    const DirectionConfig& config() const { return m_config; }

private:
    bool drawLoss();
    // Serialisation: returns the time the last bit leaves the queue, or -1 if the queue is full.
    std::int64_t enqueue(std::int64_t nowNs, std::size_t bytes);
    Departure schedule(std::int64_t transmittedNs);

    DirectionConfig m_config;
    SplitMix64 m_lossRng, m_duplicateRng, m_jitterRng, m_reorderRng, m_corruptRng;
    bool m_burstBad = false;
    std::int64_t m_linkFreeAtNs = 0;
    std::int64_t m_lastInOrderDueNs = 0;
};

} // namespace duet::netlab
