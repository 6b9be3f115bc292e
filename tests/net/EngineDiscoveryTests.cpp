// LAN discovery inside the engine: two real engines on one machine find each other through loopback
// broadcast on a test-only discovery port, and the engine's wait stays event-driven.
#include "EngineHarness.hpp"
#include "duet/net/DiscoveryGlue.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace duet;
using namespace duet::test;

namespace {

// A port no other process holds right now (the kernel's pick), so parallel ctest runs never hear each other.
std::uint16_t testDiscoveryPort()
{
    const int probe = ::socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(probe >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    const bool ok = ::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                    ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    ::close(probe);
    REQUIRE(ok);
    return ntohs(address.sin_port);
}

auto foundFor(const TestPeer& other)
{
    const std::string fingerprint = other.fingerprint();
    return std::function<bool(const event::LanPeerFound&)>(
        [fingerprint](const event::LanPeerFound& e) { return e.fingerprintHint == fingerprint; });
}

double processCpuSeconds()
{
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

} // namespace

TEST_CASE("discovery: a fingerprint and its hint convert both ways")
{
    discovery::FingerprintHint hint{};
    for (std::size_t i = 0; i < hint.size(); ++i)
        hint[i] = static_cast<std::uint8_t>(i * 37 + 11);
    const std::string text = net::fingerprintTextOf(hint);
    CHECK(text.size() == 39);
    CHECK(net::fingerprintHintFrom(text) == hint);
    CHECK_FALSE(net::fingerprintHintFrom("ABCD-EFGH"));
    CHECK_FALSE(net::fingerprintHintFrom("ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-456!"));
    CHECK(net::lanPeerKey({0x0102030405060708ull, hint}).size() == 16 + 40);
}

TEST_CASE("discovery: two engines find each other, connect by the found address, and see one leave")
{
    const std::uint16_t port = testDiscoveryPort();
    TestPeer alice(named("alice").discoveringOn(port));
    TestPeer bob(named("bob").discoveringOn(port));
    REQUIRE(alice.listening());
    REQUIRE(bob.listening());
    CHECK(alice.waitFor<event::DiscoveryState>([](const auto& e) { return e.available && e.visible; }, 1s));

    const auto start = std::chrono::steady_clock::now();
    auto bobSeen = alice.waitFor<event::LanPeerFound>(foundFor(bob), 3s);
    REQUIRE(bobSeen);
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    CHECK(bobSeen->name == "bob");
    CHECK(bobSeen->port == bob.port());
    REQUIRE_FALSE(bobSeen->addresses.empty());
    CHECK(bobSeen->addresses.front() == "127.0.0.1:" + std::to_string(bob.port()));
    CHECK_FALSE(bobSeen->matchesPinnedPeer);
    REQUIRE(bob.waitFor<event::LanPeerFound>(foundFor(alice), 3s));

    // Connect where the beacon came from; the handshake then proves (and pins) the identity.
    alice.post(command::Connect{"127.0.0.1", bobSeen->port});
    auto connected = alice.waitFor<event::PeerConnected>(3s);
    REQUIRE(connected);
    CHECK(connected->fingerprint == bob.fingerprint());
    REQUIRE(alice.waitFor<event::PeerVerified>(3s));

    // Now the hint matches a pinned key (still only a claim until a handshake).
    alice.post(command::ListLanPeers{});
    const std::string bobFingerprint = bob.fingerprint();
    auto relisted = alice.waitFor<event::LanPeerFound>(
        [&](const auto& e) { return e.fingerprintHint == bobFingerprint && e.matchesPinnedPeer; }, 1s);
    REQUIRE(relisted);
    CHECK(relisted->key == bobSeen->key);

    const std::string bobKey = bobSeen->key;
    bob.post(command::Shutdown{});
    const auto left = std::chrono::steady_clock::now();
    auto lost = alice.waitFor<event::LanPeerLost>([&](const auto& e) { return e.key == bobKey; }, 3s);
    REQUIRE(lost);
    CHECK(lost->reason == "left");
    CHECK(std::chrono::steady_clock::now() - left < 1500ms);
}

TEST_CASE("discovery: invisibility is announced, persisted, and other peers stay listed")
{
    const std::uint16_t port = testDiscoveryPort();
    TempDir bobProfile;
    TestPeer alice(named("alice").discoveringOn(port));
    std::string firstKey;
    {
        TestPeer bob(named("bob").discoveringOn(port).inProfile(bobProfile.path()));
        auto seen = alice.waitFor<event::LanPeerFound>(foundFor(bob), 3s);
        REQUIRE(seen);
        firstKey = seen->key;
        bob.post(command::SetVisible{false});
        CHECK(bob.waitFor<event::DiscoveryState>([](const auto& e) { return !e.visible; }, 1s));
        auto lost = alice.waitFor<event::LanPeerLost>([&](const auto& e) { return e.key == seen->key; }, 2s);
        REQUIRE(lost);
        CHECK(lost->reason == "left");
        // Invisible still lists others.
        bob.post(command::ListLanPeers{});
        CHECK(bob.waitFor<event::LanPeerFound>(foundFor(alice), 3s));
    }
    TestPeer bobAgain(named("bob").discoveringOn(port).inProfile(bobProfile.path()));
    auto state = bobAgain.waitFor<event::DiscoveryState>(2s);
    REQUIRE(state);
    CHECK_FALSE(state->visible);
    alice.idle(2500ms); // more than one announce interval: an invisible engine sends nothing
    // Same profile, new instance: a new key would mean the restarted engine announced itself.
    CHECK_FALSE(alice.waitFor<event::LanPeerFound>(
        [&](const event::LanPeerFound& e) {
            return e.fingerprintHint == bobAgain.fingerprint() && e.key != firstKey;
        },
        0ms));
}

TEST_CASE("discovery: interface restriction is validated and persisted")
{
    TempDir profile;
    const std::uint16_t port = testDiscoveryPort();
    {
        TestPeer peer(named("solo").discoveringOn(port).inProfile(profile.path()));
        peer.post(command::SetDiscoveryInterfaces{{"bad name"}});
        CHECK(peer.waitFor<event::Error>(1s));
        peer.post(command::SetDiscoveryInterfaces{{"lo", "eth9"}});
        auto state =
            peer.waitFor<event::DiscoveryState>([](const auto& e) { return e.interfaces.size() == 2; }, 1s);
        REQUIRE(state);
        CHECK(state->interfaces.front() == "lo");
        // The settings window offers the machine's interfaces; this engine also announces on loopback.
        CHECK(std::find(state->machineInterfaces.begin(), state->machineInterfaces.end(), "lo") !=
              state->machineInterfaces.end());
    }
    TestPeer again(named("solo").discoveringOn(port).inProfile(profile.path()));
    auto state = again.waitFor<event::DiscoveryState>(2s);
    REQUIRE(state);
    CHECK(state->interfaces == std::vector<std::string>{"lo", "eth9"});
}

TEST_CASE("discovery: the net thread sleeps when idle and still wakes at once for a command")
{
    const std::uint16_t port = testDiscoveryPort();
    TestPeer alice(named("alice").discoveringOn(port));
    TestPeer bob(named("bob").discoveringOn(port));
    REQUIRE(alice.waitFor<event::LanPeerFound>(foundFor(bob), 3s));

    const double cpuBefore = processCpuSeconds();
    std::this_thread::sleep_for(3s);
    const double idleCpu = processCpuSeconds() - cpuBefore;
    MESSAGE("CPU of two idle engines with discovery over 3 s: " << idleCpu * 1000 << " ms");
    CHECK(idleCpu < 0.15);

    double worstMs = 0;
    for (int i = 0; i < 5; ++i) {
        const auto sent = std::chrono::steady_clock::now();
        alice.post(command::SetVisible{i % 2 == 0});
        REQUIRE(alice.waitFor<event::DiscoveryState>(1s));
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent).count();
        worstMs = std::max(worstMs, ms);
    }
    MESSAGE("worst command-to-event latency: " << worstMs << " ms");
    CHECK(worstMs < 100);
}
