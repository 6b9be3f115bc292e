#include "duet/state/AppState.hpp"

#include <doctest/doctest.h>

using namespace duet;
using duet::state::AppState;
using duet::state::Delivery;

namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;
const PeerId kAlice{7};

AppState onlineWithAlice()
{
    AppState state;
    state.apply(event::PeerConnected{kAlice, "Alice", "127.0.0.1:47001", "F", "123456", Trust::Unverified},
                kNow);
    state.applyLocal(command::ConfirmPeer{kAlice}, kNow);
    state.apply(event::PeerVerified{kAlice}, kNow);
    return state;
}

} // namespace

TEST_CASE("chat state: our message shows at once, then Sent, then Delivered")
{
    AppState state = onlineWithAlice();
    state.applyLocal(command::SendChat{kAlice, 11, "hello"}, kNow + 1);
    const auto& messages = state.findPeer(kAlice)->messages;
    REQUIRE(messages.size() == 1);
    CHECK(messages[0].outgoing);
    CHECK(messages[0].text == "hello");
    CHECK(messages[0].timeMs == kNow + 1);
    CHECK(messages[0].delivery == Delivery::Sending);

    const auto revision = state.findPeer(kAlice)->messagesRevision;
    state.apply(event::ChatSent{kAlice, 11, kNow + 3}, kNow + 3);
    CHECK(messages[0].delivery == Delivery::Sent);
    CHECK(messages[0].timeMs == kNow + 3);
    CHECK(state.findPeer(kAlice)->messagesRevision > revision);

    state.apply(event::ChatDelivered{kAlice, 11}, kNow + 9);
    CHECK(messages[0].delivery == Delivery::Delivered);
}

TEST_CASE("chat state: a delivery mark that overtakes ChatSent is not undone by it")
{
    AppState state = onlineWithAlice();
    state.applyLocal(command::SendChat{kAlice, 11, "hello"}, kNow);
    state.apply(event::ChatDelivered{kAlice, 11}, kNow);
    state.apply(event::ChatSent{kAlice, 11, kNow}, kNow);
    CHECK(state.findPeer(kAlice)->messages[0].delivery == Delivery::Delivered);
}

TEST_CASE("chat state: incoming messages append in order, count as unread until markRead")
{
    AppState state = onlineWithAlice();
    state.apply(event::ChatReceived{kAlice, 100, "Alice", "first", kNow}, kNow);
    state.apply(event::ChatReceived{kAlice, 101, "Alice", "second\r\nline", kNow + 1}, kNow);
    const state::Peer* alice = state.findPeer(kAlice);
    REQUIRE(alice->messages.size() == 2);
    CHECK_FALSE(alice->messages[0].outgoing);
    CHECK(alice->messages[0].from == "Alice");
    CHECK(alice->messages[1].text == "second\nline");
    CHECK(alice->unread == 2);
    state.markRead(kAlice);
    CHECK(alice->unread == 0);
}

TEST_CASE("chat state: a duplicated message id is shown once")
{
    AppState state = onlineWithAlice();
    state.apply(event::ChatReceived{kAlice, 100, "Alice", "once", kNow}, kNow);
    state.apply(event::ChatReceived{kAlice, 100, "Alice", "replayed", kNow}, kNow);
    REQUIRE(state.findPeer(kAlice)->messages.size() == 1);
    CHECK(state.findPeer(kAlice)->messages[0].text == "once");
    CHECK(state.findPeer(kAlice)->unread == 1);
}

TEST_CASE("chat state: a peer cannot mark its own message as our delivered one")
{
    AppState state = onlineWithAlice();
    state.apply(event::ChatReceived{kAlice, 100, "Alice", "theirs", kNow}, kNow);
    state.apply(event::ChatDelivered{kAlice, 100}, kNow);
    state.apply(event::ChatDelivered{kAlice, 555}, kNow); // unknown id: ignored
    CHECK(state.findPeer(kAlice)->messages[0].delivery == Delivery::Sending);
    CHECK(state.findPeer(kAlice)->messages.size() == 1);
}

TEST_CASE("chat state: a message from a peer never announced is kept, not dropped")
{
    AppState state;
    state.apply(event::ChatReceived{PeerId{42}, 1, "Stranger", "hi", kNow}, kNow);
    REQUIRE(state.findPeer(PeerId{42}) != nullptr);
    CHECK(state.findPeer(PeerId{42})->messages.size() == 1);
}

TEST_CASE("chat state: histories stay separate per peer and 100k messages apply quickly")
{
    AppState state = onlineWithAlice();
    const PeerId bob{9};
    constexpr int kCount = 100'000;
    for (int i = 0; i < kCount; ++i) {
        const auto id = static_cast<std::uint64_t>(i + 1);
        state.apply(event::ChatReceived{i % 2 ? bob : kAlice, id, "x", "message text", kNow + i}, kNow);
    }
    CHECK(state.findPeer(kAlice)->messages.size() == kCount / 2);
    CHECK(state.findPeer(bob)->messages.size() == kCount / 2);
    CHECK(state.findPeer(bob)->messages.back().timeMs == kNow + kCount - 1);
}
