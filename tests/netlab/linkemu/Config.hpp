#pragma once

#include "Units.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

// Configuration of duet-linkemu and its command-line parser. Plain values; parseCommandLine reports the
// first error as text instead of throwing, so main() can print it with the usage.
namespace duet::netlab {

// The link is down during these times (nanoseconds since the emulator started): periodically
// (on for onNs, then off for offNs, starting "on" at 0) and/or in explicit [start, end) windows.
struct BlackoutSchedule {
    std::int64_t periodicOnNs = 0;
    std::int64_t periodicOffNs = 0;
    std::vector<std::pair<std::int64_t, std::int64_t>> windows;

    bool active() const { return periodicOffNs > 0 || !windows.empty(); }
    bool isDown(std::int64_t sinceStartNs) const;
};

// Gilbert-Elliott burst loss: a two-state Markov chain stepped once per packet.
struct GilbertElliott {
    bool enabled = false;
    double goodToBad = 0;  // p
    double badToGood = 1;  // r; mean burst length is 1/r packets
    double lossInGood = 0; // 1 - k
    double lossInBad = 1;  // 1 - h
};

enum class CorruptMode {
    FixChecksum, // flip a payload byte and update the L4 checksum: the damaged datagram reaches the app
    Wire,        // flip a payload byte only: the receiving kernel drops it on the checksum
};

struct DirectionConfig {
    std::uint64_t rateBitsPerSecond = 0; // 0 = unlimited (no serialisation delay, no queue)
    std::uint64_t queueBytes = 64 * 1024;
    std::int64_t delayNs = 0;
    std::int64_t jitterNs = 0; // uniform in [delay - jitter, delay + jitter]
    bool jitterMayReorder = false;
    double loss = 0;
    GilbertElliott burstLoss;
    double reorderProbability = 0;
    std::int64_t reorderExtraDelayNs = 0;
    double duplicateProbability = 0;
    double corruptProbability = 0;
    CorruptMode corruptMode = CorruptMode::FixChecksum;
    BlackoutSchedule blackout;
};

enum class Side { A, B };

// Port-only NAT rebinding (like the QUIC simulator's rebind-port): UDP packets leaving `side` get a new
// source port at each rebind time; replies to the current external port are mapped back, replies to an
// older external port are dropped (the old mapping is gone).
struct NatRebindConfig {
    Side side = Side::A;
    std::vector<std::int64_t> timesNs; // explicit rebind times since start
    std::int64_t firstNs = -1;         // periodic: first rebind ...
    std::int64_t periodNs = 0;         // ... then every periodNs (0 = once)

    bool enabled() const { return firstNs >= 0 || !timesNs.empty(); }
    // Number of rebinds that have happened by `sinceStartNs`.
    std::uint64_t epochAt(std::int64_t sinceStartNs) const;
};

struct EmulatorConfig {
    std::string netnsA, netnsB; // paths such as /run/netns/NAME; empty = current namespace
    std::string deviceA = "tl0", deviceB = "tl0";
    std::uint64_t seed = 1;
    std::int64_t statsIntervalNs = 0; // 0 = only on SIGUSR1 and at exit
    std::int64_t maxRuntimeNs = 0;    // 0 = until SIGINT/SIGTERM
    int realtimePriority = 0;         // SCHED_FIFO priority of the forwarding threads; 0 = normal
    DirectionConfig aToB, bToA;
    NatRebindConfig nat;
};

struct ParseOutcome {
    bool ok = false;
    bool helpRequested = false;
    std::string error;
};

ParseOutcome parseCommandLine(const std::vector<std::string>& args, EmulatorConfig& config);

// Applies one "key=value,key=value" impairment spec to a direction (exposed for tests).
ParseOutcome applyDirectionSpec(std::string_view spec, DirectionConfig& direction);

const char* usageText();

} // namespace duet::netlab
