#include "duet/state/AppState.hpp"

#include <doctest/doctest.h>
#include <string>

using namespace duet;
using duet::state::AppState;
using duet::state::PeerPhase;

namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;

std::vector<std::string> recentFingerprints(const AppState& state)
{
    std::vector<std::string> fingerprints;
    for (const state::Peer* peer : state.recentPeers())
        fingerprints.push_back(peer->fingerprint);
    return fingerprints;
}

} // namespace

TEST_CASE("recent peer: listed Offline and unverified, newest first, deduplicated by fingerprint")
{
    AppState state;
    state.addRecentPeer("FP-OLD", "Old", "127.0.0.1:47001", kNow - 3000);
    state.addRecentPeer("FP-NEW", "New", "127.0.0.1:47002", kNow - 1000);
    state.addRecentPeer("FP-MID", "Mid", "127.0.0.1:47003", kNow - 2000);
    state.addRecentPeer("FP-NEW", "New again", "127.0.0.1:47009", kNow); // already listed: ignored
    state.addRecentPeer("", "nobody", "127.0.0.1:1", kNow);              // no identity: ignored
    REQUIRE(state.peers().size() == 3);
    CHECK(recentFingerprints(state) == std::vector<std::string>{"FP-NEW", "FP-MID", "FP-OLD"});
    const state::Peer& old = state.peers()[0];
    CHECK(old.id.value >= AppState::kRememberedIdBase);
    CHECK(old.phase == PeerPhase::Offline);
    CHECK(old.trust == Trust::Unverified);
    CHECK(old.recent);
    CHECK(old.lastSeenMs == kNow - 3000);
    CHECK(state.peers()[1].name == "New");
    CHECK(state.peers()[1].address == "127.0.0.1:47002");
    // A pinned identity listed first is never shadowed by a recent entry of the same fingerprint.
    AppState pinned;
    pinned.addRememberedPeer("FP-BOB", "Bob", "127.0.0.1:47001");
    pinned.addRecentPeer("FP-BOB", "Bob", "127.0.0.1:47001", kNow);
    REQUIRE(pinned.peers().size() == 1);
    CHECK(pinned.peers()[0].trust == Trust::Verified);
    CHECK(pinned.recentPeers().empty());
}

TEST_CASE("recent peer: at most kMaxRecentPeers rows, the least recently seen goes first")
{
    AppState state;
    const std::size_t extra = 3;
    for (std::size_t i = 0; i < AppState::kMaxRecentPeers + extra; ++i)
        state.addRecentPeer("FP-" + std::to_string(i), "peer", "127.0.0.1:1",
                            kNow + static_cast<std::int64_t>(i));
    const std::vector<std::string> recent = recentFingerprints(state);
    REQUIRE(recent.size() == AppState::kMaxRecentPeers);
    CHECK(recent.front() == "FP-" + std::to_string(AppState::kMaxRecentPeers + extra - 1));
    CHECK(recent.back() == "FP-" + std::to_string(extra));
    // A verified row never counts against the cap and never goes.
    state.addRememberedPeer("FP-PINNED", "Pinned", "127.0.0.1:2");
    state.addRecentPeer("FP-LATEST", "peer", "127.0.0.1:1", kNow + 100);
    CHECK(state.peers().size() == AppState::kMaxRecentPeers + 1);
    CHECK(state.peers().back().fingerprint == "FP-LATEST");
}

TEST_CASE("recent peer: names and addresses from the network are sanitized and bounded")
{
    AppState state;
    const std::string hostile = "Mallory\u202e\x1b[31m" + std::string(500, 'x');
    state.addRecentPeer("FP-M", hostile, "127.0.0.1:1\n" + std::string(1000, '9'), kNow);
    REQUIRE(state.peers().size() == 1);
    const state::Peer& mallory = state.peers()[0];
    CHECK(mallory.name.size() <= AppState::kMaxRecentNameBytes);
    CHECK(mallory.name.find('\x1b') == std::string::npos);
    CHECK(mallory.name.find("\u202e") == std::string::npos);
    CHECK(mallory.address.size() <= AppState::kMaxRecentAddressBytes);
    CHECK(mallory.address.find('\n') == std::string::npos);
}

TEST_CASE("recent peer: connecting again asks for the code, and once verified it moves to known")
{
    AppState state;
    state.addRecentPeer("FP-BOB", "Bob", "127.0.0.1:47001", kNow - 1000);
    const PeerId recent = state.peers()[0].id;

    const PeerId live{7};
    state.apply(event::PeerConnecting{live, "127.0.0.1:47001", true}, kNow);
    state.apply(event::PeerConnected{live, "Bob", "127.0.0.1:47001", "FP-BOB", "123456", Trust::Unverified},
                kNow);
    REQUIRE(state.peers().size() == 1);
    const state::Peer* bob = state.findPeer(recent);
    REQUIRE(bob != nullptr);
    CHECK(bob->id == live);
    CHECK(bob->needsVerification()); // the recent entry granted nothing
    CHECK(state.peerNeedingVerification() == bob);
    CHECK(state.recentPeers().empty()); // connected: no longer an offline recent row

    state.applyLocal(command::ConfirmPeer{live}, kNow);
    state.apply(event::PeerVerified{live}, kNow);
    state.apply(event::PeerDisconnected{live, "bye"}, kNow);
    CHECK(bob->trust == Trust::Verified);
    CHECK(bob->phase == PeerPhase::Offline);
    CHECK_FALSE(bob->recent);
    CHECK(state.recentPeers().empty());            // known now, not recent
    CHECK_FALSE(state.forgetRecentPeer("FP-BOB")); // Forget never drops a verified identity
    CHECK(state.peers().size() == 1);
}

TEST_CASE("recent peer: an unverified connection of this run is recent once it is gone")
{
    AppState state;
    state.addRecentPeer("FP-OLD", "Old", "127.0.0.1:47001", kNow - 1000);
    state.apply(
        event::PeerConnected{PeerId{3}, "Carol", "127.0.0.1:47005", "FP-CAROL", "1", Trust::Unverified},
        kNow);
    CHECK(recentFingerprints(state) == std::vector<std::string>{"FP-OLD"});
    state.apply(event::PeerDisconnected{PeerId{3}, "rejected"}, kNow);
    CHECK(recentFingerprints(state) == std::vector<std::string>{"FP-CAROL", "FP-OLD"});
}

TEST_CASE("recent peer: forget removes the row and its old id, other rows keep theirs")
{
    AppState state;
    state.addRecentPeer("FP-A", "A", "127.0.0.1:1", kNow - 2);
    state.addRecentPeer("FP-B", "B", "127.0.0.1:2", kNow - 1);
    const PeerId a = state.peers()[0].id;
    const PeerId b = state.peers()[1].id;
    const std::uint64_t revision = state.revision();
    CHECK(state.forgetRecentPeer("FP-A"));
    CHECK(state.revision() != revision);
    CHECK_FALSE(state.forgetRecentPeer("FP-A"));
    CHECK_FALSE(state.forgetRecentPeer("FP-UNKNOWN"));
    CHECK(state.findPeer(a) == nullptr);
    REQUIRE(state.findPeer(b) != nullptr);
    CHECK(state.findPeer(b)->fingerprint == "FP-B");
    CHECK(recentFingerprints(state) == std::vector<std::string>{"FP-B"});

    // Online rows stay whatever their trust.
    state.apply(event::PeerConnected{PeerId{5}, "B", "127.0.0.1:2", "FP-B", "1", Trust::Unverified}, kNow);
    CHECK_FALSE(state.forgetRecentPeer("FP-B"));
    CHECK(state.peers().size() == 1);
}
