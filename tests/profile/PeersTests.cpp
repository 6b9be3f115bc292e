#include "TestSupport.hpp"
#include "duet/profile/ProfileStore.hpp"

#include <algorithm>
#include <doctest/doctest.h>

using namespace duet::profile;
using duet::profile::test::RawDb;
using duet::profile::test::TempDir;

namespace {

PublicKey keyOf(std::uint8_t fill)
{
    PublicKey key{};
    for (std::size_t i = 0; i < key.size(); ++i)
        key[i] = static_cast<std::uint8_t>(fill + i);
    return key;
}

KnownPeer makePeer(std::string fingerprint, std::string name, std::string address, std::int64_t seenMs,
                   std::uint8_t keyFill)
{
    KnownPeer peer;
    peer.fingerprint = std::move(fingerprint);
    peer.publicKey = keyOf(keyFill);
    peer.displayName = std::move(name);
    peer.lastAddress = std::move(address);
    peer.firstSeenMs = seenMs;
    peer.lastSeenMs = seenMs;
    return peer;
}

std::vector<std::string> fingerprints(const std::vector<KnownPeer>& peers)
{
    std::vector<std::string> out;
    for (const KnownPeer& peer : peers)
        out.push_back(peer.fingerprint);
    return out;
}

} // namespace

TEST_CASE("addressHost drops the port of IPv4 and bracketed IPv6 addresses")
{
    CHECK(addressHost("192.168.1.20:55555") == "192.168.1.20");
    CHECK(addressHost("192.168.1.20") == "192.168.1.20");
    CHECK(addressHost("[fe80::1]:55555") == "fe80::1");
    CHECK(addressHost("fe80::1") == "fe80::1");
    CHECK(addressHost("host.lan:1") == "host.lan");
    CHECK(addressHost("[broken") == "[broken");
    CHECK(addressHost("") == "");
}

TEST_CASE("pinPeer stores a verified peer that peerByFingerprint returns whole")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path());
    CHECK_FALSE(store->peerByFingerprint("FP-A").has_value());

    KnownPeer ann = makePeer("FP-A", "Ann", "10.0.0.2:55555", 1000, 1);
    store->pinPeer(ann);
    auto found = store->peerByFingerprint("FP-A");
    REQUIRE(found.has_value());
    ann.verified = true;
    CHECK(*found == ann);
}

TEST_CASE("pinPeer on a seen peer verifies it, keeps first seen and may replace the key")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path());
    store->recordSeen("FP-A", keyOf(1), "Ann", "10.0.0.2:1", 1000);
    CHECK_FALSE(store->peerByFingerprint("FP-A")->verified);

    store->pinPeer(makePeer("FP-A", "Ann B.", "10.0.0.3:2", 5000, 9));
    auto found = store->peerByFingerprint("FP-A");
    REQUIRE(found.has_value());
    CHECK(found->verified);
    CHECK(found->firstSeenMs == 1000);
    CHECK(found->lastSeenMs == 5000);
    CHECK(found->displayName == "Ann B.");
    CHECK(found->lastAddress == "10.0.0.3:2");
    CHECK(found->publicKey == keyOf(9)); // pinning is the user's explicit choice of key
}

TEST_CASE("recordSeen inserts unverified peers and never changes verified")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path());

    store->recordSeen("FP-NEW", keyOf(3), "Bob", "10.0.0.9:4000", 100);
    auto bob = store->peerByFingerprint("FP-NEW");
    REQUIRE(bob.has_value());
    CHECK_FALSE(bob->verified);
    CHECK(bob->firstSeenMs == 100);
    CHECK(bob->lastSeenMs == 100);
    CHECK(bob->publicKey == keyOf(3));

    store->pinPeer(makePeer("FP-PIN", "Cy", "10.0.0.5:1", 100, 5));
    store->recordSeen("FP-PIN", keyOf(5), "Cyrus", "10.0.0.6:2", 900);
    auto cy = store->peerByFingerprint("FP-PIN");
    REQUIRE(cy.has_value());
    CHECK(cy->verified);
    CHECK(cy->displayName == "Cyrus");
    CHECK(cy->lastAddress == "10.0.0.6:2");
    CHECK(cy->firstSeenMs == 100);
    CHECK(cy->lastSeenMs == 900);

    store->recordSeen("FP-NEW", keyOf(3), "Bob", "10.0.0.9:4001", 200);
    CHECK_FALSE(store->peerByFingerprint("FP-NEW")->verified);
}

TEST_CASE("recordSeen refuses to replace the key stored under a fingerprint")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path());
    store->pinPeer(makePeer("FP-A", "Ann", "10.0.0.2:1", 100, 1));
    CHECK_THROWS_AS(store->recordSeen("FP-A", keyOf(2), "Ann", "10.0.0.2:1", 200), std::runtime_error);
    auto ann = store->peerByFingerprint("FP-A");
    CHECK(ann->publicKey == keyOf(1));
    CHECK(ann->lastSeenMs == 100);
}

