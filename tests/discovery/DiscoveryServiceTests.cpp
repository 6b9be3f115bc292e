// DiscoveryService over loopback in one process: several instances bound to one port, as on one machine.
#include "BeaconFactory.hpp"
#include "LoopbackHarness.hpp"

#include <algorithm>
#include <doctest/doctest.h>

using namespace duet;
using namespace duet::discovery;
using namespace duet::discovery::test;
using wire::BeaconKind;

namespace {
const Ipv4Address kLoopbackBroadcast = Ipv4Address::fromOctets(127, 255, 255, 255);
const Ipv4Address kLocalhost = Ipv4Address::fromOctets(127, 0, 0, 1);

const PeerHint* hintFor(const DiscoveryService& observer, const DiscoveryService& peer,
                        std::vector<PeerHint>& keep)
{
    keep = observer.peers();
    const auto it = std::find_if(keep.begin(), keep.end(), [&](const PeerHint& hint) {
        return hint.key.claimedInstanceId == peer.instanceId();
    });
    return it == keep.end() ? nullptr : &*it;
}
} // namespace

TEST_CASE("two instances on one machine find each other at once and report the source address")
{
    LoopbackHarness lab;
    const auto config = loopbackConfig(freeUdpPort(), Millis(2000));
    auto& a = lab.add(config, "alpha", 41001);
    auto& b = lab.add(config, "beta", 41002);
    // Well under one interval: b's start query lists b at a and makes a answer at once.
    REQUIRE(lab.runUntil([&] { return lab.lists(a, b) && lab.lists(b, a); }, Millis(1000)));

    std::vector<PeerHint> keep;
    const PeerHint* seenByB = hintFor(b, a, keep);
    REQUIRE(seenByB != nullptr);
    CHECK(seenByB->claimedName == "alpha");
    REQUIRE(seenByB->endpoints.size() == 1);
    CHECK(seenByB->endpoints[0].sourceAddress == kLocalhost);
    CHECK(seenByB->endpoints[0].interfaceName == "lo");
    CHECK(seenByB->endpoints[0].claimedEnetPort == 41001);
    CHECK(a.counters().queryAnswersSent == 1);
    CHECK(b.counters().ownBeacons >= 1); // our broadcasts loop back and are recognised
    CHECK(a.counters().sendErrors == 0);
}

TEST_CASE("a newly started instance is filled in by answers long before the next announce")
{
    LoopbackHarness lab;
    const auto config = loopbackConfig(freeUdpPort(), Millis(10000));
    auto& a = lab.add(config, "alpha", 41001);
    auto& b = lab.add(config, "beta", 41002);
    REQUIRE(lab.runUntil([&] { return lab.lists(b, a); }, Millis(1000)));
    lab.runFor(Millis(600)); // past a's answer window

    auto& c = lab.add(config, "gamma", 41003);
    REQUIRE(lab.runUntil([&] { return lab.lists(c, a) && lab.lists(c, b); }, Millis(1000)));
    CHECK(a.counters().queryAnswersSent == 2);
    CHECK(a.counters().announceRounds == 0); // only answers: the periodic announce is 10 s away
}

TEST_CASE("a Leaving removes the instance from the others at once")
{
    LoopbackHarness lab;
    const auto config = loopbackConfig(freeUdpPort(), Millis(2000));
    auto& a = lab.add(config, "alpha", 41001);
    auto& b = lab.add(config, "beta", 41002);
    REQUIRE(lab.runUntil([&] { return lab.lists(a, b); }, Millis(1000)));
    b.sendLeaving();
    REQUIRE(lab.runUntil([&] { return lab.sawLost(a, b, LostReason::Left); }, Millis(300)));
    CHECK_FALSE(lab.lists(a, b));
    const auto sentAfterLeaving = b.counters().datagramsSent;
    lab.runFor(Millis(300));
    CHECK(b.counters().datagramsSent == sentAfterLeaving);
}

TEST_CASE("announces keep their interval and an instance that goes silent expires")
{
    LoopbackHarness lab;
    const auto config = loopbackConfig(freeUdpPort(), Millis(200));
    auto& a = lab.add(config, "alpha", 41001);
    auto& b = lab.add(config, "beta", 41002);
    lab.runFor(Millis(1100));
    CHECK(a.counters().announceRounds >= 4);
    CHECK(a.counters().announceRounds <= 6);
    REQUIRE(lab.lists(a, b));

    // Silence without a Leaving, as if b were killed: with no allowed interface b sends and hears nothing.
    b.setInterfaces({"no-such-interface"});
    REQUIRE(lab.runUntil([&] { return lab.sawLost(a, b, LostReason::Expired); }, Millis(1500)));
    // Expiry is 3.5 intervals (700 ms) after the last beacon.
    CHECK_FALSE(lab.lists(a, b));
    CHECK(lab.sawLost(b, a, LostReason::InterfaceGone));
}

TEST_CASE("an invisible instance sends nothing and still lists others")
{
    LoopbackHarness lab;
    const auto config = loopbackConfig(freeUdpPort(), Millis(300));
    auto& a = lab.add(config, "alpha", 41001);
    auto& hidden = lab.add(config, "hidden", 41002, false);
    hidden.setVisible(false);
    REQUIRE(hidden.start(SystemClock().now()));
    REQUIRE(lab.runUntil([&] { return lab.lists(hidden, a); }, Millis(1000)));
    lab.runFor(Millis(400));
    CHECK(hidden.counters().datagramsSent == 0);
    CHECK(hidden.counters().queryAnswersSent == 0);
    CHECK_FALSE(lab.lists(a, hidden));

    hidden.setVisible(true);
    REQUIRE(lab.runUntil([&] { return lab.lists(a, hidden); }, Millis(300)));
    hidden.setVisible(false);
    REQUIRE(lab.runUntil([&] { return lab.sawLost(a, hidden, LostReason::Left); }, Millis(300)));
}

