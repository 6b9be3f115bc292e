// Checklist "flood": a verified peer that sends chat far above the limits (10,000 messages/s, or
// oversized messages) is cut off; everything it sent within the limits is stored exactly once and in
// order, and the engine keeps answering commands meanwhile.
#include "VerifiedScriptedPeer.hpp"
#include "duet/net/ChatService.hpp"
#include "duet/net/Limits.hpp"

#include <doctest/doctest.h>

using namespace duet;
using namespace duet::test;

TEST_CASE("10,000 messages a second: cut off at the limit, nothing within it lost, commands answered")
{
    TestPeer bob(named("bob"));
    ScriptedPeer peer(31);
    const PeerId flooder = verifyScriptedPeer(peer, bob, "flooder");
    constexpr std::uint64_t kTotal = 10000;
    const auto started = std::chrono::steady_clock::now();
    std::optional<std::chrono::steady_clock::time_point> askedAt;
    std::optional<std::chrono::milliseconds> latency;
    // 100 messages every 10 ms: 10,000 per second for one second.
    for (std::uint64_t id = 1; id <= kTotal && peer.client().connected(); ++id) {
        peer.sendApp(net::kChatChannel, wire::Chat{id, 1, "flood " + std::to_string(id)});
        if (id % 100 != 0) continue;
        peer.client().service(10ms);
        if (id == 2000) {
            askedAt = std::chrono::steady_clock::now();
            bob.post(command::LoadHistory{PeerId{}, peer.fingerprint(), 1, command::kNewestRow});
        }
    }
    auto gone = bob.waitFor<event::PeerDisconnected>(10s);
    REQUIRE(gone);
    CHECK(gone->peer == flooder);
    CHECK(gone->reason.find("faster than the limit") != std::string::npos);
    REQUIRE(askedAt);
    auto page = bob.waitFor<event::HistoryPage>(5s);
    REQUIRE(page);
    latency =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - *askedAt);
    MESSAGE("history answered " << latency->count() << " ms after the request, mid-flood; flood lasted "
                                << std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::steady_clock::now() - started)
                                       .count()
                                << " ms");
    CHECK(*latency < 2s);

    // What was accepted is a prefix of what was sent: ids 1..n, each once, in order, n >= the burst.
    std::vector<std::uint64_t> ids;
    for (std::size_t i = 0; i < kTotal; ++i) {
        auto received = bob.waitFor<event::ChatReceived>(0ms);
        if (!received) break;
        ids.push_back(received->messageId);
    }
    MESSAGE(ids.size() << " of " << kTotal << " messages accepted before the cut-off");
    REQUIRE(ids.size() >= static_cast<std::size_t>(net::ChatService::kMessageBurst));
    CHECK(ids.size() < kTotal);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] != i + 1) {
            FAIL("message " << i << " is id " << ids[i]);
            break;
        }
    }
    // The engine is healthy afterwards: a new command is answered at once.
    bob.post(command::SearchHistory{PeerId{}, peer.fingerprint(), "flood 1", 5});
    auto found = bob.waitFor<event::HistorySearchResults>(2s);
    REQUIRE(found);
    CHECK(found->messages.size() == 5);
}

TEST_CASE("oversized chat is refused by the decoder, and a byte flood of legal messages is cut off")
{
    TestPeer bob(named("bob"));
    ScriptedPeer peer(32);
    verifyScriptedPeer(peer, bob, "flooder");
    // A Chat claiming 64 KiB + 1 of text: refused by the decoder from its length prefix, before any copy;
    // counted as a bad packet, never stored.
    wire::ByteWriter oversized;
    oversized.u8(static_cast<std::uint8_t>(wire::AppType::Chat));
    oversized.u64(1);
    oversized.i64(0);
    oversized.u32(static_cast<std::uint32_t>(wire::kMaxChatText + 1));
    oversized.raw(wire::Bytes(1000, 'x'));
    peer.sendFrame(net::kChatChannel, peer.sealRaw(net::kChatChannel, oversized.take()));
    // Exactly 64 KiB is legal.
    peer.sendApp(net::kChatChannel, wire::Chat{2, 0, std::string(wire::kMaxChatText, 'y')});
    peer.client().service(200ms); // the raw client sends only while it is serviced
    auto legal = bob.waitFor<event::ChatReceived>();
    REQUIRE(legal);
    CHECK(legal->messageId == 2);
    CHECK(legal->text.size() == wire::kMaxChatText);

    // Up to 1,200 x 64 KiB (75 MiB) as fast as ENet takes them: far above the 16 MiB byte burst plus the
    // 8 MiB/s refill, however fast this machine moves them.
    const std::size_t maxMessages = 1200;
    for (std::uint64_t id = 3; id < 3 + maxMessages && peer.client().connected(); ++id) {
        peer.sendApp(net::kChatChannel, wire::Chat{id, 0, std::string(wire::kMaxChatText, 'z')});
        if (id % 20 == 0) peer.client().service(5ms);
    }
    peer.client().service(100ms);
    auto gone = bob.waitFor<event::PeerDisconnected>(30s);
    REQUIRE(gone);
    // Cut off by the chat byte limit, or earlier by the transport's own per-peer limits; either way
    // the connection ends and what was accepted before is intact.
    MESSAGE("large-message flood ended: " << gone->reason);
    std::size_t accepted = 0;
    std::uint64_t expected = 3;
    while (auto received = bob.waitFor<event::ChatReceived>(0ms)) {
        CHECK(received->messageId == expected++);
        if (++accepted > maxMessages) break;
    }
    MESSAGE(accepted << " large messages accepted before the cut-off");
    CHECK(accepted < maxMessages);
    // The byte limit lets the 16 MiB burst through. A slow build (sanitizers) may instead lose the raw
    // client's connection to ENet's own timeout first; then only the in-order prefix above is asserted.
    if (gone->reason != "connection lost") CHECK(accepted >= 250);
}

TEST_CASE("a 10,000-message burst from the user is stored in batches and commands are answered meanwhile")
{
    TestPeer alice(named("alice"));
    TestPeer bob(named("bob"));
    auto link = connectVerified(alice, bob);
    REQUIRE(link);
    constexpr std::uint64_t kTotal = 10000;
    const auto started = std::chrono::steady_clock::now();
    for (std::uint64_t id = 1; id <= kTotal; ++id)
        alice.post(command::SendChat{link->atInitiator, id, "b" + std::to_string(id)});
    alice.post(command::LoadHistory{PeerId{}, bob.fingerprint(), 1, command::kNewestRow});
    auto page = alice.waitFor<event::HistoryPage>(30s);
    REQUIRE(page);
    const auto answered =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    MESSAGE("10,000 sends stored and a history page answered after " << answered.count() << " ms");
    REQUIRE(page->messages.size() == 1);
    CHECK(page->messages[0].messageId == kTotal); // every send before the command is stored
    CHECK(answered < 10s);
    CHECK(alice.count<event::Error>() == 0);
}
