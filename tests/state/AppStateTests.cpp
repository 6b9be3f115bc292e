#include "duet/state/AppState.hpp"

#include <doctest/doctest.h>

using namespace duet;
using duet::state::AppState;
using duet::state::PeerPhase;

namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;
const PeerId kAlice{7};
const PeerId kBob{9};

event::PeerConnected connectedAlice(Trust trust = Trust::Unverified)
{
    return event::PeerConnected{kAlice, "Alice", "127.0.0.1:47001", "AAAA-BBBB", "123456", trust};
}

} // namespace

TEST_CASE("state: a fresh state knows nothing and is not listening")
{
    AppState state;
    CHECK(state.peers().empty());
    CHECK(state.listeningPort() == 0);
    CHECK_FALSE(state.hosting());
    CHECK(state.peerNeedingVerification() == nullptr);
    CHECK(state.errorCount() == 0);
}

TEST_CASE("state: Listening and HostingChanged set own port, fingerprint and hosting flag")
{
    AppState state;
    state.apply(event::Listening{47001, "7KQ2-M9XD", {"192.168.1.10", "10.0.0.\x1b[2J5"}}, kNow);
    state.apply(event::HostingChanged{true}, kNow);
    CHECK(state.listeningPort() == 47001);
    REQUIRE(state.listeningAddresses().size() == 2);
    CHECK(state.listeningAddresses()[0] == "192.168.1.10");
    CHECK(state.listeningAddresses()[1].find('\x1b') == std::string::npos); // shown as text, never raw
    CHECK(state.ownFingerprint() == "7KQ2-M9XD");
    CHECK(state.hosting());
    state.apply(event::HostingChanged{false}, kNow);
    CHECK_FALSE(state.hosting());
    CHECK(state.log().size() == 3);
}

TEST_CASE("state: first contact goes Connecting -> Verifying (needs the user) -> Online")
{
    AppState state;
    state.apply(event::PeerConnecting{kAlice, "127.0.0.1:47001", true}, kNow);
    REQUIRE(state.peers().size() == 1);
    CHECK(state.peers()[0].phase == PeerPhase::Connecting);
    CHECK(state.peers()[0].outgoing);
    CHECK(state.peerNeedingVerification() == nullptr);

    state.apply(connectedAlice(), kNow);
    const state::Peer* pending = state.peerNeedingVerification();
    REQUIRE(pending != nullptr);
    CHECK(pending->id == kAlice);
    CHECK(pending->name == "Alice");
    CHECK(pending->code == "123456");
    CHECK(pending->fingerprint == "AAAA-BBBB");
    CHECK(pending->phase == PeerPhase::Verifying);

    // Our user confirms: the prompt goes away while the other side still decides.
    state.applyLocal(command::ConfirmPeer{kAlice}, kNow);
    CHECK(state.peerNeedingVerification() == nullptr);
    CHECK(state.findPeer(kAlice)->phase == PeerPhase::Verifying);
    CHECK(state.findPeer(kAlice)->confirmedLocally);

    state.apply(event::PeerVerified{kAlice}, kNow);
    CHECK(state.findPeer(kAlice)->phase == PeerPhase::Online);
    CHECK(state.findPeer(kAlice)->trust == Trust::Verified);
}

TEST_CASE("state: a pinned peer never asks for verification")
{
    AppState state;
    state.apply(connectedAlice(Trust::Verified), kNow);
    CHECK(state.peerNeedingVerification() == nullptr);
    state.apply(event::PeerVerified{kAlice}, kNow);
    CHECK(state.findPeer(kAlice)->phase == PeerPhase::Online);
}

TEST_CASE("state: rejecting hides the prompt, the disconnect marks the peer offline with its reason")
{
    AppState state;
    state.apply(connectedAlice(), kNow);
    state.applyLocal(command::RejectPeer{kAlice}, kNow);
    CHECK(state.peerNeedingVerification() == nullptr);
    state.apply(event::PeerDisconnected{kAlice, "rejected by you"}, kNow);
    CHECK(state.findPeer(kAlice)->phase == PeerPhase::Offline);
    CHECK(state.findPeer(kAlice)->disconnectReason == "rejected by you");
}

TEST_CASE("state: two peers waiting are prompted one after the other")
{
    AppState state;
    state.apply(connectedAlice(), kNow);
    state.apply(event::PeerConnected{kBob, "Bob", "127.0.0.1:47002", "CCCC", "654321", Trust::Unverified},
                kNow);
    REQUIRE(state.peerNeedingVerification() != nullptr);
    CHECK(state.peerNeedingVerification()->id == kAlice);
    state.applyLocal(command::ConfirmPeer{kAlice}, kNow);
    REQUIRE(state.peerNeedingVerification() != nullptr);
    CHECK(state.peerNeedingVerification()->id == kBob);
}

