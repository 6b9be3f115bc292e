// Two real engines on 127.0.0.1: handshake, confirmation, chat with delivery receipts, reconnects.
#include "EngineHarness.hpp"
#include "duet/wire/Messages.hpp"

#include <doctest/doctest.h>

using namespace duet;
using namespace duet::test;

namespace {

// Sends one chat message and checks the whole round: sent, received intact, delivered.
void checkChat(TestPeer& sender, PeerId toPeer, TestPeer& receiver, PeerId fromPeer, std::uint64_t id,
               const std::string& text, const std::string& senderName)
{
    sender.post(command::SendChat{toPeer, id, text});
    auto sent = sender.waitFor<event::ChatSent>([id](const auto& e) { return e.messageId == id; });
    REQUIRE(sent);
    CHECK(sent->peer == toPeer);
    CHECK(sent->timeMs > 0);
    auto received = receiver.waitFor<event::ChatReceived>([id](const auto& e) { return e.messageId == id; });
    REQUIRE(received);
    CHECK(received->peer == fromPeer);
    CHECK(received->text == text);
    CHECK(received->from == senderName);
    CHECK(received->sentAtMs == sent->timeMs);
    auto delivered = sender.waitFor<event::ChatDelivered>([id](const auto& e) { return e.messageId == id; });
    REQUIRE(delivered);
    CHECK(delivered->peer == toPeer);
}

} // namespace

TEST_CASE("auto-confirmed peers chat both ways with delivery receipts")
{
    TestPeer alice(named("alice"));
    TestPeer bob(named("bob"));
    REQUIRE(alice.listening());
    REQUIRE(bob.listening());
    CHECK(alice.fingerprint() != bob.fingerprint());

    alice.post(command::Connect{"127.0.0.1", bob.port()});
    auto connecting = alice.waitFor<event::PeerConnecting>();
    REQUIRE(connecting);
    CHECK(connecting->outgoing);
    CHECK(connecting->address == "127.0.0.1:" + std::to_string(bob.port()));

    auto atAlice = alice.waitFor<event::PeerConnected>();
    auto atBob = bob.waitFor<event::PeerConnected>();
    REQUIRE(atAlice);
    REQUIRE(atBob);
    CHECK(atAlice->name == "bob");
    CHECK(atBob->name == "alice");
    CHECK(atAlice->fingerprint == bob.fingerprint());
    CHECK(atBob->fingerprint == alice.fingerprint());
    CHECK(atAlice->code == atBob->code);
    CHECK(atAlice->code.size() == 7); // "123 456"
    CHECK(atAlice->trust == Trust::Unverified);
    REQUIRE(alice.waitFor<event::PeerVerified>());
    REQUIRE(bob.waitFor<event::PeerVerified>());

    const PeerId bobAtAlice = atAlice->peer;
    const PeerId aliceAtBob = atBob->peer;
    checkChat(alice, bobAtAlice, bob, aliceAtBob, 0x1111, "hello bob\nsecond line", "alice");
    checkChat(bob, aliceAtBob, alice, bobAtAlice, 0x2222, "h\u00e9llo \u4f60\u597d \U0001F600", "bob");
    checkChat(alice, bobAtAlice, bob, aliceAtBob, 0x3333, std::string(wire::kMaxChatText, 'x'), "alice");

    // Order is kept within a burst.
    for (std::uint64_t i = 1; i <= 50; ++i)
        alice.post(command::SendChat{bobAtAlice, 1000 + i, "burst " + std::to_string(i)});
    for (std::uint64_t i = 1; i <= 50; ++i) {
        auto received = bob.waitFor<event::ChatReceived>();
        REQUIRE(received);
        CHECK(received->messageId == 1000 + i);
    }

    auto stats = alice.waitFor<event::LinkStats>(3s);
    REQUIRE(stats);
    CHECK(stats->peer == bobAtAlice);
    CHECK(stats->rttMs < 1000);
    CHECK(stats->lossRatio >= 0.0);
}

TEST_CASE("chat that breaks the limits is refused locally")
{
    TestPeer alice(named("alice"));
    TestPeer bob(named("bob"));
    auto link = connectVerified(alice, bob);
    REQUIRE(link);
    alice.post(command::SendChat{link->atInitiator, 7, std::string(wire::kMaxChatText + 1, 'x')});
    auto tooLong = alice.waitFor<event::Error>();
    REQUIRE(tooLong);
    CHECK(tooLong->reason.find("too long") != std::string::npos);
    alice.post(command::SendChat{link->atInitiator, 8, std::string("\xff\xfe")});
    auto badUtf8 = alice.waitFor<event::Error>();
    REQUIRE(badUtf8);
    CHECK(badUtf8->reason.find("UTF-8") != std::string::npos);
    alice.post(command::SendChat{PeerId{999}, 9, "to nobody"});
    auto nobody = alice.waitFor<event::Error>();
    REQUIRE(nobody);
    CHECK(nobody->peer == PeerId{999});
    bob.idle(200ms);
    CHECK(bob.count<event::ChatReceived>() == 0);
}

