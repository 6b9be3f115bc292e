// Fuzzes DiscoveryTable as a state machine. The input is a script of operations: raw datagrams, beacons built
// from fuzzed fields (so that valid ones are common), clock steps, expiry and interface changes. Small limits
// make every eviction path reachable. After each step the table must respect its bounds, and the change
// stream must be consistent: Found only for hints the consumer does not know, Updated and Lost only for ones
// it does.
#include "duet/discovery/DiscoveryTable.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <tuple>

using namespace duet;
using namespace duet::discovery;

namespace {

constexpr std::uint64_t kOwnId = 0x42;

class Script {
public:
    Script(const std::uint8_t* data, std::size_t size) : m_data(data), m_size(size) {}
    bool done() const { return m_pos >= m_size; }
    std::uint8_t byte() { return m_pos < m_size ? m_data[m_pos++] : 0; }
    wire::ByteSpan bytes(std::size_t count)
    {
        count = std::min(count, m_size - m_pos);
        wire::ByteSpan span(m_data + m_pos, count);
        m_pos += count;
        return span;
    }

private:
    const std::uint8_t* m_data;
    std::size_t m_size;
    std::size_t m_pos = 0;
};

using KnownKey = std::tuple<std::uint64_t, FingerprintHint>;

KnownKey keyOf(const PeerHint& hint)
{
    return {hint.key.claimedInstanceId, hint.key.claimedFingerprint};
}

void checkInvariants(const DiscoveryTable& table, const TableLimits& limits)
{
    const auto hints = table.snapshot();
    if (hints.size() > limits.maxHints) std::abort();
    std::set<KnownKey> keys;
    std::vector<std::uint32_t> sources;
    for (const PeerHint& hint : hints) {
        if (!keys.insert(keyOf(hint)).second) std::abort();
        if (hint.key.claimedInstanceId == kOwnId) std::abort();
        if (hint.endpoints.empty() || hint.endpoints.size() > limits.maxEndpointsPerHint) std::abort();
        for (const HintEndpoint& endpoint : hint.endpoints) {
            if (endpoint.claimedEnetPort < limits.minClaimedPort) std::abort();
            sources.push_back(endpoint.sourceAddress.hostOrder);
        }
    }
    for (std::uint32_t source : sources)
        if (static_cast<std::size_t>(std::count(sources.begin(), sources.end(), source)) >
            limits.maxEndpointsPerSource)
            std::abort();
}

void checkChanges(const std::vector<DiscoveryChange>& changes, std::set<KnownKey>& known)
{
    for (const DiscoveryChange& change : changes) {
        const KnownKey key = keyOf(change.hint);
        switch (change.kind) {
        case ChangeKind::Found:
            if (!known.insert(key).second || change.hint.endpoints.empty()) std::abort();
            break;
        case ChangeKind::Updated:
            if (!known.count(key) || change.hint.endpoints.empty()) std::abort();
            break;
        case ChangeKind::Lost:
            if (known.erase(key) != 1 || change.reason == LostReason::None) std::abort();
            break;
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    TableLimits limits;
    limits.maxHints = 8;
    limits.maxEndpointsPerSource = 3;
    limits.maxEndpointsPerHint = 2;
    DiscoveryTable table(kOwnId, tableConfigFor(Millis(2000), Millis(500), limits));
    FakeClock clock;
    std::set<KnownKey> known;
    static const std::vector<std::string> kInterfaces = {"eth0", "wlan0"};

    Script script(data, size);
    for (int step = 0; step < 2000 && !script.done(); ++step) {
        const std::uint8_t op = script.byte();
        const Sighting from{Ipv4Address::fromOctets(10, 0, 0, static_cast<std::uint8_t>(op >> 4)),
                            kInterfaces[(op >> 3) & 1]};
        switch (op & 7) {
        case 0:
        case 1: {
            const std::size_t low = script.byte();
            const std::size_t length = low + std::size_t{256} * (script.byte() & 1u);
            table.onDatagram(script.bytes(length), from, clock.now());
            break;
        }
        case 2:
        case 3: {
            wire::Beacon beacon;
            beacon.kind = static_cast<wire::BeaconKind>(script.byte() % 3);
            const std::uint8_t id = script.byte();
            beacon.instanceId = id == 0 ? kOwnId : id;
            beacon.fingerprintHint.fill(script.byte() & 3);
            beacon.port = static_cast<std::uint16_t>(1000 + script.byte());
            beacon.displayName = std::string(script.byte() % 4, 'n');
            table.onDatagram(wire::encodeBeacon(beacon), from, clock.now());
            break;
        }
        case 4:
            clock.advance(Millis(std::size_t{script.byte()} * 40));
            break;
        case 5:
            table.expire(clock.now());
            if (const auto next = table.nextExpiry(); next && *next <= clock.now()) std::abort();
            break;
        case 6:
            table.keepOnlyInterfaces((op & 0x10) ? std::vector<std::string>{"eth0"} : kInterfaces);
            break;
        case 7:
            if (table.answers().answerDue(clock.now())) table.answers().onAnnounced(clock.now());
            break;
        }
        checkInvariants(table, limits);
        if (step % 3 == 0) checkChanges(table.takeChanges(), known);
    }
    checkChanges(table.takeChanges(), known);
    // After the final take, the consumer's view is exactly the table.
    std::set<KnownKey> inTable;
    for (const PeerHint& hint : table.snapshot())
        inTable.insert(keyOf(hint));
    if (inTable != known) std::abort();
    return 0;
}
