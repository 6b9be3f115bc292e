// DiscoveryTable against floods of forged beacons: bounded size, bounded change lists, real peers kept.
#include "BeaconFactory.hpp"
#include "duet/discovery/DiscoveryTable.hpp"

#include <algorithm>
#include <doctest/doctest.h>

using namespace duet;
using namespace duet::discovery;
using namespace duet::discovery::test;
using wire::BeaconKind;

namespace {

constexpr std::uint64_t kOwnId = 0x0123456789ABCDEFull;
constexpr Millis kInterval{2000};

bool listed(const DiscoveryTable& table, std::uint64_t instanceId)
{
    const auto hints = table.snapshot();
    return std::any_of(hints.begin(), hints.end(),
                       [&](const PeerHint& hint) { return hint.key.claimedInstanceId == instanceId; });
}

} // namespace

TEST_CASE("a flood of 10,000 distinct forged instances keeps the table bounded and the real peers listed")
{
    FakeClock clock;
    DiscoveryTable table(kOwnId, tableConfigFor(kInterval, Millis(500)));
    const TableLimits limits;

    // Two real peers, heard over two announce rounds.
    const wire::Bytes realA = beaconBytes(1, BeaconKind::Announce, 40001, "a");
    const wire::Bytes realB = beaconBytes(2, BeaconKind::Announce, 40002, "b");
    for (int round = 0; round < 2; ++round) {
        table.onDatagram(realA, Sighting{addr(10, 0, 0, 1), "eth0"}, clock.now());
        table.onDatagram(realB, Sighting{addr(10, 0, 0, 2), "eth0"}, clock.now());
        if (round == 0) clock.advance(kInterval);
    }
    table.takeChanges();

    // 10,000 forged instances over 10 s (1,000 per second) from forged source addresses across a /16, with
    // the real peers announcing every 2 s and the consumer taking changes every 100 ms as the engine would.
    std::size_t largestChangeBatch = 0;
    for (int i = 0; i < 10000; ++i) {
        const auto id = static_cast<std::uint64_t>(1000 + i);
        const Ipv4Address forged =
            addr(10, 9, static_cast<std::uint8_t>(i / 250), static_cast<std::uint8_t>(i % 250));
        table.onDatagram(
            beaconBytes(id, BeaconKind::Announce, 40000, std::to_string(i), static_cast<std::uint8_t>(i)),
            Sighting{forged, "eth0"}, clock.now());
        CHECK(table.size() <= limits.maxHints);
        if (i % 100 == 99) {
            clock.advance(Millis(100));
            table.expire(clock.now());
            largestChangeBatch = std::max(largestChangeBatch, table.takeChanges().size());
        }
        if (i % 2000 == 1999) {
            table.onDatagram(realA, Sighting{addr(10, 0, 0, 1), "eth0"}, clock.now());
            table.onDatagram(realB, Sighting{addr(10, 0, 0, 2), "eth0"}, clock.now());
        }
    }
    CHECK(table.size() == limits.maxHints);
    CHECK(largestChangeBatch <= 2 * limits.maxHints);
    CHECK(table.counters().hintsEvicted == 10000 + 2 - limits.maxHints);
    CHECK(listed(table, 1));
    CHECK(listed(table, 2));
}

TEST_CASE("one source address holds at most 16 endpoints, so a single host cannot fill the table")
{
    FakeClock clock;
    DiscoveryTable table(kOwnId, tableConfigFor(kInterval, Millis(500)));
    const Ipv4Address flooder = addr(192, 168, 1, 66);
    table.onDatagram(beaconBytes(1), Sighting{addr(192, 168, 1, 20), "eth0"}, clock.now());
    for (int i = 0; i < 1000; ++i) {
        table.onDatagram(beaconBytes(static_cast<std::uint64_t>(100 + i)), Sighting{flooder, "eth0"},
                         clock.now());
        clock.advance(Millis(1));
    }
    CHECK(table.size() == 1 + TableLimits{}.maxEndpointsPerSource);
    CHECK(listed(table, 1));
    // The survivors are the newest ones from that address.
    CHECK(listed(table, 100 + 999));
    CHECK_FALSE(listed(table, 100));
    // Nothing was reported yet, so the evicted hints vanish silently and the change list stays short.
    CHECK(table.takeChanges().size() == 1 + TableLimits{}.maxEndpointsPerSource);
}

TEST_CASE("one hint holds at most 8 endpoints")
{
    FakeClock clock;
    DiscoveryTable table(kOwnId, tableConfigFor(kInterval, Millis(500)));
    const wire::Bytes beacon = beaconBytes(7);
    for (int i = 0; i < 50; ++i) {
        table.onDatagram(beacon, Sighting{addr(10, 0, 1, static_cast<std::uint8_t>(i)), "eth0"}, clock.now());
        clock.advance(Millis(1));
    }
    const auto hints = table.snapshot();
    REQUIRE(hints.size() == 1);
    CHECK(hints[0].endpoints.size() == TableLimits{}.maxEndpointsPerHint);
    CHECK(hints[0].endpoints.back().sourceAddress == addr(10, 0, 1, 49));
}

TEST_CASE("evicting a reported hint reports it Lost as Evicted")
{
    FakeClock clock;
    TableLimits small;
    small.maxHints = 4;
    DiscoveryTable table(kOwnId, tableConfigFor(kInterval, Millis(500), small));
    for (std::uint8_t i = 1; i <= 4; ++i)
        table.onDatagram(beaconBytes(i), Sighting{addr(10, 0, 0, i), "eth0"}, clock.now());
    CHECK(table.takeChanges().size() == 4);
    clock.advance(Millis(10));
    table.onDatagram(beaconBytes(5), Sighting{addr(10, 0, 0, 5), "eth0"}, clock.now());
    const auto changes = table.takeChanges();
    REQUIRE(changes.size() == 2);
    CHECK(changes[0].kind == ChangeKind::Lost);
    CHECK(changes[0].reason == LostReason::Evicted);
    REQUIRE(changes[0].hint.endpoints.size() == 1); // where it was last heard, for peer_lost
    CHECK(changes[0].hint.endpoints[0].sourceAddress ==
          addr(10, 0, 0, changes[0].hint.key.claimedInstanceId));
    CHECK(changes[1].kind == ChangeKind::Found);
    CHECK(changes[1].hint.key.claimedInstanceId == 5);
    CHECK(table.size() == 4);
}