TEST_CASE("without --yes both users must confirm before chat flows")
{
    TestPeer alice(named("alice").manualConfirm());
    TestPeer bob(named("bob").manualConfirm());
    auto link = connectPeers(alice, bob);
    REQUIRE(link);

    alice.post(command::SendChat{link->atInitiator, 1, "too early"});
    auto refused = alice.waitFor<event::Error>();
    REQUIRE(refused);
    CHECK(refused->reason == "not verified yet");
    CHECK(refused->peer == link->atInitiator);

    alice.post(command::ConfirmPeer{link->atInitiator});
    alice.idle(300ms);
    bob.idle(100ms);
    CHECK(alice.count<event::PeerVerified>() == 0);
    CHECK(bob.count<event::PeerVerified>() == 0);
    alice.post(command::SendChat{link->atInitiator, 2, "still too early"});
    REQUIRE(alice.waitFor<event::Error>([](const auto& e) { return e.reason == "not verified yet"; }));

    bob.post(command::ConfirmPeer{link->atResponder});
    REQUIRE(alice.waitFor<event::PeerVerified>());
    REQUIRE(bob.waitFor<event::PeerVerified>());
    checkChat(alice, link->atInitiator, bob, link->atResponder, 3, "now it works", "alice");
    checkChat(bob, link->atResponder, alice, link->atInitiator, 4, "both ways", "bob");
    CHECK(bob.count<event::ChatReceived>() == 1);
}

TEST_CASE("a pinned peer is verified again after a restart without confirming")
{
    TempDir aliceHome;
    TestPeer bob(named("bob"));
    {
        TestPeer alice(named("alice").inProfile(aliceHome.path()));
        REQUIRE(connectVerified(alice, bob));
    }
    auto gone = bob.waitFor<event::PeerDisconnected>(3s);
    REQUIRE(gone);
    CHECK(gone->reason.find("peer closed the connection") != std::string::npos);

    TestPeer alice(named("alice").manualConfirm().inProfile(aliceHome.path()));
    alice.post(command::Connect{"127.0.0.1", bob.port()});
    auto atAlice = alice.waitFor<event::PeerConnected>();
    auto atBob = bob.waitFor<event::PeerConnected>();
    REQUIRE(atAlice);
    REQUIRE(atBob);
    CHECK(atAlice->trust == Trust::Verified);
    CHECK(atBob->trust == Trust::Verified);
    REQUIRE(alice.waitFor<event::PeerVerified>());
    REQUIRE(bob.waitFor<event::PeerVerified>());
    checkChat(alice, atAlice->peer, bob, atBob->peer, 77, "back again", "alice");
}

TEST_CASE("reject closes the connection on both sides")
{
    TestPeer alice(named("alice").manualConfirm());
    TestPeer bob(named("bob").manualConfirm());
    auto link = connectPeers(alice, bob);
    REQUIRE(link);
    bob.post(command::RejectPeer{link->atResponder});
    auto atBob = bob.waitFor<event::PeerDisconnected>();
    auto atAlice = alice.waitFor<event::PeerDisconnected>();
    REQUIRE(atBob);
    REQUIRE(atAlice);
    CHECK(atBob->reason == "rejected by you");
    CHECK(atAlice->reason.find("rejected by the user") != std::string::npos);
    CHECK(alice.count<event::PeerVerified>() == 0);
}

TEST_CASE("disconnect, then connect again without restarting")
{
    TestPeer alice(named("alice"));
    TestPeer bob(named("bob"));
    auto first = connectVerified(alice, bob);
    REQUIRE(first);
    alice.post(command::Disconnect{first->atInitiator});
    auto atAlice = alice.waitFor<event::PeerDisconnected>();
    auto atBob = bob.waitFor<event::PeerDisconnected>();
    REQUIRE(atAlice);
    REQUIRE(atBob);
    CHECK(atAlice->reason == "disconnected by you");
    CHECK(atBob->reason.find("peer closed the connection") != std::string::npos);

    auto second = connectVerified(alice, bob);
    REQUIRE(second);
    CHECK(second->atInitiator != first->atInitiator);
    checkChat(bob, second->atResponder, alice, second->atInitiator, 5, "again", "bob");
}