TEST_CASE("verifiedPeersMatching finds verified peers by display name or by exact address")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path());
    store->pinPeer(makePeer("FP-ANN", "Ann", "192.168.1.20:55555", 300, 1));
    store->pinPeer(makePeer("FP-BOB", "Bob", "192.168.1.30:55555", 200, 2));
    store->pinPeer(makePeer("FP-V6", "Six", "[fe80::1]:55555", 100, 3));
    store->recordSeen("FP-EVE", keyOf(4), "Ann", "192.168.1.20:1", 400); // unverified: never a match

    SUBCASE("same name, other host")
    {
        CHECK(fingerprints(store->verifiedPeersMatching("Ann", "10.9.9.9:1")) ==
              std::vector<std::string>{"FP-ANN"});
    }
    SUBCASE("same address, other name")
    {
        CHECK(fingerprints(store->verifiedPeersMatching("Mallory", "192.168.1.30:55555")) ==
              std::vector<std::string>{"FP-BOB"});
        CHECK(fingerprints(store->verifiedPeersMatching("Mallory", "[fe80::1]:55555")) ==
              std::vector<std::string>{"FP-V6"});
    }
    SUBCASE("same host on another port is another endpoint, not a match")
    {
        CHECK(store->verifiedPeersMatching("Mallory", "192.168.1.30:40000").empty());
    }
    SUBCASE("name of one and address of another, newest first")
    {
        CHECK(fingerprints(store->verifiedPeersMatching("Bob", "192.168.1.20:55555")) ==
              (std::vector<std::string>{"FP-ANN", "FP-BOB"}));
    }
    SUBCASE("nothing in common, or empty arguments")
    {
        CHECK(store->verifiedPeersMatching("Mallory", "10.9.9.9:1").empty());
        CHECK(store->verifiedPeersMatching("ann", "192.168.1.2:55555").empty()); // exact name and host only
        CHECK(store->verifiedPeersMatching("", "").empty());
    }
}

TEST_CASE("knownPeers lists every peer most recently seen first, and forgetPeer removes one")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path());
    store->recordSeen("FP-OLD", keyOf(1), "Old", "10.0.0.1:1", 100);
    store->pinPeer(makePeer("FP-MID", "Mid", "10.0.0.2:1", 200, 2));
    store->recordSeen("FP-NEW", keyOf(3), "New", "10.0.0.3:1", 300);
    CHECK(fingerprints(store->knownPeers()) == (std::vector<std::string>{"FP-NEW", "FP-MID", "FP-OLD"}));

    store->recordSeen("FP-OLD", keyOf(1), "Old", "10.0.0.1:1", 400);
    CHECK(fingerprints(store->knownPeers()) == (std::vector<std::string>{"FP-OLD", "FP-NEW", "FP-MID"}));

    store->storeIncomingOnce("FP-MID", 1, "kept", 10);
    store->forgetPeer("FP-MID");
    store->forgetPeer("FP-NONE"); // forgetting an unknown peer is harmless
    CHECK_FALSE(store->peerByFingerprint("FP-MID").has_value());
    CHECK(fingerprints(store->knownPeers()) == (std::vector<std::string>{"FP-OLD", "FP-NEW"}));
    CHECK(store->verifiedPeersMatching("Mid", "10.0.0.2:1").empty());
    CHECK(store->history("FP-MID", 10).size() == 1); // the conversation outlives the key
}

TEST_CASE("forgetUnverifiedPeer and pruneUnverifiedPeers never touch a pinned peer")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path());
    store->pinPeer(makePeer("FP-PIN", "Pinned", "10.0.0.9:1", 50, 9));
    for (int i = 0; i < 5; ++i)
        store->recordSeen("FP-" + std::to_string(i), keyOf(static_cast<std::uint8_t>(i + 1)), "Seen",
                          "10.0.0.1:1", 100 + i);
    CHECK_FALSE(store->forgetUnverifiedPeer("FP-PIN"));
    CHECK(store->peerByFingerprint("FP-PIN").has_value());
    CHECK(store->forgetUnverifiedPeer("FP-4"));
    CHECK_FALSE(store->forgetUnverifiedPeer("FP-4"));

    CHECK(store->pruneUnverifiedPeers(2) == 2); // FP-3 and FP-2 are the newest unverified ones
    CHECK(fingerprints(store->knownPeers()) == (std::vector<std::string>{"FP-3", "FP-2", "FP-PIN"}));
    CHECK(store->pruneUnverifiedPeers(0) == 2);
    CHECK(fingerprints(store->knownPeers()) == (std::vector<std::string>{"FP-PIN"}));
}

TEST_CASE("a stored key of the wrong size is reported, not truncated")
{
    TempDir temp;
    {
        auto store = ProfileStore::open(temp.path());
        store->recordSeen("FP-A", keyOf(1), "Ann", "10.0.0.2:1", 100);
    }
    {
        // Defeat the table's CHECK the way a hand edit could: rewrite the row with checks ignored.
        RawDb raw(temp.path() / "duet.db");
        raw.exec("PRAGMA ignore_check_constraints = ON; UPDATE known_peers SET public_key = x'0102' "
                 "WHERE fingerprint = 'FP-A';");
    }
    auto store = ProfileStore::open(temp.path());
    CHECK_THROWS_WITH_AS(store->peerByFingerprint("FP-A"), doctest::Contains("not 32"), std::runtime_error);
}
