#include "duet/discovery/DiscoveryTable.hpp"

#include <algorithm>

namespace duet::discovery {
namespace {

bool sameEndpoint(const HintEndpoint& endpoint, const Sighting& from)
{
    return endpoint.sourceAddress == from.source && endpoint.interfaceName == from.interfaceName;
}

void refreshLastSeen(PeerHint& hint)
{
    hint.lastSeen = hint.firstSeen;
    for (const HintEndpoint& endpoint : hint.endpoints)
        hint.lastSeen = std::max(hint.lastSeen, endpoint.lastSeen);
}

} // namespace

TableConfig tableConfigFor(Millis announceInterval, Millis answerSpacing, TableLimits limits)
{
    TableConfig config;
    config.expiry = announceInterval * 3 + announceInterval / 2;
    config.confirmAfter = announceInterval / 2;
    config.answerSpacing = answerSpacing;
    config.limits = limits;
    return config;
}

DiscoveryTable::DiscoveryTable(std::uint64_t ownInstanceId, TableConfig config)
    : m_ownInstanceId(ownInstanceId), m_config(config), m_answers(config.answerSpacing)
{
    // Reserved once so that a flood never reallocates the table itself.
    m_entries.reserve(m_config.limits.maxHints);
}

IngestResult DiscoveryTable::onDatagram(wire::ByteSpan datagram, const Sighting& from, MonoTime now)
{
    ++m_counters.datagramsReceived;
    auto decoded = wire::decodeBeacon(datagram);
    if (!decoded.ok()) {
        if (decoded.error() == wire::DecodeError::Oversized) {
            ++m_counters.droppedOversized;
            return IngestResult::Oversized;
        }
        ++m_counters.droppedMalformed;
        return IngestResult::Malformed;
    }
    const wire::Beacon& beacon = decoded.value();
    if (beacon.instanceId == m_ownInstanceId) {
        ++m_counters.ownBeacons;
        return IngestResult::Own;
    }
    if (beacon.port < m_config.limits.minClaimedPort) {
        ++m_counters.droppedLowPort;
        return IngestResult::LowPort;
    }
    ++m_counters.beaconsAccepted;
    const HintKey key{beacon.instanceId, beacon.fingerprintHint};
    switch (beacon.kind) {
    case wire::BeaconKind::Leaving:
        onLeaving(key, from);
        break;
    case wire::BeaconKind::Query:
        ++m_counters.queriesReceived;
        m_answers.onQuery();
        // A query carries the same fields as an announce, so its sender is listed at once.
        upsert(beacon, key, from, now);
        break;
    case wire::BeaconKind::Announce:
        upsert(beacon, key, from, now);
        break;
    }
    return IngestResult::Accepted;
}

DiscoveryTable::Entry* DiscoveryTable::find(const HintKey& key)
{
    for (Entry& entry : m_entries)
        if (entry.hint.key == key) return &entry;
    return nullptr;
}

void DiscoveryTable::upsert(const wire::Beacon& beacon, const HintKey& key, const Sighting& from,
                            MonoTime now)
{
    Entry* entry = find(key);
    const bool newEndpoint =
        entry == nullptr || std::none_of(entry->hint.endpoints.begin(), entry->hint.endpoints.end(),
                                         [&](const HintEndpoint& e) { return sameEndpoint(e, from); });
    if (newEndpoint && endpointsFrom(from.source) >= m_config.limits.maxEndpointsPerSource) {
        evictOldestEndpointFrom(from.source, key);
        entry = find(key); // removal reorders the table
    }
    if (entry == nullptr) {
        if (m_entries.size() >= m_config.limits.maxHints) evictOneHint();
        Entry fresh;
        fresh.hint.key = key;
        fresh.hint.claimedName = beacon.displayName;
        fresh.hint.firstSeen = now;
        fresh.dirty = true;
        m_entries.push_back(std::move(fresh));
        entry = &m_entries.back();
    }

    PeerHint& hint = entry->hint;
    if (hint.claimedName != beacon.displayName) {
        hint.claimedName = beacon.displayName;
        entry->dirty = true;
    }
    auto endpoint = std::find_if(hint.endpoints.begin(), hint.endpoints.end(),
                                 [&](const HintEndpoint& e) { return sameEndpoint(e, from); });
    if (endpoint == hint.endpoints.end()) {
        if (hint.endpoints.size() >= m_config.limits.maxEndpointsPerHint) {
            hint.endpoints.erase(std::min_element(
                hint.endpoints.begin(), hint.endpoints.end(),
                [](const HintEndpoint& a, const HintEndpoint& b) { return a.lastSeen < b.lastSeen; }));
        }
        hint.endpoints.push_back(
            HintEndpoint{from.source, std::string(from.interfaceName), beacon.port, now});
        entry->dirty = true;
    } else {
        if (endpoint->claimedEnetPort != beacon.port) {
            endpoint->claimedEnetPort = beacon.port;
            entry->dirty = true;
        }
        endpoint->lastSeen = now;
    }
    hint.lastSeen = now;
}

void DiscoveryTable::onLeaving(const HintKey& key, const Sighting& from)
{
    // Only the endpoint the Leaving came from goes: a forged Leaving from another address cannot remove the
    // real peer, and an unknown hint is not created just to be removed.
    Entry* entry = find(key);
    if (entry == nullptr) return;
    removeEndpointsWhere(
        [&](const Entry& candidate, const HintEndpoint& endpoint) {
            return &candidate == entry && sameEndpoint(endpoint, from);
        },
        LostReason::Left);
}

std::size_t DiscoveryTable::endpointsFrom(Ipv4Address source) const
{
    std::size_t count = 0;
    for (const Entry& entry : m_entries)
        for (const HintEndpoint& endpoint : entry.hint.endpoints)
            count += endpoint.sourceAddress == source ? 1 : 0;
    return count;
}

void DiscoveryTable::evictOldestEndpointFrom(Ipv4Address source, const HintKey& keep)
{
    std::size_t bestEntry = m_entries.size();
    std::size_t bestEndpoint = 0;
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        const auto& endpoints = m_entries[i].hint.endpoints;
        for (std::size_t j = 0; j < endpoints.size(); ++j) {
            if (endpoints[j].sourceAddress != source) continue;
            if (bestEntry == m_entries.size() ||
                endpoints[j].lastSeen < m_entries[bestEntry].hint.endpoints[bestEndpoint].lastSeen) {
                bestEntry = i;
                bestEndpoint = j;
            }
        }
    }
    if (bestEntry == m_entries.size()) return;
    Entry& entry = m_entries[bestEntry];
    // The hint about to gain an endpoint stays even if this leaves it empty for a moment. Any other hint
    // losing its last endpoint goes whole, so that its Lost change tells where it was last heard.
    if (entry.hint.endpoints.size() == 1 && !(entry.hint.key == keep)) {
        ++m_counters.hintsEvicted;
        removeEntry(bestEntry, LostReason::Evicted);
        return;
    }
    entry.hint.endpoints.erase(entry.hint.endpoints.begin() + static_cast<std::ptrdiff_t>(bestEndpoint));
    entry.dirty = true;
    refreshLastSeen(entry.hint);
}

