// Checklist D2, D4, E2 at the transport level: garbage datagrams, garbage frames from a connected ENet
// peer, frames in the wrong state, and a flood of connections that never authenticate.
#include "EngineHarness.hpp"
#include "duet/wire/Messages.hpp"

#include <doctest/doctest.h>
#include <memory>

using namespace duet;
using namespace duet::test;

TEST_CASE("random datagrams neither crash nor disturb the engine")
{
    TestPeer alice(named("alice"));
    TestPeer bob(named("bob"));
    REQUIRE(bob.listening());
    // Sizes around ENet's header, its MTU and its 4096-byte receive buffer (oversized reads return -1).
    const std::size_t sizes[] = {0,   1,    2,    3,    4,    7,    8,    12,   40,
                                 100, 1399, 1400, 1401, 4095, 4096, 4097, 5000, 65000};
    std::uint32_t seed = 1;
    for (int round = 0; round < 20; ++round) {
        for (std::size_t size : sizes)
            sendRawDatagram(bob.port(), randomBytes(size, seed++));
    }
    // A datagram that looks like the wake token but comes from elsewhere is ordinary garbage.
    sendRawDatagram(bob.port(), randomBytes(16, 99));

    auto link = connectVerified(alice, bob);
    REQUIRE(link);
    alice.post(command::SendChat{link->atInitiator, 42, "still here"});
    auto received = bob.waitFor<event::ChatReceived>();
    REQUIRE(received);
    CHECK(received->text == "still here");
    CHECK(bob.count<event::PeerConnecting>() == 1);
}

TEST_CASE("a connected ENet peer sending garbage frames is dropped at the 16th")
{
    TestPeer bob(named("bob"));
    RawClient client;
    REQUIRE(client.connect(bob.port()));
    auto connecting = bob.waitFor<event::PeerConnecting>();
    REQUIRE(connecting);
    CHECK_FALSE(connecting->outgoing);

    // A mix of everything that must be dropped and counted: random bytes, a truncated header, a frame
    // of another version, a Record before the handshake, a frame on the reserved data channel.
    std::vector<std::vector<std::uint8_t>> bad;
    bad.push_back(randomBytes(30, 7));
    bad.push_back({'D', 'U', 1});
    bad.push_back({'D', 'U', 9, 0x10, 0, 0, 0, 0});
    bad.push_back({'D', 'U', 1, 0x10, 0xFF, 0xFF, 0xFF, 0xFF}); // D1: a length far above the cap
    const std::vector<std::uint8_t> body = randomBytes(40, 8);
    bad.push_back(wire::encodeFrame(wire::FrameType::Record, body));
    while (bad.size() < 15)
        bad.push_back(randomBytes(bad.size() * 13, static_cast<std::uint32_t>(bad.size())));
    for (std::size_t i = 0; i < bad.size(); ++i)
        client.send(i % 2 == 0 ? 0 : 1, bad[i]);
    client.service(300ms);
    bob.idle(100ms);
    CHECK(bob.count<event::PeerDisconnected>() == 0);
    CHECK(client.connected());

    client.send(0, randomBytes(64, 16));
    CHECK(client.waitDisconnect(3s));
    auto gone = bob.waitFor<event::PeerDisconnected>();
    REQUIRE(gone);
    CHECK(gone->peer == connecting->peer);
    CHECK(gone->reason.find("too many bad packets (16)") != std::string::npos);
}

TEST_CASE("a handshake frame in the wrong order fails the handshake at once")
{
    TestPeer bob(named("bob"));
    RawClient client;
    REQUIRE(client.connect(bob.port()));
    // A responder's frame sent to the responder.
    client.send(0, wire::encode(wire::HandshakeReply{}));
    CHECK(client.waitDisconnect(3s));
    auto gone = bob.waitFor<event::PeerDisconnected>();
    REQUIRE(gone);
    CHECK(gone->reason.find("handshake failed") != std::string::npos);
}

TEST_CASE("at most 8 connections may be unauthenticated and silent ones time out within 5 s")
{
    TestPeer bob(named("bob"));
    REQUIRE(bob.listening());
    // One client per loopback address: ENet also caps connections per IP (4).
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 9; ++i) {
        const std::string ip = "127.0.0." + std::to_string(i + 2);
        clients.push_back(std::make_unique<RawClient>(ip.c_str()));
        REQUIRE(clients.back()->ok());
        REQUIRE(clients.back()->connect(bob.port()));
    }
    const auto start = std::chrono::steady_clock::now();

    // The ninth is told it is busy and disconnected.
    auto closeFrame = clients[8]->receive(2s);
    REQUIRE(closeFrame);
    auto frame = wire::decodeFrame(*closeFrame);
    REQUIRE(frame);
    REQUIRE(frame->type == wire::FrameType::Close);
    auto close = wire::decodeClose(frame->body);
    REQUIRE(close);
    CHECK(close->reason == wire::CloseReason::Busy);
    CHECK(clients[8]->waitDisconnect(2s));

    // The other eight were accepted, then time out without a handshake.
    while (bob.count<event::PeerDisconnected>() < 8 && std::chrono::steady_clock::now() - start < 8s) {
        for (auto& client : clients)
            client->service(5ms);
        bob.idle(20ms);
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(bob.count<event::PeerConnecting>() == 8);
    CHECK(bob.count<event::PeerDisconnected>() == 8);
    CHECK(elapsed < 6500ms);
    for (int i = 0; i < 8; ++i) {
        auto gone = bob.waitFor<event::PeerDisconnected>(0ms);
        REQUIRE(gone);
        CHECK(gone->reason == "handshake timed out");
    }

    // The slots are free again for a real peer.
    TestPeer alice(named("alice"));
    REQUIRE(connectVerified(alice, bob));
}

TEST_CASE("with hosting off incoming connections are refused")
{
    TestPeer alice(named("alice"));
    TestPeer bob(named("bob").notAccepting());
    auto hosting = bob.waitFor<event::HostingChanged>();
    REQUIRE(hosting);
    CHECK_FALSE(hosting->accepting);

    alice.post(command::Connect{"127.0.0.1", bob.port()});
    auto refused = alice.waitFor<event::PeerDisconnected>();
    REQUIRE(refused);
    CHECK(refused->reason.find("not accepting") != std::string::npos);
    bob.idle(100ms);
    CHECK(bob.count<event::PeerConnecting>() == 0);
    CHECK(alice.count<event::PeerConnected>() == 0);

    bob.post(command::SetHosting{true});
    REQUIRE(bob.waitFor<event::HostingChanged>([](const auto& e) { return e.accepting; }));
    REQUIRE(connectVerified(alice, bob));
}

TEST_CASE("an ENet packet above the 2 MiB limit is refused by the transport without harm")
{
    TestPeer alice(named("alice"));
    TestPeer bob(named("bob"));
    RawClient client;
    REQUIRE(client.connect(bob.port()));
    REQUIRE(bob.waitFor<event::PeerConnecting>());
    client.send(0, randomBytes(3u << 20, 3)); // D1/D5: ENet drops every fragment of it
    client.service(500ms);
    auto link = connectVerified(alice, bob);
    REQUIRE(link);
    alice.post(command::SendChat{link->atInitiator, 9, "unaffected"});
    auto received = bob.waitFor<event::ChatReceived>();
    REQUIRE(received);
    CHECK(received->text == "unaffected");
}
