// DiscoveryTable under FakeClock: what a stream of datagrams turns into, and what stays bounded.
#include "AllocationCounter.hpp"
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

struct Fixture {
    FakeClock clock;
    DiscoveryTable table{kOwnId, tableConfigFor(kInterval, Millis(500))};
    Ipv4Address lanAddress = addr(192, 168, 1, 20);

    IngestResult feed(wire::ByteSpan bytes, Ipv4Address from, std::string_view iface = "eth0")
    {
        return table.onDatagram(bytes, Sighting{from, iface}, clock.now());
    }
    IngestResult feed(wire::ByteSpan bytes) { return feed(bytes, lanAddress); }
};

} // namespace

TEST_CASE("an announce is reported once as Found with its source address, interface and claimed port")
{
    Fixture f;
    CHECK(f.feed(beaconBytes(7, BeaconKind::Announce, 40001, "alice")) == IngestResult::Accepted);
    auto changes = f.table.takeChanges();
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].kind == ChangeKind::Found);
    const PeerHint& hint = changes[0].hint;
    CHECK(hint.key.claimedInstanceId == 7);
    CHECK(hint.key.claimedFingerprint == fingerprintOf(0xA1));
    CHECK(hint.claimedName == "alice");
    REQUIRE(hint.endpoints.size() == 1);
    CHECK(hint.endpoints[0].sourceAddress == f.lanAddress);
    CHECK(hint.endpoints[0].interfaceName == "eth0");
    CHECK(hint.endpoints[0].claimedEnetPort == 40001);

    // The same beacon again (each round arrives up to three times: subnet broadcast, 255.255.255.255, group)
    // refreshes silently.
    f.clock.advance(kInterval);
    f.feed(beaconBytes(7, BeaconKind::Announce, 40001, "alice"));
    f.feed(beaconBytes(7, BeaconKind::Announce, 40001, "alice"));
    CHECK(f.table.takeChanges().empty());
    CHECK(f.table.size() == 1);
}

TEST_CASE("a second interface, a new port or a new name is reported as Updated")
{
    Fixture f;
    f.feed(beaconBytes(7));
    f.table.takeChanges();

    f.feed(beaconBytes(7), addr(10, 0, 0, 5), "wlan0");
    auto changes = f.table.takeChanges();
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].kind == ChangeKind::Updated);
    REQUIRE(changes[0].hint.endpoints.size() == 2);
    CHECK(changes[0].hint.endpoints[1].sourceAddress == addr(10, 0, 0, 5));
    CHECK(changes[0].hint.endpoints[1].interfaceName == "wlan0");

    f.feed(beaconBytes(7, BeaconKind::Announce, 40999));
    changes = f.table.takeChanges();
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].hint.endpoints[0].claimedEnetPort == 40999);
    CHECK(changes[0].hint.endpoints[1].claimedEnetPort == 40000); // each endpoint keeps its own claim

    f.feed(beaconBytes(7, BeaconKind::Announce, 40999, "alice (work)"));
    changes = f.table.takeChanges();
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].kind == ChangeKind::Updated);
    CHECK(changes[0].hint.claimedName == "alice (work)");
}

TEST_CASE("a peer is lost after three missed intervals and one missing endpoint alone is an update")
{
    Fixture f;
    f.feed(beaconBytes(7));
    f.feed(beaconBytes(7), addr(10, 0, 0, 5), "wlan0");
    f.table.takeChanges();
    const MonoTime lastBeacon = f.clock.now();
    REQUIRE(f.table.nextExpiry() == lastBeacon + Millis(7000));

    // Only eth0 keeps announcing.
    for (int round = 1; round <= 3; ++round) {
        f.clock.advance(kInterval);
        f.feed(beaconBytes(7));
        f.table.expire(f.clock.now());
    }
    CHECK(f.table.takeChanges().empty()); // 6 s: wlan0 missed three rounds but is within the slack
    f.clock.advance(Millis(1000));
    f.table.expire(f.clock.now());
    auto changes = f.table.takeChanges();
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].kind == ChangeKind::Updated);
    CHECK(changes[0].hint.endpoints.size() == 1);

    // eth0 went silent after the 6 s beacon: still listed 6.9 s after it (1 s already passed), gone at 7 s.
    f.clock.advance(Millis(5900));
    f.table.expire(f.clock.now());
    CHECK(f.table.takeChanges().empty());
    f.clock.advance(Millis(100));
    f.table.expire(f.clock.now());
    changes = f.table.takeChanges();
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].kind == ChangeKind::Lost);
    CHECK(changes[0].reason == LostReason::Expired);
    CHECK(changes[0].hint.key.claimedInstanceId == 7);
    // It says where the peer was last heard (for peer_lost's address and port).
    REQUIRE(changes[0].hint.endpoints.size() == 1);
    CHECK(changes[0].hint.endpoints[0].sourceAddress == f.lanAddress);
    CHECK(changes[0].hint.endpoints[0].interfaceName == "eth0");
    CHECK(changes[0].hint.endpoints[0].claimedEnetPort == 40000);
    CHECK(f.table.size() == 0);
    CHECK_FALSE(f.table.nextExpiry().has_value());
}

