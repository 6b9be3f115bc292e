#include "Counters.hpp"

#include <utility>

namespace duet::netlab {

std::string formatCounters(const DirectionCounters& c)
{
    const std::pair<const char*, const std::atomic<std::uint64_t>*> fields[] = {
        {"received", &c.received},
        {"received_bytes", &c.receivedBytes},
        {"forwarded", &c.forwarded},
        {"forwarded_bytes", &c.forwardedBytes},
        {"queue_drops", &c.queueDrops},
        {"lost", &c.lost},
        {"blackout", &c.blackout},
        {"duplicated", &c.duplicated},
        {"reordered", &c.reordered},
        {"corrupted", &c.corrupted},
        {"nat_rewritten", &c.natRewritten},
        {"nat_stale", &c.natStale},
        {"overflow", &c.overflow},
        {"write_errors", &c.writeErrors},
        {"wake_lateness_ns", &c.wakeLatenessNs},
    };
    std::string line;
    for (const auto& [name, value] : fields) {
        if (!line.empty()) line += ' ';
        line += name;
        line += '=';
        line += std::to_string(value->load(std::memory_order_relaxed));
    }
    return line;
}

} // namespace duet::netlab