void DiscoveryTable::evictOneHint()
{
    if (m_entries.empty()) return;
    // Prefer hints heard only in one burst (what a flood of forged one-shot beacons produces) over hints
    // heard across announce rounds; among equals, the one heard longest ago.
    auto confirmed = [&](const Entry& entry) {
        return entry.hint.lastSeen - entry.hint.firstSeen >= m_config.confirmAfter;
    };
    std::size_t victim = 0;
    for (std::size_t i = 1; i < m_entries.size(); ++i) {
        const bool candidateConfirmed = confirmed(m_entries[i]);
        const bool victimConfirmed = confirmed(m_entries[victim]);
        if (candidateConfirmed != victimConfirmed) {
            if (!candidateConfirmed) victim = i;
        } else if (m_entries[i].hint.lastSeen < m_entries[victim].hint.lastSeen) {
            victim = i;
        }
    }
    ++m_counters.hintsEvicted;
    removeEntry(victim, LostReason::Evicted);
}

void DiscoveryTable::removeEntry(std::size_t index, LostReason reason)
{
    Entry& entry = m_entries[index];
    // A hint the consumer never heard of vanishes silently; this also bounds m_pendingLost by maxHints.
    if (entry.reported)
        m_pendingLost.push_back(DiscoveryChange{ChangeKind::Lost, reason, std::move(entry.hint)});
    if (index + 1 != m_entries.size()) m_entries[index] = std::move(m_entries.back());
    m_entries.pop_back();
}

template <typename Predicate>
void DiscoveryTable::removeEndpointsWhere(Predicate drop, LostReason reason)
{
    // Backwards, so that removeEntry's swap with the last entry never skips one.
    for (std::size_t i = m_entries.size(); i-- > 0;) {
        Entry& entry = m_entries[i];
        auto& endpoints = entry.hint.endpoints;
        const auto dropped = [&](const HintEndpoint& endpoint) { return drop(entry, endpoint); };
        const auto removed =
            static_cast<std::size_t>(std::count_if(endpoints.begin(), endpoints.end(), dropped));
        if (removed == 0) continue;
        if (removed == endpoints.size()) {
            // Kept whole: the Lost change tells where the peer was last heard.
            removeEntry(i, reason);
        } else {
            std::erase_if(endpoints, dropped);
            entry.dirty = true;
            refreshLastSeen(entry.hint);
        }
    }
}

void DiscoveryTable::expire(MonoTime now)
{
    removeEndpointsWhere(
        [&](const Entry&, const HintEndpoint& endpoint) {
            return now - endpoint.lastSeen >= m_config.expiry;
        },
        LostReason::Expired);
}

std::optional<MonoTime> DiscoveryTable::nextExpiry() const
{
    std::optional<MonoTime> earliest;
    for (const Entry& entry : m_entries)
        for (const HintEndpoint& endpoint : entry.hint.endpoints)
            if (!earliest || endpoint.lastSeen + m_config.expiry < *earliest)
                earliest = endpoint.lastSeen + m_config.expiry;
    return earliest;
}

void DiscoveryTable::keepOnlyInterfaces(const std::vector<std::string>& interfaceNames)
{
    removeEndpointsWhere(
        [&](const Entry&, const HintEndpoint& endpoint) {
            return std::find(interfaceNames.begin(), interfaceNames.end(), endpoint.interfaceName) ==
                   interfaceNames.end();
        },
        LostReason::InterfaceGone);
}

std::vector<DiscoveryChange> DiscoveryTable::takeChanges()
{
    std::vector<DiscoveryChange> changes = std::move(m_pendingLost);
    m_pendingLost.clear();
    for (Entry& entry : m_entries) {
        if (!entry.dirty) continue;
        changes.push_back(DiscoveryChange{entry.reported ? ChangeKind::Updated : ChangeKind::Found,
                                          LostReason::None, entry.hint});
        entry.reported = true;
        entry.dirty = false;
    }
    return changes;
}

std::vector<PeerHint> DiscoveryTable::snapshot() const
{
    std::vector<PeerHint> hints;
    hints.reserve(m_entries.size());
    for (const Entry& entry : m_entries)
        hints.push_back(entry.hint);
    return hints;
}

} // namespace duet::discovery