TEST_CASE("unicast, oversized, malformed and forged-port datagrams are dropped and counted")
{
    LoopbackHarness lab;
    const std::uint16_t port = freeUdpPort();
    auto& a = lab.add(loopbackConfig(port, Millis(10000)), "alpha", 41001);
    lab.runFor(Millis(100));
    const DiscoveryCounters before = a.counters();

    sendRaw(beaconBytes(77), kLocalhost, port); // valid, but addressed to one host
    sendRaw(wire::Bytes(2000, 'D'), kLoopbackBroadcast, port);
    wire::Bytes nearlyValid = beaconBytes(78);
    nearlyValid[0] = 'X';
    sendRaw(nearlyValid, kLoopbackBroadcast, port);
    sendRaw(beaconBytes(79, BeaconKind::Announce, 53), kLoopbackBroadcast, port);
    sendRaw(beaconBytes(80, BeaconKind::Announce, 41080, "forged"), kLoopbackBroadcast, port); // accepted

    const auto received = [&] { return a.counters().datagramsReceived - before.datagramsReceived; };
    REQUIRE(lab.runUntil([&] { return received() >= 5; }, Millis(1000)));
    const DiscoveryCounters& after = a.counters();
    CHECK(after.droppedUnicast - before.droppedUnicast == 1);
    CHECK(after.droppedOversized - before.droppedOversized == 1);
    CHECK(after.droppedMalformed - before.droppedMalformed == 1);
    CHECK(after.droppedLowPort - before.droppedLowPort == 1);
    CHECK(after.beaconsAccepted - before.beaconsAccepted == 1);
    const auto hints = a.peers();
    REQUIRE(hints.size() == 1);
    CHECK(hints[0].key.claimedInstanceId == 80);
}

TEST_CASE("beacons from interfaces outside the allow-list are ignored until it changes")
{
    LoopbackHarness lab;
    const auto config = loopbackConfig(freeUdpPort(), Millis(200));
    auto& a = lab.add(config, "alpha", 41001);
    auto restricted = config;
    restricted.interfaceAllowList = {"no-such-interface"};
    auto& b = lab.add(restricted, "beta", 41002);
    lab.runFor(Millis(500));
    CHECK(b.interfaces().empty());
    CHECK(b.peers().empty());
    CHECK(b.counters().droppedInterface > 0);
    CHECK(b.counters().datagramsSent == 0);

    b.setInterfaces({"lo"});
    REQUIRE(lab.runUntil([&] { return lab.lists(b, a) && lab.lists(a, b); }, Millis(600)));
}

TEST_CASE("one onReadable call handles at most maxDatagramsPerCall datagrams")
{
    LoopbackHarness lab;
    const std::uint16_t port = freeUdpPort();
    auto config = loopbackConfig(port, Millis(10000));
    config.maxDatagramsPerCall = 10;
    std::string error;
    auto service = DiscoveryService::open(config, error); // not started: it sends nothing of its own
    REQUIRE(service != nullptr);
    for (int i = 0; i < 50; ++i)
        sendRaw(wire::Bytes(40, static_cast<std::uint8_t>(i)), kLoopbackBroadcast, port);

    service->onReadable(SystemClock().now());
    CHECK(service->counters().datagramsReceived == 10);
    for (int call = 0; call < 10; ++call)
        service->onReadable(SystemClock().now());
    CHECK(service->counters().datagramsReceived == 50);
    CHECK(service->counters().droppedMalformed == 50);
}

TEST_CASE(
    "identities with control characters or no port are refused and long names are cut between characters")
{
    LoopbackHarness lab;
    const auto config = loopbackConfig(freeUdpPort(), Millis(2000));
    auto& a = lab.add(config, "alpha", 41001);
    std::string error;
    auto b = DiscoveryService::open(config, error);
    REQUIRE(b != nullptr);
    CHECK_FALSE(b->setIdentity("bad\nname", 41002, {}));
    CHECK_FALSE(b->setIdentity("bad\x7f", 41002, {}));
    CHECK_FALSE(b->setIdentity("bad\xff", 41002, {}));
    CHECK_FALSE(b->setIdentity("ok", 0, {}));
    CHECK_FALSE(b->start(SystemClock().now())); // no identity yet

    std::string longName = "x"; // then 70 two-byte characters: a cut at 64 bytes would split one
    for (int i = 0; i < 70; ++i)
        longName += "\xC3\xA9";
    REQUIRE(b->setIdentity(longName, 41002, {}));
    REQUIRE(b->start(SystemClock().now()));

    // Pump b by hand next to the harness's a.
    const MonoTime end = SystemClock().now() + Millis(1000);
    std::vector<PeerHint> keep;
    while (hintFor(a, *b, keep) == nullptr && SystemClock().now() < end) {
        lab.runFor(Millis(20));
        b->onReadable(SystemClock().now());
        b->tick(SystemClock().now());
    }
    const PeerHint* hint = hintFor(a, *b, keep);
    REQUIRE(hint != nullptr);
    CHECK(hint->claimedName.size() == 63);
    CHECK(hint->claimedName == longName.substr(0, 63));
}
