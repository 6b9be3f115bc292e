// Durable chat between real engines: the outbox survives the peer being away, history pages, and two
// simultaneous connections between the same identities settle on one.
#include "EngineHarness.hpp"

#include <doctest/doctest.h>

using namespace duet;
using namespace duet::test;

TEST_CASE("a message to an offline pinned peer stays queued and is delivered once it is back")
{
    TempDir bobHome;
    TestPeer alice(named("alice"));
    std::string bobFingerprint;
    PeerId goneLink;
    {
        TestPeer bob(named("bob").inProfile(bobHome.path()));
        bobFingerprint = bob.fingerprint();
        auto link = connectVerified(alice, bob);
        REQUIRE(link);
        goneLink = link->atInitiator;
    }
    REQUIRE(alice.waitFor<event::PeerDisconnected>(3s));

    alice.post(command::SendChat{PeerId{}, 501, "while you were away", bobFingerprint});
    // A front end that had not yet seen the disconnection names the ended link; with the identity
    // named too, the message is queued rather than refused.
    alice.post(command::SendChat{goneLink, 502, "second", bobFingerprint});
    auto queued = alice.waitFor<event::ChatStateChanged>([](const auto& e) { return e.messageId == 502; });
    REQUIRE(queued);
    CHECK(queued->state == MessageState::Queued);
    CHECK(queued->fingerprint == bobFingerprint);
    CHECK(!queued->peer);
    CHECK(alice.count<event::ChatSent>() == 0);
    CHECK(alice.count<event::Error>() == 0);

    // An unknown identity is refused rather than queued forever.
    alice.post(command::SendChat{PeerId{}, 503, "to a stranger", "NOT-A-PEER"});
    REQUIRE(alice.waitFor<event::Error>(
        [](const auto& e) { return e.reason.find("not a verified peer") != std::string::npos; }));

    TestPeer bob(named("bob").manualConfirm().inProfile(bobHome.path()));
    alice.post(command::Connect{"127.0.0.1", bob.port()});
    auto first = bob.waitFor<event::ChatReceived>([](const auto& e) { return e.messageId == 501; });
    auto second = bob.waitFor<event::ChatReceived>([](const auto& e) { return e.messageId == 502; });
    REQUIRE(first);
    REQUIRE(second);
    CHECK(first->text == "while you were away");
    CHECK(first->fingerprint == alice.fingerprint());
    REQUIRE(alice.waitFor<event::ChatDelivered>([](const auto& e) { return e.messageId == 502; }));
    auto delivered = alice.waitFor<event::ChatStateChanged>(
        [](const auto& e) { return e.messageId == 501 && e.state == MessageState::Delivered; });
    REQUIRE(delivered);

    // Both sides' history holds each message once, oldest first.
    bob.post(command::LoadHistory{PeerId{}, alice.fingerprint(), 10, command::kNewestRow});
    auto page = bob.waitFor<event::HistoryPage>();
    REQUIRE(page);
    REQUIRE(page->messages.size() == 2);
    CHECK(page->messages[0].messageId == 501);
    CHECK(page->messages[1].messageId == 502);
    CHECK(!page->messages[0].outgoing);
    CHECK(page->messages[0].state == MessageState::Received);
    CHECK(!page->more);
}

TEST_CASE("history comes in pages, newest page first")
{
    TestPeer alice(named("alice"));
    TestPeer bob(named("bob"));
    auto link = connectVerified(alice, bob);
    REQUIRE(link);
    for (std::uint64_t id = 1; id <= 5; ++id)
        alice.post(command::SendChat{link->atInitiator, id, "n" + std::to_string(id)});
    REQUIRE(alice.waitFor<event::ChatDelivered>([](const auto& e) { return e.messageId == 5; }));
    alice.post(command::LoadHistory{link->atInitiator, "", 2, command::kNewestRow});
    auto newest = alice.waitFor<event::HistoryPage>();
    REQUIRE(newest);
    REQUIRE(newest->messages.size() == 2);
    CHECK(newest->messages[0].messageId == 4);
    CHECK(newest->messages[1].messageId == 5);
    CHECK(newest->messages[1].outgoing);
    CHECK(newest->messages[1].state == MessageState::Delivered);
    CHECK(newest->more);
    alice.post(command::LoadHistory{PeerId{}, bob.fingerprint(), 10, newest->messages[0].rowId});
    auto older = alice.waitFor<event::HistoryPage>();
    REQUIRE(older);
    REQUIRE(older->messages.size() == 3);
    CHECK(older->messages[0].messageId == 1);
    CHECK(older->messages[2].messageId == 3);
    CHECK(!older->more);
}

TEST_CASE("both sides dialling at once keep one connection and chat goes through it")
{
    TestPeer alice(named("alice"));
    TestPeer bob(named("bob"));
    alice.post(command::Connect{"127.0.0.1", bob.port()});
    bob.post(command::Connect{"127.0.0.1", alice.port()});
    // Two connections verify on each side; the duplicate is closed by the shared rule.
    auto duplicate = alice.waitFor<event::PeerDisconnected>(
        [](const auto& e) { return e.reason.find("duplicate") != std::string::npos; }, 8s);
    REQUIRE(duplicate);
    bob.idle(500ms);
    alice.idle(500ms);
    CHECK(alice.count<event::PeerDisconnected>() == 1);
    CHECK(bob.count<event::PeerDisconnected>() == 1);
    alice.post(command::SendChat{PeerId{}, 900, "after the tie", bob.fingerprint()});
    REQUIRE(bob.waitFor<event::ChatReceived>([](const auto& e) { return e.messageId == 900; }));
    REQUIRE(alice.waitFor<event::ChatDelivered>([](const auto& e) { return e.messageId == 900; }));
}

TEST_CASE("a second connection dialled by the same side replaces the first, as after a restart")
{
    TestPeer alice(named("alice"));
    TestPeer bob(named("bob"));
    auto first = connectVerified(bob, alice);
    REQUIRE(first);
    // What a restarted bob does before alice notices the old connection died: dial again.
    bob.post(command::Connect{"127.0.0.1", alice.port()});
    auto second = alice.waitFor<event::PeerVerified>(5s);
    REQUIRE(second);
    CHECK(second->peer != first->atResponder);
    auto replaced = alice.waitFor<event::PeerDisconnected>(
        [&](const auto& e) { return e.peer == first->atResponder; }, 5s);
    REQUIRE(replaced);
    CHECK(replaced->reason.find("replaced") != std::string::npos);
    // Chat goes through the new connection at once, in both directions.
    alice.post(command::SendChat{PeerId{}, 910, "to the new one", bob.fingerprint()});
    auto received = bob.waitFor<event::ChatReceived>([](const auto& e) { return e.messageId == 910; });
    REQUIRE(received);
    CHECK(received->peer != first->atInitiator);
    REQUIRE(alice.waitFor<event::ChatDelivered>([](const auto& e) { return e.messageId == 910; }));
    bob.post(command::SendChat{PeerId{}, 911, "back", alice.fingerprint()});
    REQUIRE(alice.waitFor<event::ChatReceived>(
        [&](const auto& e) { return e.messageId == 911 && e.peer == second->peer; }));
    CHECK(alice.count<event::PeerDisconnected>() == 1);
}