TEST_CASE("a Leaving beacon removes the peer at once, but only from the address it came from")
{
    Fixture f;
    f.feed(beaconBytes(7));
    f.table.takeChanges();

    // A forged Leaving with the same claims from another address changes nothing.
    f.feed(beaconBytes(7, BeaconKind::Leaving), addr(192, 168, 1, 66));
    CHECK(f.table.takeChanges().empty());
    CHECK(f.table.size() == 1);

    // A Leaving for a hint never seen does not create one.
    f.feed(beaconBytes(99, BeaconKind::Leaving));
    CHECK(f.table.size() == 1);

    f.feed(beaconBytes(7, BeaconKind::Leaving));
    auto changes = f.table.takeChanges();
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].kind == ChangeKind::Lost);
    CHECK(changes[0].reason == LostReason::Left);
    REQUIRE(changes[0].hint.endpoints.size() == 1);
    CHECK(changes[0].hint.endpoints[0].sourceAddress == f.lanAddress);
    CHECK(f.table.size() == 0);
}

TEST_CASE("our own beacons are ignored and counted")
{
    Fixture f;
    CHECK(f.feed(beaconBytes(kOwnId)) == IngestResult::Own);
    CHECK(f.feed(beaconBytes(kOwnId, BeaconKind::Query)) == IngestResult::Own);
    CHECK(f.table.size() == 0);
    CHECK(f.table.takeChanges().empty());
    CHECK(f.table.counters().ownBeacons == 2);
    CHECK_FALSE(f.table.answers().pending()); // we never answer ourselves
}

TEST_CASE("malformed, oversized and low-port beacons are dropped and counted")
{
    Fixture f;
    const wire::Bytes good = beaconBytes(7);

    wire::Bytes badMagic = good;
    badMagic[0] = 'X';
    wire::Bytes wrongVersion = good;
    wrongVersion[4] = 99;
    wire::Bytes unknownKind = good;
    unknownKind[5] = 7;
    const wire::Bytes truncated(good.begin(), good.begin() + 20);
    wire::Bytes trailing = good;
    trailing.push_back(0);
    const wire::Bytes controlInName = beaconBytes(7, BeaconKind::Announce, 40000, "evil\x1b[2J");
    const wire::Bytes empty;

    const wire::Bytes* const malformed[] = {&badMagic, &wrongVersion,  &unknownKind, &truncated,
                                            &trailing, &controlInName, &empty};
    for (const wire::Bytes* bytes : malformed)
        CHECK(f.feed(*bytes) == IngestResult::Malformed);

    wire::Bytes oneOver = good;
    oneOver.resize(wire::kMaxBeaconSize + 1, 'x');
    const wire::Bytes huge(64 * 1024, 0xFF);
    CHECK(f.feed(oneOver) == IngestResult::Oversized);
    CHECK(f.feed(huge) == IngestResult::Oversized);

    // A beacon aiming us at a privileged port (ssh, dns, ...) is not a Duet peer.
    CHECK(f.feed(beaconBytes(8, BeaconKind::Announce, 22)) == IngestResult::LowPort);

    CHECK(f.table.size() == 0);
    CHECK(f.table.takeChanges().empty());
    const DiscoveryCounters& counters = f.table.counters();
    CHECK(counters.droppedMalformed == 7);
    CHECK(counters.droppedOversized == 2);
    CHECK(counters.droppedLowPort == 1);
    CHECK(counters.datagramsReceived == 10);
    CHECK(counters.beaconsAccepted == 0);
}

TEST_CASE("garbage costs no allocation")
{
    Fixture f;
    wire::Bytes garbage(wire::kMaxBeaconSize + 1);
    for (std::size_t i = 0; i < garbage.size(); ++i)
        garbage[i] = static_cast<std::uint8_t>(i * 37 + 11);
    wire::Bytes wrongVersion = beaconBytes(7, BeaconKind::Announce, 40000, std::string(60, 'n'));
    wrongVersion[4] = 2;
    wire::Bytes badUtf8Short = beaconBytes(7, BeaconKind::Announce, 40000, "abc");
    badUtf8Short[badUtf8Short.size() - 1] = 0xFF;
    const wire::Bytes own = beaconBytes(kOwnId, BeaconKind::Announce, 40000, "me");

    std::size_t allocations = 0;
    {
        AllocationScope scope;
        for (int i = 0; i < 1000; ++i) {
            f.feed(wire::ByteSpan(garbage).first(static_cast<std::size_t>(i) % garbage.size()));
            f.feed(garbage);
            f.feed(wrongVersion);
            f.feed(badUtf8Short);
            f.feed(own);
        }
        allocations = scope.allocations();
    }
    CHECK(allocations == 0);
    CHECK(f.table.counters().datagramsReceived == 5000);
    CHECK(f.table.size() == 0);
}

