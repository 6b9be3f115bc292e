// Read receipts, typing indicators, their settings, and the history commands (search, clear, export)
// between real engines, plus the wire-level rate limit of typing seen by a scripted peer.
#include "ScriptedPeer.hpp"

#include <doctest/doctest.h>
#include <fstream>
#include <sstream>

using namespace duet;
using namespace duet::test;

namespace {

std::vector<event::HistoryEntry> historyOf(TestPeer& peer, const std::string& fingerprint)
{
    peer.post(command::LoadHistory{PeerId{}, fingerprint, 100, command::kNewestRow});
    auto page = peer.waitFor<event::HistoryPage>();
    REQUIRE(page);
    return page->messages;
}

void sendAndDeliver(TestPeer& from, PeerId link, std::uint64_t firstId, int count)
{
    for (int i = 0; i < count; ++i)
        from.post(command::SendChat{link, firstId + static_cast<std::uint64_t>(i), "m" + std::to_string(i)});
    const std::uint64_t last = firstId + static_cast<std::uint64_t>(count) - 1;
    REQUIRE(from.waitFor<event::ChatDelivered>([last](const auto& e) { return e.messageId == last; }));
}

} // namespace

TEST_CASE("the sender sees queued, sent, delivered, then read once the peer read the conversation")
{
    TestPeer alice(named("alice"));
    TestPeer bob(named("bob"));
    auto link = connectVerified(alice, bob);
    REQUIRE(link);
    REQUIRE(alice.waitFor<event::ChatOptions>());
    sendAndDeliver(alice, link->atInitiator, 10, 3);
    std::vector<MessageState> states;
    while (auto e =
               alice.waitFor<event::ChatStateChanged>([](const auto& s) { return s.messageId == 12; }, 1s))
        states.push_back(e->state);
    CHECK(states ==
          std::vector<MessageState>{MessageState::Queued, MessageState::Sent, MessageState::Delivered});

    bob.post(command::MarkRead{PeerId{}, alice.fingerprint()});
    for (std::uint64_t id = 10; id <= 12; ++id) {
        auto read = alice.waitFor<event::ChatStateChanged>(
            [id](const auto& e) { return e.messageId == id && e.state == MessageState::Read; });
        REQUIRE(read);
        CHECK(read->fingerprint == bob.fingerprint());
    }
    // Persisted on both sides.
    for (const event::HistoryEntry& entry : historyOf(alice, bob.fingerprint()))
        CHECK(entry.state == MessageState::Read);
    for (const event::HistoryEntry& entry : historyOf(bob, alice.fingerprint()))
        CHECK(entry.state == MessageState::Read);
    // Reading again with nothing new sends nothing.
    bob.post(command::MarkRead{PeerId{}, alice.fingerprint()});
    alice.idle(300ms);
    CHECK(alice.count<event::ChatStateChanged>() == 12);
}

TEST_CASE("a receipt for messages read while the sender was away arrives when it reconnects")
{
    TempDir aliceHome;
    TestPeer bob(named("bob"));
    std::string aliceFingerprint;
    {
        TestPeer alice(named("alice").inProfile(aliceHome.path()));
        aliceFingerprint = alice.fingerprint();
        auto link = connectVerified(alice, bob);
        REQUIRE(link);
        sendAndDeliver(alice, link->atInitiator, 40, 2);
    }
    REQUIRE(bob.waitFor<event::PeerDisconnected>(3s));
    bob.post(command::MarkRead{PeerId{}, aliceFingerprint});
    bob.idle(200ms);
    TestPeer alice(named("alice").inProfile(aliceHome.path()));
    REQUIRE(connectVerified(alice, bob));
    REQUIRE(alice.waitFor<event::ChatStateChanged>(
        [](const auto& e) { return e.messageId == 41 && e.state == MessageState::Read; }));
    REQUIRE(alice.waitFor<event::ChatStateChanged>(
        [](const auto& e) { return e.messageId == 40 && e.state == MessageState::Read; }));
}