TEST_CASE("state: a key change raises an alert that only Disconnect acknowledges")
{
    AppState state;
    state.apply(event::PeerKeyChanged{kAlice, "Alice", "127.0.0.1:47001", "OLD-KEY", "NEW-KEY"}, kNow);
    REQUIRE(state.keyChangeAlerts().size() == 1);
    CHECK(state.keyChangeAlerts()[0].pinnedFingerprint == "OLD-KEY");
    CHECK(state.keyChangeAlerts()[0].presentedFingerprint == "NEW-KEY");
    CHECK(state.errorCount() == 1);

    // Other commands leave it in place.
    state.applyLocal(command::ConfirmPeer{kAlice}, kNow);
    state.applyLocal(command::Disconnect{kBob}, kNow);
    CHECK(state.keyChangeAlerts().size() == 1);

    state.applyLocal(command::Disconnect{kAlice}, kNow);
    CHECK(state.keyChangeAlerts().empty());
}

TEST_CASE("state: errors are logged, counted and kept as the latest error with the peer's name")
{
    AppState state;
    state.apply(connectedAlice(), kNow);
    state.apply(event::Error{PeerId{}, "port 47001 is in use"}, kNow + 5);
    CHECK(state.errorCount() == 1);
    CHECK(state.lastError() == "port 47001 is in use");
    CHECK(state.log().back().level == state::LogLevel::Error);
    CHECK(state.log().back().timeMs == kNow + 5);

    state.apply(event::Error{kAlice, "handshake timed out"}, kNow);
    CHECK(state.errorCount() == 2);
    CHECK(state.lastError() == "Alice (127.0.0.1:47001): handshake timed out");
}

TEST_CASE("state: the log is capped, the error count is not")
{
    AppState state;
    for (std::size_t i = 0; i < AppState::kMaxLogEntries + 50; ++i)
        state.apply(event::Error{PeerId{}, "error " + std::to_string(i)}, kNow);
    CHECK(state.log().size() == AppState::kMaxLogEntries);
    CHECK(state.log().front().text == "error 50");
    CHECK(state.errorCount() == AppState::kMaxLogEntries + 50);
}

TEST_CASE("state: link stats attach to the peer and vanish on disconnect")
{
    AppState state;
    state.apply(connectedAlice(), kNow);
    state.apply(event::LinkStats{kAlice, 42, 0.05, 1000, 2000}, kNow);
    REQUIRE(state.findPeer(kAlice)->link.has_value());
    CHECK(state.findPeer(kAlice)->link->rttMs == 42);
    CHECK(state.findPeer(kAlice)->link->lossRatio == doctest::Approx(0.05));
    state.apply(event::PeerDisconnected{kAlice, ""}, kNow);
    CHECK_FALSE(state.findPeer(kAlice)->link.has_value());
}

TEST_CASE("state: hostile names are sanitized before anything can draw them")
{
    AppState state;
    state.apply(event::PeerConnected{kAlice, "evil\xE2\x80\xAEtxt.exe\n\x1b[1A", "1.2.3.4:5", "F", "1",
                                     Trust::Unverified},
                kNow);
    const std::string& name = state.findPeer(kAlice)->name;
    CHECK(name.find('\n') == std::string::npos);
    CHECK(name.find('\x1b') == std::string::npos);
    CHECK(name.find("\xE2\x80\xAE") == std::string::npos);
    CHECK(name.rfind("evil", 0) == 0);
}

TEST_CASE("state: revision moves on every applied event and on markRead only when something changed")
{
    AppState state;
    const auto start = state.revision();
    state.apply(event::HostingChanged{true}, kNow);
    CHECK(state.revision() == start + 1);
    state.markRead(kAlice); // unknown peer: nothing to do
    CHECK(state.revision() == start + 1);
}

TEST_CASE("state: a repeated identical LinkStats report does not move the revision")
{
    AppState state;
    state.apply(connectedAlice(), kNow);
    state.apply(event::LinkStats{kAlice, 5, 0.0, 10, 20}, kNow);
    const auto revision = state.revision();
    state.apply(event::LinkStats{kAlice, 5, 0.0, 10, 20}, kNow);
    CHECK(state.revision() == revision);
    state.apply(event::LinkStats{kAlice, 6, 0.0, 10, 20}, kNow);
    CHECK(state.revision() == revision + 1);
    CHECK(state.findPeer(kAlice)->link->rttMs == 6);
}

TEST_CASE("state: the log of an incoming offer counts files and folders apart, as the offer card does")
{
    AppState state;
    state.apply(connectedAlice(Trust::Verified), kNow);
    const std::vector<TransferEntry> tree{{1, "album", 0, true},
                                          {2, "album/empty", 0, true},
                                          {3, "album/photo.bin", 10, false},
                                          {4, "notes.txt", 5, false}};
    state.apply(event::OfferReceived{kAlice, TransferId{1}, tree, 15, false}, kNow);
    CHECK(state.log().back().text == "Alice offers 2 files and 2 folders");
    state.apply(event::OfferReceived{kAlice, TransferId{2}, {{5, "a.txt", 1, false}}, 1, false}, kNow);
    CHECK(state.log().back().text == "Alice offers 1 file");
}
