// LAN discovery inside the engine: two real engines on one machine find each other through loopback
// broadcast on a test-only discovery port, and the engine's wait stays event-driven.
#include "EngineHarness.hpp"
#include "duet/discovery/DefaultName.hpp"
#include "duet/net/DiscoveryGlue.hpp"
#include "duet/profile/ProfileStore.hpp"
#include "support/EnvOverride.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cstdlib>
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

// A profile restricted to loopback before its engine first starts: the machine may have other interfaces,
// and these tests send beacons nowhere but 127.0.0.0/8.
class LoopbackProfile {
public:
    LoopbackProfile() { profile::ProfileStore::open(m_dir.path())->setSetting("discovery_interfaces", "lo"); }
    const std::filesystem::path& path() const { return m_dir.path(); }

private:
    TempDir m_dir;
};

PeerOptions onLoopback(std::string name, std::uint16_t discoveryPort, const LoopbackProfile& profile)
{
    return named(std::move(name)).discoveringOn(discoveryPort).inProfile(profile.path());
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
    LoopbackProfile aliceProfile, bobProfile;
    TestPeer alice(onLoopback("alice", port, aliceProfile));
    TestPeer bob(onLoopback("bob", port, bobProfile));
    REQUIRE(alice.listening());
    REQUIRE(bob.listening());
    CHECK(alice.waitFor<event::DiscoveryState>(
        [](const auto& e) {
            return e.available && e.visible && e.interfaces == std::vector<std::string>{"lo"};
        },
        1s));

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
    // The same claims as peer_found: where it was last heard, its name, port and fingerprint hint.
    CHECK(lost->name == "bob");
    CHECK(lost->address == "127.0.0.1:" + std::to_string(bobSeen->port));
    CHECK(lost->port == bobSeen->port);
    CHECK(lost->fingerprintHint == bobFingerprint);
}

TEST_CASE("discovery: with no name set, neither beacon nor Hello carries the account name")
{
    const std::uint16_t port = testDiscoveryPort();
    const std::string marker = "acct-marker-" + std::to_string(::getpid());
    const duet::test::EnvOverride user("USER", marker);
    const duet::test::EnvOverride logname("LOGNAME", marker);

    // A raw listener on the discovery port (SO_REUSEPORT: every socket gets each broadcast).
    const int listener = ::socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(listener >= 0);
    const int on = 1;
    ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    ::setsockopt(listener, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
    const timeval wait{0, 200'000};
    ::setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    sockaddr_in any{};
    any.sin_family = AF_INET;
    any.sin_port = htons(port);
    any.sin_addr.s_addr = htonl(INADDR_ANY);
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&any), sizeof any) == 0);

    LoopbackProfile aliceProfile, unnamedProfile;
    TestPeer alice(onLoopback("alice", port, aliceProfile));
    TestPeer unnamed(onLoopback("", port, unnamedProfile));
    REQUIRE(unnamed.listening());
    const std::string expected = discovery::defaultDisplayName();
    REQUIRE(expected.find(marker) == std::string::npos);

    auto seen = alice.waitFor<event::LanPeerFound>(foundFor(unnamed), 3s);
    REQUIRE(seen);
    CHECK(seen->name == expected);

    // Every beacon on the wire, from both engines, for a bounded time: none holds the marker.
    std::size_t beacons = 0;
    const auto until = std::chrono::steady_clock::now() + 2500ms;
    while (std::chrono::steady_clock::now() < until && beacons < 200) {
        std::array<char, 2048> datagram{};
        const ssize_t size = ::recv(listener, datagram.data(), datagram.size(), 0);
        if (size <= 0) continue;
        ++beacons;
        CHECK(std::string_view(datagram.data(), static_cast<std::size_t>(size)).find(marker) ==
              std::string_view::npos);
    }
    ::close(listener);
    CHECK(beacons > 0);

    // The Hello: alice learns the name the handshake's first record carried.
    alice.post(command::Connect{"127.0.0.1", unnamed.port()});
    auto connected = alice.waitFor<event::PeerConnected>(3s);
    REQUIRE(connected);
    CHECK(connected->name == expected);
    CHECK(connected->name.find(marker) == std::string::npos);
}

TEST_CASE("discovery: invisibility is announced, persisted, and other peers stay listed")
{
    const std::uint16_t port = testDiscoveryPort();
    LoopbackProfile aliceProfile, bobProfile;
    TestPeer alice(onLoopback("alice", port, aliceProfile));
    std::string firstKey;
    {
        TestPeer bob(onLoopback("bob", port, bobProfile));
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
    TestPeer bobAgain(onLoopback("bob", port, bobProfile));
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
    LoopbackProfile profile;
    const std::uint16_t port = testDiscoveryPort();
    {
        TestPeer peer(onLoopback("solo", port, profile));
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
    TestPeer again(onLoopback("solo", port, profile));
    auto state = again.waitFor<event::DiscoveryState>(2s);
    REQUIRE(state);
    CHECK(state->interfaces == std::vector<std::string>{"lo", "eth9"});
}

TEST_CASE("discovery: the net thread sleeps when idle and still wakes at once for a command")
{
    const std::uint16_t port = testDiscoveryPort();
    LoopbackProfile aliceProfile, bobProfile;
    TestPeer alice(onLoopback("alice", port, aliceProfile));
    TestPeer bob(onLoopback("bob", port, bobProfile));
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