TEST_CASE("with read receipts off no receipt is sent, and the setting persists")
{
    TempDir bobHome;
    TestPeer alice(named("alice"));
    {
        TestPeer bob(named("bob").inProfile(bobHome.path()));
        bob.post(command::SetChatOptions{false, std::nullopt});
        auto options = bob.waitFor<event::ChatOptions>([](const auto& e) { return !e.readReceipts; });
        REQUIRE(options);
        CHECK(options->typingIndicator);
    }
    TestPeer bob(named("bob").inProfile(bobHome.path()));
    auto restored = bob.waitFor<event::ChatOptions>();
    REQUIRE(restored);
    CHECK_FALSE(restored->readReceipts);
    auto link = connectVerified(alice, bob);
    REQUIRE(link);
    sendAndDeliver(alice, link->atInitiator, 70, 2);
    bob.post(command::MarkRead{PeerId{}, alice.fingerprint()});
    alice.idle(500ms);
    for (const event::HistoryEntry& entry : historyOf(alice, bob.fingerprint()))
        CHECK(entry.state == MessageState::Delivered);
    // Bob's own copy is read all the same.
    for (const event::HistoryEntry& entry : historyOf(bob, alice.fingerprint()))
        CHECK(entry.state == MessageState::Read);
}

TEST_CASE("typing shows at the peer, stops on a message, and expires by itself")
{
    TestPeer alice(named("alice"));
    TestPeer bob(named("bob"));
    auto link = connectVerified(alice, bob);
    REQUIRE(link);
    alice.post(command::SetTyping{link->atInitiator, "", true});
    auto typing = bob.waitFor<event::PeerTyping>();
    REQUIRE(typing);
    CHECK(typing->typing);
    CHECK(typing->fingerprint == alice.fingerprint());
    alice.post(command::SendChat{link->atInitiator, 90, "done typing"});
    auto stopped = bob.waitFor<event::PeerTyping>();
    REQUIRE(stopped);
    CHECK_FALSE(stopped->typing);

    // Typing again, then silence: the indicator goes away after kTypingExpiry (6 s) on its own.
    alice.post(command::SetTyping{link->atInitiator, "", true});
    REQUIRE(bob.waitFor<event::PeerTyping>([](const auto& e) { return e.typing; }));
    const auto started = std::chrono::steady_clock::now();
    auto expired = bob.waitFor<event::PeerTyping>(9s);
    REQUIRE(expired);
    CHECK_FALSE(expired->typing);
    CHECK(std::chrono::steady_clock::now() - started >= 5s);

    // Switched off at bob: nothing shown, nothing sent.
    bob.post(command::SetChatOptions{std::nullopt, false});
    REQUIRE(bob.waitFor<event::ChatOptions>([](const auto& e) { return !e.typingIndicator; }));
    alice.post(command::SetTyping{link->atInitiator, "", true});
    bob.post(command::SetTyping{link->atResponder, "", true});
    bob.idle(400ms);
    alice.idle(100ms);
    CHECK(bob.count<event::PeerTyping>() == 4);
    CHECK(alice.count<event::PeerTyping>() == 0);
}

TEST_CASE("typing notices are rate-limited on the wire and a stop is sent once")
{
    TestPeer bob(named("bob"));
    ScriptedPeer peer(21);
    REQUIRE(peer.connect(bob.port()));
    REQUIRE(peer.handshake());
    peer.sendApp(0, wire::Hello{"scripted", 0});
    REQUIRE(peer.receiveApp()); // Hello
    REQUIRE(peer.receiveApp()); // PeerConfirmed (bob auto-confirms)
    peer.sendApp(0, wire::PeerConfirmed{});
    auto verified = bob.waitFor<event::PeerVerified>();
    REQUIRE(verified);
    for (int i = 0; i < 50; ++i)
        bob.post(command::SetTyping{verified->peer, "", true});
    bob.post(command::SetTyping{verified->peer, "", false});
    bob.post(command::SetTyping{verified->peer, "", false});
    std::vector<bool> seen;
    while (auto message = peer.receiveApp(700ms)) {
        if (const auto* typing = std::get_if<wire::Typing>(&*message)) seen.push_back(typing->active);
        if (seen.size() > 10) break;
    }
    CHECK(seen == std::vector<bool>{true, false});
}

