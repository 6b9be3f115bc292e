#include "duet/state/AppState.hpp"

#include <doctest/doctest.h>

using namespace duet;
using duet::state::AppState;
using duet::state::Delivery;
using duet::state::PeerPhase;

namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;

event::HistoryPage pageOf(const std::string& fingerprint)
{
    event::HistoryPage page;
    page.fingerprint = fingerprint;
    page.messages.push_back(event::HistoryEntry{5, 900, true, "bonjour", kNow - 60'000, MessageState::Read});
    page.messages.push_back(
        event::HistoryEntry{6, 901, false, "привет", kNow - 30'000, MessageState::Received});
    return page;
}

} // namespace

TEST_CASE(
    "remembered peer: listed Offline with a synthetic id, its stored history loads without a connection")
{
    AppState state;
    state.addRememberedPeer("FP-BOB", "Bob", "127.0.0.1:47001");
    state.addRememberedPeer("FP-BOB", "Bob again", "127.0.0.1:47001"); // already listed: ignored
    state.addRememberedPeer("", "nobody", "");                         // no identity: ignored
    REQUIRE(state.peers().size() == 1);
    const state::Peer& bob = state.peers()[0];
    CHECK(bob.id.value >= AppState::kRememberedIdBase);
    CHECK(bob.phase == PeerPhase::Offline);
    CHECK(bob.remembered);
    CHECK(bob.trust == Trust::Verified);
    CHECK(bob.name == "Bob");

    state.applyLocal(command::LoadHistory{bob.id, bob.fingerprint, 50, command::kNewestRow}, kNow);
    CHECK(bob.historyLoading);
    state.apply(pageOf("FP-BOB"), kNow);
    REQUIRE(bob.messages.size() == 2);
    CHECK(bob.messages[0].text == "bonjour");
    CHECK(bob.messages[0].delivery == Delivery::Read);
    CHECK(bob.messages[1].text == "привет");
    CHECK(bob.messages[1].from == "Bob");
}

TEST_CASE("remembered peer: the identity's new connection merges into its row, history and old id kept")
{
    AppState state;
    state.addRememberedPeer("FP-BOB", "Bob", "127.0.0.1:47001");
    const PeerId remembered = state.peers()[0].id;
    state.applyLocal(command::LoadHistory{remembered, "FP-BOB", 50, command::kNewestRow}, kNow);
    state.apply(pageOf("FP-BOB"), kNow);

    const PeerId live{3};
    state.apply(event::PeerConnecting{live, "127.0.0.1:47001", true}, kNow);
    CHECK(state.peers().size() == 2); // not known to be Bob until the handshake proves it
    state.apply(event::PeerConnected{live, "Bob", "127.0.0.1:47001", "FP-BOB", "", Trust::Verified}, kNow);
    REQUIRE(state.peers().size() == 1);
    state.apply(event::PeerVerified{live}, kNow);

    const state::Peer* byNewId = state.findPeer(live);
    const state::Peer* byOldId = state.findPeer(remembered);
    REQUIRE(byNewId != nullptr);
    CHECK(byNewId == byOldId);
    CHECK(byNewId->id == live);
    CHECK(byNewId->phase == PeerPhase::Online);
    CHECK_FALSE(byNewId->remembered);
    REQUIRE(byNewId->messages.size() == 2);

    // The message queued while we were closed arrives on the new connection, after the stored ones.
    state.apply(event::ChatReceived{live, 902, "Bob", "while you were away", kNow, "FP-BOB"}, kNow);
    REQUIRE(byNewId->messages.size() == 3);
    CHECK(byNewId->messages[2].text == "while you were away");
    CHECK(byNewId->unread == 1);
    // Marks still find our stored messages under the new id.
    state.apply(event::ChatDelivered{live, 900}, kNow);
    CHECK(byNewId->messages[0].delivery == Delivery::Delivered);
}

TEST_CASE("remembered peer: a second reconnection merges again and every earlier id still resolves")
{
    AppState state;
    state.addRememberedPeer("FP-BOB", "Bob", "a:1");
    const PeerId remembered = state.peers()[0].id;
    state.apply(event::PeerConnected{PeerId{3}, "Bob", "a:1", "FP-BOB", "", Trust::Verified}, kNow);
    state.apply(event::PeerDisconnected{PeerId{3}, "lost"}, kNow);
    state.apply(event::PeerConnected{PeerId{4}, "Bob", "a:1", "FP-BOB", "", Trust::Verified}, kNow);
    REQUIRE(state.peers().size() == 1);
    CHECK(state.findPeer(remembered) == state.findPeer(PeerId{4}));
    CHECK(state.findPeer(PeerId{3}) == state.findPeer(PeerId{4}));
    CHECK(state.findPeer(PeerId{4})->phase == PeerPhase::Verifying);
}

TEST_CASE("remembered peer: another identity, or one still online, is never merged")
{
    AppState state;
    state.addRememberedPeer("FP-BOB", "Bob", "a:1");
    state.apply(event::PeerConnected{PeerId{3}, "Carol", "b:1", "FP-CAROL", "1", Trust::Unverified}, kNow);
    CHECK(state.peers().size() == 2);
    // Two live connections of one identity stay two rows.
    state.apply(event::PeerConnected{PeerId{4}, "Carol", "b:2", "FP-CAROL", "1", Trust::Unverified}, kNow);
    CHECK(state.peers().size() == 3);
}

TEST_CASE("remembered peer: a redial that reaches nobody leaves no row behind, a failed Join does")
{
    AppState state;
    state.addRememberedPeer("FP-BOB", "Bob", "127.0.0.1:47001");
    state.apply(event::PeerConnecting{PeerId{3}, "127.0.0.1:47001", true}, kNow);
    CHECK(state.peers().size() == 2);
    state.apply(event::PeerDisconnected{PeerId{3}, "no answer"}, kNow);
    REQUIRE(state.peers().size() == 1);
    CHECK(state.peers()[0].remembered);
    CHECK(state.findPeer(PeerId{3}) == nullptr);
    CHECK(state.findPeer(state.peers()[0].id) == &state.peers()[0]);
    CHECK(state.log().back().text.find("no answer") != std::string::npos); // still in the log

    // An address nobody known uses: the failure stays visible as a row.
    state.apply(event::PeerConnecting{PeerId{4}, "127.0.0.1:9", true}, kNow);
    state.apply(event::PeerDisconnected{PeerId{4}, "no answer"}, kNow);
    CHECK(state.peers().size() == 2);
}

TEST_CASE("remembered peer: a dial to its address is marked as a redial, a dial elsewhere is not")
{
    AppState state;
    state.addRememberedPeer("FP-BOB", "Bob", "127.0.0.1:47001");
    state.apply(event::PeerConnecting{PeerId{3}, "127.0.0.1:47001", true}, kNow);
    state.apply(event::PeerConnecting{PeerId{4}, "127.0.0.1:47002", true}, kNow);
    state.apply(event::PeerConnecting{PeerId{5}, "127.0.0.1:47001", false}, kNow); // incoming: not ours
    CHECK(state.findPeer(PeerId{3})->redial);
    CHECK_FALSE(state.findPeer(PeerId{4})->redial);
    CHECK_FALSE(state.findPeer(PeerId{5})->redial);
}
