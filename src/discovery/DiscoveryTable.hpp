#pragma once
// The pure logic of LAN discovery: turns received datagrams into a bounded table of peer hints and reports
// what changed since the consumer last asked. No I/O, no clock of its own (time is passed in), so it runs
// under FakeClock in tests. Single-threaded. Nothing in it is trusted: see PeerHint.hpp.
#include "duet/core/Clock.hpp"
#include "duet/discovery/AnswerLimiter.hpp"
#include "duet/discovery/PeerHint.hpp"
#include "duet/wire/Bytes.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace duet::discovery {

struct TableLimits {
    std::size_t maxHints = 256;
    std::size_t maxEndpointsPerSource =
        16; // one machine rarely runs more instances; spoofers cannot fill the table
    std::size_t maxEndpointsPerHint = 8;
    std::uint16_t minClaimedPort = 1024;
};

struct TableConfig {
    Millis expiry{7000};       // endpoint dropped after this long without a beacon
    Millis confirmAfter{1000}; // a hint heard over at least this long is preferred when evicting
    Millis answerSpacing{500};
    TableLimits limits;
};

// Expiry is three missed intervals plus half an interval of slack for loss and scheduling delay.
TableConfig tableConfigFor(Millis announceInterval, Millis answerSpacing, TableLimits limits = {});

// Where the socket layer says a datagram came from.
struct Sighting {
    Ipv4Address source;
    std::string_view interfaceName;
};

enum class IngestResult : std::uint8_t { Accepted, Own, Oversized, Malformed, LowPort };

class DiscoveryTable {
public:
    DiscoveryTable(std::uint64_t ownInstanceId, TableConfig config);

    // One received datagram of any size or content. Allocates only for a valid beacon that adds or renames
    // a hint; anything refused before the name field costs no allocation.
    IngestResult onDatagram(wire::ByteSpan datagram, const Sighting& from, MonoTime now);

    // Drops endpoints not heard for the expiry time; call at least at nextExpiry().
    void expire(MonoTime now);
    std::optional<MonoTime> nextExpiry() const;
    // Drops endpoints heard on interfaces not in `interfaceNames` (interface gone or no longer allowed).
    void keepOnlyInterfaces(const std::vector<std::string>& interfaceNames);

    // Changes since the last call: Lost first, then Found/Updated. At most one change per hint (updates to a
    // hint not yet reported are folded into its Found), so the result is bounded by twice maxHints.
    std::vector<DiscoveryChange> takeChanges();
    std::vector<PeerHint> snapshot() const;
    std::size_t size() const { return m_entries.size(); }

    AnswerLimiter& answers() { return m_answers; }
    const AnswerLimiter& answers() const { return m_answers; }
    // The socket layer adds its own counts (sends, drops before decoding) to the same record.
    DiscoveryCounters& counters() { return m_counters; }
    const DiscoveryCounters& counters() const { return m_counters; }

private:
    struct Entry {
        PeerHint hint;
        bool reported = false; // the consumer has been told about it (Found)
        bool dirty = false;    // changed since the consumer was last told
    };

    Entry* find(const HintKey& key);
    void upsert(const wire::Beacon& beacon, const HintKey& key, const Sighting& from, MonoTime now);
    void onLeaving(const HintKey& key, const Sighting& from);
    std::size_t endpointsFrom(Ipv4Address source) const;
    void evictOldestEndpointFrom(Ipv4Address source, const HintKey& keep);
    void evictOneHint();
    void removeEntry(std::size_t index, LostReason reason);
    // Removes the endpoints `drop` selects; a hint left without endpoints is lost for `reason`.
    template <typename Predicate>
    void removeEndpointsWhere(Predicate drop, LostReason reason);

    std::uint64_t m_ownInstanceId;
    TableConfig m_config;
    std::vector<Entry> m_entries;
    std::vector<DiscoveryChange> m_pendingLost;
    AnswerLimiter m_answers;
    DiscoveryCounters m_counters;
};

} // namespace duet::discovery