TEST_CASE("search finds text literally, clear keeps the outbox, export writes text")
{
    TestPeer alice(named("alice"));
    TestPeer bob(named("bob"));
    auto link = connectVerified(alice, bob);
    REQUIRE(link);
    alice.post(command::SendChat{link->atInitiator, 1, "Lunch at noon?"});
    alice.post(command::SendChat{link->atInitiator, 2, "50% off_today"});
    alice.post(command::SendChat{link->atInitiator, 3, "multi\nline LUNCH"});
    REQUIRE(alice.waitFor<event::ChatDelivered>([](const auto& e) { return e.messageId == 3; }));

    alice.post(command::SearchHistory{PeerId{}, bob.fingerprint(), "lunch", 10});
    auto found = alice.waitFor<event::HistorySearchResults>();
    REQUIRE(found);
    REQUIRE(found->messages.size() == 2);
    CHECK(found->messages[0].messageId == 3); // newest first
    CHECK(found->messages[1].messageId == 1);
    CHECK_FALSE(found->more);
    // LIKE wildcards in the query match only themselves.
    alice.post(command::SearchHistory{PeerId{}, bob.fingerprint(), "0%", 10});
    auto percent = alice.waitFor<event::HistorySearchResults>();
    REQUIRE(percent);
    REQUIRE(percent->messages.size() == 1);
    CHECK(percent->messages[0].messageId == 2);
    alice.post(command::SearchHistory{PeerId{}, bob.fingerprint(), "_", 10});
    auto underscore = alice.waitFor<event::HistorySearchResults>();
    REQUIRE(underscore);
    CHECK(underscore->messages.size() == 1);
    alice.post(command::SearchHistory{PeerId{}, bob.fingerprint(), "un", 1});
    auto limited = alice.waitFor<event::HistorySearchResults>();
    REQUIRE(limited);
    CHECK(limited->messages.size() == 1);
    CHECK(limited->more);

    TempDir out;
    const std::string path = (out.path() / "chat.txt").string();
    bob.post(command::ExportHistory{PeerId{}, alice.fingerprint(), path});
    auto exported = bob.waitFor<event::HistoryExported>();
    REQUIRE(exported);
    CHECK(exported->messages == 3);
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    CHECK(text.str().find("Duet conversation with alice") == 0);
    CHECK(text.str().find("] alice: Lunch at noon?\n") != std::string::npos);
    CHECK(text.str().find("] alice: multi\n  line LUNCH\n") != std::string::npos);
    // Never replaces a file.
    bob.post(command::ExportHistory{PeerId{}, alice.fingerprint(), path});
    REQUIRE(bob.waitFor<event::Error>([](const auto& e) { return e.reason.find("export history") == 0; }));
    bob.post(command::ExportHistory{PeerId{}, alice.fingerprint(), "relative.txt"});
    REQUIRE(bob.waitFor<event::Error>(
        [](const auto& e) { return e.reason.find("absolute") != std::string::npos; }));

    // Clearing keeps what is still queued: bob is gone, so message 4 waits in alice's outbox.
    bob.post(command::Disconnect{link->atResponder});
    REQUIRE(alice.waitFor<event::PeerDisconnected>());
    alice.post(command::SendChat{PeerId{}, 4, "still queued", bob.fingerprint()});
    REQUIRE(alice.waitFor<event::ChatStateChanged>([](const auto& e) { return e.messageId == 4; }));
    alice.post(command::ClearHistory{PeerId{}, bob.fingerprint()});
    auto cleared = alice.waitFor<event::HistoryCleared>();
    REQUIRE(cleared);
    CHECK(cleared->removed == 3);
    const auto left = historyOf(alice, bob.fingerprint());
    REQUIRE(left.size() == 1);
    CHECK(left[0].messageId == 4);
    CHECK(left[0].state == MessageState::Queued);
}
