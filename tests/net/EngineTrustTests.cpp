// Checklist G3: a known peer (same name or same address) presenting a different key is a hard stop.
// Every engine here binds 0.0.0.0 and talks over 127.0.0.1, so "another host" is a pinned record seeded
// into the profile with an address from the documentation range 192.0.2.0/24.
#include "EngineHarness.hpp"
#include "duet/crypto/Crypto.hpp"
#include "duet/profile/ProfileStore.hpp"

#include <doctest/doctest.h>

using namespace duet;
using namespace duet::test;

namespace {

// Pins a made-up peer in the profile at `dir` and returns its fingerprint.
std::string seedPinnedPeer(const std::filesystem::path& dir, const std::string& name,
                           const std::string& address)
{
    crypto::SeededRandom random(42);
    const crypto::Identity identity = crypto::Identity::generate(random);
    profile::KnownPeer peer;
    peer.fingerprint = identity.fingerprint();
    peer.publicKey = identity.publicKey();
    peer.displayName = name;
    peer.lastAddress = address;
    peer.firstSeenMs = 1;
    peer.lastSeenMs = 1;
    peer.verified = true;
    profile::ProfileStore::open(dir)->pinPeer(peer);
    return peer.fingerprint;
}

bool isPinned(const std::filesystem::path& dir, const std::string& fingerprint)
{
    auto record = profile::ProfileStore::open(dir)->peerByFingerprint(fingerprint);
    return record && record->verified;
}

} // namespace

TEST_CASE("a pinned name with a new key is refused with key_changed and nothing is pinned")
{
    TempDir bobHome;
    const std::string pinned = seedPinnedPeer(bobHome.path(), "alice", "192.0.2.7:55555");
    TestPeer bob(named("bob").inProfile(bobHome.path()));
    TestPeer impostor(named("alice"));
    impostor.post(command::Connect{"127.0.0.1", bob.port()});

    auto changed = bob.waitFor<event::PeerKeyChanged>();
    REQUIRE(changed);
    CHECK(changed->name == "alice");
    CHECK(changed->address.rfind("127.0.0.1:", 0) == 0);
    CHECK(changed->pinnedFingerprint == pinned);
    CHECK(changed->presentedFingerprint == impostor.fingerprint());
    auto closedAtBob = bob.waitFor<event::PeerDisconnected>();
    REQUIRE(closedAtBob);
    CHECK(closedAtBob->peer == changed->peer);
    CHECK(closedAtBob->reason.find("key mismatch") != std::string::npos);
    auto closedAtImpostor = impostor.waitFor<event::PeerDisconnected>();
    REQUIRE(closedAtImpostor);
    CHECK(closedAtImpostor->reason.find("key mismatch") != std::string::npos);
    CHECK(bob.count<event::PeerConnected>() == 0);
    CHECK(bob.count<event::PeerVerified>() == 0);
    CHECK(impostor.count<event::PeerVerified>() == 0);
    CHECK_FALSE(isPinned(bob.profileDir(), impostor.fingerprint()));
    CHECK(isPinned(bob.profileDir(), pinned));
}

TEST_CASE("a pinned address with a new key under another name is refused too")
{
    TestPeer bob(named("bob"));
    std::string dave;
    std::uint16_t davePort = 0;
    {
        TestPeer genuine(named("dave"));
        REQUIRE(connectVerified(genuine, bob)); // bob pins dave, seen at 127.0.0.1:<dave's port>
        dave = genuine.fingerprint();
        davePort = genuine.port();
    }
    REQUIRE(bob.waitFor<event::PeerDisconnected>(3s));
    TestPeer mallory(named("mallory").onPort(davePort));
    REQUIRE(mallory.listening());
    mallory.post(command::Connect{"127.0.0.1", bob.port()});
    auto changed = bob.waitFor<event::PeerKeyChanged>();
    REQUIRE(changed);
    CHECK(changed->name == "mallory");
    CHECK(changed->pinnedFingerprint == dave);
    REQUIRE(mallory.waitFor<event::PeerDisconnected>());
    CHECK(bob.count<event::PeerConnected>() == 1); // dave, earlier
}

TEST_CASE("another name from another address is simply a new peer, even on the same host")
{
    TempDir bobHome;
    seedPinnedPeer(bobHome.path(), "alice", "192.0.2.7:55555");
    TestPeer bob(named("bob").inProfile(bobHome.path()).manualConfirm());
    TestPeer carol(named("carol"));
    carol.post(command::Connect{"127.0.0.1", bob.port()});
    auto connected = bob.waitFor<event::PeerConnected>();
    REQUIRE(connected);
    CHECK(connected->name == "carol");
    CHECK(connected->trust == Trust::Unverified);
    bob.idle(200ms);
    CHECK(bob.count<event::PeerKeyChanged>() == 0);
}
