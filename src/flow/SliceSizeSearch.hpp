#pragma once
// Packetization-layer path MTU discovery for the bulk sender (PROTOCOL.md §11.9, after RFC 8899): data
// starts in slices every path carries (wire::kMaxBulkSlice) and a single data packet of the next larger
// size on the ladder probes the path. An acknowledged probe raises the size; three lost probes of one
// size end the search until kRaiseInterval has passed; an outage (a black hole, after a route change)
// drops back to the base size and searches again. A lost probe is not congestion: the caller leaves its
// bytes out of the congestion controller's loss count. Pure. Not thread-safe.
#include "duet/core/Clock.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace duet::flow {

class SliceSizeSearch {
public:
    static constexpr int kAttemptsPerSize = 3;
    static constexpr std::chrono::seconds kRaiseInterval{600};

    // `ladder`: slice sizes to try, ascending, each above the base; empty never leaves the base.
    explicit SliceSizeSearch(std::vector<std::uint32_t> ladder);

    // The size of the data slices to send now.
    std::uint32_t current() const { return m_current; }
    // The size a probe should have if one may go now; nothing while one is out or the search is over.
    std::optional<std::uint32_t> probeDue(MonoTime now) const;
    void onProbeSent(std::uint64_t packetNumber, std::uint32_t size);
    bool isProbe(std::uint64_t packetNumber) const { return m_outstanding && *m_outstanding == packetNumber; }
    void onProbeAcked();
    void onProbeLost(MonoTime now);
    // A probe of `size` declared lost was acknowledged after all (the path reorders): the size passes if
    // it is still the next one up, and the loss no longer counts.
    void onLateProbeAck(std::uint32_t size);
    // Everything stopped arriving: perhaps only the large datagrams do not. Back to the base size.
    void onOutage(MonoTime now);

    std::uint64_t probesSent() const { return m_probesSent; }
    std::uint64_t probesLost() const { return m_probesLost; }

private:
    std::vector<std::uint32_t> m_ladder;
    std::uint32_t m_current;
    std::size_t m_next = 0; // index in m_ladder of the size to probe next
    int m_attempts = 0;     // lost probes of m_ladder[m_next]
    std::optional<std::uint64_t> m_outstanding;
    std::optional<MonoTime> m_resumeAt; // the search gave up; it starts again from here
    std::uint64_t m_probesSent = 0;
    std::uint64_t m_probesLost = 0;
};

} // namespace duet::flow