TEST_CASE("a forged beacon with a real peer's claims shows as its own hint with the forger's address")
{
    Fixture f;
    const Ipv4Address real = addr(192, 168, 1, 20);
    const Ipv4Address forger = addr(192, 168, 1, 66);
    f.feed(beaconBytes(7, BeaconKind::Announce, 40000, "alice", 0xA1), real);
    f.table.takeChanges();

    // Same name and fingerprint hint, another instance id: a second hint, at the forger's address.
    f.feed(beaconBytes(8, BeaconKind::Announce, 40000, "alice", 0xA1), forger);
    auto changes = f.table.takeChanges();
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].kind == ChangeKind::Found);
    CHECK(changes[0].hint.claimedName == "alice");
    CHECK(changes[0].hint.endpoints[0].sourceAddress == forger);

    // Same instance id, another fingerprint: also separate, the real hint is untouched.
    f.feed(beaconBytes(7, BeaconKind::Announce, 40000, "mallory", 0xEE), forger);
    changes = f.table.takeChanges();
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].kind == ChangeKind::Found);
    CHECK(changes[0].hint.key.claimedFingerprint == fingerprintOf(0xEE));

    // Every claim copied: the forger's address joins the real hint as an endpoint of its own, so the engine
    // tries (and fails) a handshake there; the real address stays first and keeps its port.
    f.feed(beaconBytes(7, BeaconKind::Announce, 41111, "alice", 0xA1), forger);
    changes = f.table.takeChanges();
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].kind == ChangeKind::Updated);
    REQUIRE(changes[0].hint.endpoints.size() == 2);
    CHECK(changes[0].hint.endpoints[0].sourceAddress == real);
    CHECK(changes[0].hint.endpoints[0].claimedEnetPort == 40000);
    CHECK(changes[0].hint.endpoints[1].sourceAddress == forger);
    CHECK(f.table.size() == 3);
}

TEST_CASE("changes not yet taken are folded: Found then Lost is nothing, Found then Updated is one Found")
{
    Fixture f;
    f.feed(beaconBytes(7));
    f.feed(beaconBytes(7, BeaconKind::Leaving));
    CHECK(f.table.takeChanges().empty());

    f.feed(beaconBytes(8));
    f.feed(beaconBytes(8), addr(10, 0, 0, 8), "wlan0");
    auto changes = f.table.takeChanges();
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].kind == ChangeKind::Found);
    CHECK(changes[0].hint.endpoints.size() == 2);

    // Lost and found again between two takes: the consumer sees both, in that order.
    f.feed(beaconBytes(8, BeaconKind::Leaving));
    f.feed(beaconBytes(8, BeaconKind::Leaving), addr(10, 0, 0, 8), "wlan0");
    f.feed(beaconBytes(8));
    changes = f.table.takeChanges();
    REQUIRE(changes.size() == 2);
    CHECK(changes[0].kind == ChangeKind::Lost);
    CHECK(changes[1].kind == ChangeKind::Found);
}

TEST_CASE("a query lists its sender at once and schedules one rate-limited answer")
{
    Fixture f;
    CHECK_FALSE(f.table.answers().pending());
    f.feed(beaconBytes(7, BeaconKind::Query));
    auto changes = f.table.takeChanges();
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].kind == ChangeKind::Found);
    CHECK(f.table.counters().queriesReceived == 1);
    CHECK(f.table.answers().answerDue(f.clock.now()));
}

TEST_CASE("removing an interface loses the hints heard only there")
{
    Fixture f;
    f.feed(beaconBytes(7), addr(10, 0, 0, 7), "eth0");
    f.feed(beaconBytes(8), addr(10, 1, 0, 8), "eth1");
    f.feed(beaconBytes(8), addr(10, 0, 0, 8), "eth0");
    f.table.takeChanges();
    f.table.keepOnlyInterfaces({"eth1"});
    auto changes = f.table.takeChanges();
    REQUIRE(changes.size() == 2);
    const auto lost = std::find_if(changes.begin(), changes.end(),
                                   [](const DiscoveryChange& c) { return c.kind == ChangeKind::Lost; });
    REQUIRE(lost != changes.end());
    CHECK(lost->hint.key.claimedInstanceId == 7);
    CHECK(lost->reason == LostReason::InterfaceGone);
    REQUIRE(lost->hint.endpoints.size() == 1);
    CHECK(lost->hint.endpoints[0].sourceAddress == addr(10, 0, 0, 7));
    const auto kept = f.table.snapshot();
    REQUIRE(kept.size() == 1);
    REQUIRE(kept[0].endpoints.size() == 1);
    CHECK(kept[0].endpoints[0].interfaceName == "eth1");
}
