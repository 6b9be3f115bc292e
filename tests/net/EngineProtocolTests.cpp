// Checklist D4 and G2 inside an authenticated session: a scripted peer with a real identity breaks the
// session rules an honest Duet never breaks.
#include "ScriptedPeer.hpp"
#include "duet/crypto/PacketCipher.hpp"

#include <doctest/doctest.h>

using namespace duet;
using namespace duet::test;

namespace {

// Handshake plus Hello both ways. The engine's Hello must arrive only after ours (it is the responder).
void introduce(ScriptedPeer& peer, TestPeer& engine)
{
    REQUIRE(peer.connect(engine.port()));
    REQUIRE(peer.handshake());
    peer.sendApp(0, wire::Hello{"scripted", 0});
    auto hello = peer.receiveApp();
    REQUIRE(hello);
    REQUIRE(std::holds_alternative<wire::Hello>(*hello));
    CHECK(std::get<wire::Hello>(*hello).displayName == "bob");
    auto connected = engine.waitFor<event::PeerConnected>();
    REQUIRE(connected);
    CHECK(connected->name == "scripted");
    CHECK(connected->fingerprint == peer.fingerprint());
}

void expectProtocolError(ScriptedPeer& peer, TestPeer& engine, const std::string& rule)
{
    auto nothing = peer.receiveApp(2s);
    CHECK_FALSE(nothing);
    REQUIRE(peer.lastClose());
    CHECK(peer.lastClose()->reason == wire::CloseReason::ProtocolError);
    CHECK(peer.lastClose()->detail == rule);
    CHECK(peer.waitDisconnect(3s));
    auto gone = engine.waitFor<event::PeerDisconnected>();
    REQUIRE(gone);
    CHECK(gone->reason == "protocol error: " + rule);
}

} // namespace

TEST_CASE("the responder says Hello only after the initiator's first record")
{
    TestPeer bob(named("bob").manualConfirm());
    ScriptedPeer peer(1);
    REQUIRE(peer.connect(bob.port()));
    REQUIRE(peer.handshake());
    CHECK_FALSE(peer.receiveApp(300ms));
    peer.sendApp(0, wire::Hello{"scripted", 0});
    auto hello = peer.receiveApp();
    REQUIRE(hello);
    REQUIRE(std::holds_alternative<wire::Hello>(*hello));
    // The engine offers AES-256-GCM for the bulk stream exactly where this CPU can do it (§11.3), and
    // the chat echo (§3.1), raw bulk datagrams (§11.8) and compact data (§11.10) always. Large datagrams
    // (§11.9) depend on the kernel steering raw datagrams to a socket of their own (Linux 4.5 on), which
    // integration/raw_bulk checks against the engine's own report.
    CHECK((std::get<wire::Hello>(*hello).capabilities & ~wire::kCapabilityLargeBulk) ==
          (wire::kCapabilityChatEcho | wire::kCapabilityRawBulk | wire::kCapabilityCompactBulk |
           (crypto::aesGcmAvailable() ? wire::kCapabilityBulkAesGcm : 0u)));
}

TEST_CASE("chat before confirmation is a protocol error")
{
    TestPeer bob(named("bob").manualConfirm());
    ScriptedPeer peer(2);
    introduce(peer, bob);
    peer.sendApp(1, wire::Chat{5, 0, "sneaking in"});
    expectProtocolError(peer, bob, "chat before confirmation");
    CHECK(bob.count<event::ChatReceived>() == 0);
}

TEST_CASE("a second Hello is a protocol error")
{
    TestPeer bob(named("bob").manualConfirm());
    ScriptedPeer peer(3);
    introduce(peer, bob);
    peer.sendApp(0, wire::Hello{"someone else", 0});
    expectProtocolError(peer, bob, "second Hello");
}

TEST_CASE("a first record that is not Hello is a protocol error")
{
    TestPeer bob(named("bob").manualConfirm());
    ScriptedPeer peer(4);
    REQUIRE(peer.connect(bob.port()));
    REQUIRE(peer.handshake());
    peer.sendApp(0, wire::PeerConfirmed{});
    expectProtocolError(peer, bob, "first message was not Hello");
    CHECK(bob.count<event::PeerConnected>() == 0);
}

TEST_CASE("replayed and forged records are dropped and the session goes on")
{
    TestPeer bob(named("bob")); // auto-confirms
    ScriptedPeer peer(5);
    introduce(peer, bob);
    auto confirmed = peer.receiveApp();
    REQUIRE(confirmed);
    CHECK(std::holds_alternative<wire::PeerConfirmed>(*confirmed));
    peer.sendApp(0, wire::PeerConfirmed{});
    REQUIRE(bob.waitFor<event::PeerVerified>());

    const wire::Bytes chat = peer.seal(1, wire::Chat{100, 1, "once"});
    peer.sendFrame(1, chat);
    peer.sendFrame(1, chat); // replay: fails to open
    // A forged record (never sealed by the peer, so the stream position is untouched) fails too.
    peer.sendFrame(1, wire::encodeFrame(wire::FrameType::Record, randomBytes(60, 5)));
    peer.sendFrame(1, peer.seal(1, wire::Chat{102, 1, "after"}));
    // The same id again in a fresh, authentic record (a re-send after a lost ack): acked, shown once.
    peer.sendFrame(1, peer.seal(1, wire::Chat{100, 1, "once"}));

    auto first = bob.waitFor<event::ChatReceived>();
    auto second = bob.waitFor<event::ChatReceived>();
    REQUIRE(first);
    REQUIRE(second);
    CHECK(first->text == "once");
    CHECK(second->text == "after");
    bob.idle(200ms);
    CHECK(bob.count<event::ChatReceived>() == 2);
    CHECK(bob.count<event::PeerDisconnected>() == 0);
    std::vector<std::uint64_t> acked;
    while (auto message = peer.receiveApp(1s)) {
        if (const auto* ack = std::get_if<wire::ChatAck>(&*message)) acked.push_back(ack->id);
        if (acked.size() == 3) break;
    }
    CHECK(acked == std::vector<std::uint64_t>{100, 102, 100});
    CHECK(bob.count<event::ChatReceived>() == 2);
}

TEST_CASE("authentic records that do not decode are counted and the 16th closes the session")
{
    TestPeer bob(named("bob").manualConfirm());
    ScriptedPeer peer(6);
    introduce(peer, bob);
    for (int i = 0; i < 15; ++i) {
        // Sealed correctly, so they open; the plaintexts are not messages (D3 inside the encryption).
        peer.sendFrame(0, peer.sealRaw(0, randomBytes(10 + i, static_cast<std::uint32_t>(i))));
    }
    bob.idle(300ms);
    CHECK(bob.count<event::PeerDisconnected>() == 0);
    // The user is told (the peer's own software sent these, they are not line noise).
    CHECK(bob.count<event::Error>() >= 1);
    peer.sendFrame(0, peer.sealRaw(0, {0x20})); // a Hello without its fields
    auto gone = bob.waitFor<event::PeerDisconnected>();
    REQUIRE(gone);
    CHECK(gone->reason.find("too many bad packets (16), last: undecodable message") != std::string::npos);
}
