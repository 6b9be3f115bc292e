// The chat echo (PROTOCOL.md §3.1): every Chat also travels on its own ordered channel, so a message whose
// datagram was lost on one channel still arrives through the other. The receiver shows it once, acknowledges
// it once and charges the rate limit once; only Chat may use the echo channel.
#include "VerifiedScriptedPeer.hpp"
#include "duet/net/Limits.hpp"

#include <doctest/doctest.h>

using namespace duet;
using namespace duet::test;

namespace {

// Application messages from bob for `duration`, with the channel each came on.
std::vector<std::pair<std::uint8_t, wire::AppMessage>> collect(ScriptedPeer& peer,
                                                               std::chrono::milliseconds duration)
{
    std::vector<std::pair<std::uint8_t, wire::AppMessage>> seen;
    const auto deadline = std::chrono::steady_clock::now() + duration;
    for (int i = 0; i < 100 && std::chrono::steady_clock::now() < deadline; ++i) {
        std::uint8_t channel = 0;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        auto message = peer.receiveApp(std::max(left, 1ms), &channel);
        if (message) seen.emplace_back(channel, std::move(*message));
    }
    return seen;
}

} // namespace

TEST_CASE(
    "chat echo: a Chat that arrives only on the echo channel is shown once, its late copy changes nothing")
{
    TestPeer bob(named("bob"));
    ScriptedPeer peer(41, net::kChannelCount);
    verifyScriptedPeer(peer, bob, "echoing", wire::kCapabilityChatEcho);

    // The copy on channel 1 was "lost": only the echo arrives.
    peer.sendApp(net::kChatEchoChannel, wire::Chat{1, 1000, "over the echo"});
    auto received = bob.waitFor<event::ChatReceived>();
    REQUIRE(received);
    CHECK(received->messageId == 1);
    CHECK(received->text == "over the echo");
    // Then the copy on channel 1 comes after all, and the next message only there.
    peer.sendApp(net::kChatChannel, wire::Chat{1, 1000, "over the echo"});
    peer.sendApp(net::kChatChannel, wire::Chat{2, 1001, "second"});
    received = bob.waitFor<event::ChatReceived>();
    REQUIRE(received);
    CHECK(received->messageId == 2);
    CHECK_FALSE(bob.waitFor<event::ChatReceived>(300ms));

    std::vector<std::uint64_t> acks;
    for (const auto& [channel, message] : collect(peer, 500ms))
        if (const auto* ack = std::get_if<wire::ChatAck>(&message)) acks.push_back(ack->id);
    CHECK(acks == std::vector<std::uint64_t>{1, 2}); // each once
}

TEST_CASE(
    "chat echo: bob sends each Chat on both channels to a peer that offers it, once to one that does not")
{
    for (const bool offers : {true, false}) {
        CAPTURE(offers);
        TestPeer bob(named("bob"));
        ScriptedPeer peer(offers ? 42 : 43, net::kChannelCount);
        const PeerId link = verifyScriptedPeer(peer, bob, "echoing", offers ? wire::kCapabilityChatEcho : 0);
        bob.post(command::SendChat{link, 77, "hello twice"});
        std::vector<std::uint8_t> channels;
        for (const auto& [channel, message] : collect(peer, 700ms)) {
            const auto* chat = std::get_if<wire::Chat>(&message);
            if (chat == nullptr) continue;
            CHECK(chat->text == "hello twice");
            channels.push_back(channel);
        }
        if (offers)
            CHECK(channels == std::vector<std::uint8_t>{net::kChatChannel, net::kChatEchoChannel});
        else
            CHECK(channels == std::vector<std::uint8_t>{net::kChatChannel});
    }
}

TEST_CASE("chat echo: anything but Chat on the echo channel is a bad packet, and enough of them end the link")
{
    TestPeer bob(named("bob"));
    ScriptedPeer peer(44, net::kChannelCount);
    const PeerId link = verifyScriptedPeer(peer, bob, "echoing", wire::kCapabilityChatEcho);
    for (int i = 0; i < net::kMaxBadPackets; ++i)
        peer.sendApp(net::kChatEchoChannel, wire::ChatRead{static_cast<std::uint64_t>(i + 1)});
    auto gone = bob.waitFor<event::PeerDisconnected>(5s);
    REQUIRE(gone);
    CHECK(gone->peer == link);
    CHECK(gone->reason.find("bad packets") != std::string::npos);
}
