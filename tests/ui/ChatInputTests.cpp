#include "HeadlessUi.hpp"

#include <doctest/doctest.h>

using namespace duet;
using duet::ui::test::HeadlessUi;

namespace {

const PeerId kBob{5};

void connectBob(HeadlessUi& ui)
{
    ui.state.apply(event::PeerConnected{kBob, "Bob", "127.0.0.1:47002", "FP", "123456", Trust::Verified},
                   ui.nowMs);
    ui.state.apply(event::PeerVerified{kBob}, ui.nowMs);
}

command::SendChat onlySend(const ui::Commands& commands)
{
    REQUIRE(commands.size() == 1);
    const auto* send = std::get_if<command::SendChat>(&commands[0]);
    REQUIRE(send != nullptr);
    return *send;
}

} // namespace

TEST_CASE("chat input: Enter sends the text, clears the input and shows the message at once")
{
    HeadlessUi ui;
    connectBob(ui);
    ui.click("chat.input");
    ui.type("hello Bob");
    const command::SendChat send = onlySend(ui.press(ImGuiKey_Enter));
    CHECK(send.peer == kBob);
    CHECK(send.text == "hello Bob");
    CHECK(send.messageId != 0);
    CHECK(ui.view.drafts[kBob].empty());

    const state::Peer* bob = ui.state.findPeer(kBob);
    REQUIRE(bob->messages.size() == 1);
    CHECK(bob->messages[0].outgoing);
    CHECK(bob->messages[0].text == "hello Bob");
    CHECK(bob->messages[0].delivery == state::Delivery::Sending);

    // The input keeps focus and is empty: the next message needs no click, and no stale text goes out.
    ui.type("second");
    const command::SendChat second = onlySend(ui.press(ImGuiKey_Enter));
    CHECK(second.text == "second");
    CHECK(second.messageId != send.messageId);
}

TEST_CASE("chat input: Shift+Enter inserts a line break instead of sending")
{
    HeadlessUi ui;
    connectBob(ui);
    ui.click("chat.input");
    ui.type("first line");
    CHECK(ui.press(ImGuiKey_Enter, true).empty());
    CHECK(ui.view.drafts[kBob] == "first line\n");
    ui.type("second line");
    CHECK(onlySend(ui.press(ImGuiKey_Enter)).text == "first line\nsecond line");
}

TEST_CASE("chat input: keypad Enter sends too")
{
    HeadlessUi ui;
    connectBob(ui);
    ui.click("chat.input");
    ui.type("via keypad");
    CHECK(onlySend(ui.press(ImGuiKey_KeyPadEnter)).text == "via keypad");
}

TEST_CASE("chat input: Enter on blank input sends nothing and adds no line")
{
    HeadlessUi ui;
    connectBob(ui);
    ui.click("chat.input");
    CHECK(ui.press(ImGuiKey_Enter).empty());
    ui.type("   ");
    CHECK(ui.press(ImGuiKey_Enter).empty());
    CHECK(ui.view.drafts[kBob] == "   ");
    CHECK(ui.state.findPeer(kBob)->messages.empty());
}

TEST_CASE("chat input: surrounding blank lines are trimmed, inner ones kept")
{
    HeadlessUi ui;
    connectBob(ui);
    ui.click("chat.input");
    ui.press(ImGuiKey_Enter, true);
    ui.type("a");
    ui.press(ImGuiKey_Enter, true);
    ui.press(ImGuiKey_Enter, true);
    ui.type("b  ");
    CHECK(onlySend(ui.press(ImGuiKey_Enter)).text == "a\n\nb");
}

TEST_CASE("chat input: a line break that is not the Enter key (a paste) stays in the text")
{
    HeadlessUi ui;
    connectBob(ui);
    ui.click("chat.input");
    ui.type("pasted\ntext");
    CHECK(ui.view.drafts[kBob] == "pasted\ntext");
}

TEST_CASE("chat input: the Send button sends the draft")
{
    HeadlessUi ui;
    connectBob(ui);
    ui.click("chat.input");
    ui.type("by button");
    const command::SendChat send = onlySend(ui.click("chat.send"));
    CHECK(send.text == "by button");
    CHECK(ui.view.drafts[kBob].empty());
    CHECK(ui.click("chat.send").empty()); // nothing left
}

TEST_CASE("chat input: drafts are kept per peer")
{
    HeadlessUi ui;
    connectBob(ui);
    ui.click("chat.input");
    ui.type("for Bob");
    ui.state.apply(event::PeerConnected{PeerId{6}, "Carol", "127.0.0.1:47003", "FP2", "1", Trust::Verified},
                   ui.nowMs);
    ui.state.apply(event::PeerVerified{PeerId{6}}, ui.nowMs);
    ui.click("peer.6");
    CHECK(ui.view.selectedPeer == PeerId{6});
    ui.click("chat.input");
    ui.type("for Carol");
    ui.click("peer.5");
    CHECK(ui.view.drafts[kBob] == "for Bob");
    CHECK(ui.view.drafts[PeerId{6}] == "for Carol");
}

TEST_CASE("chat input: there is no input until the peer is verified on both sides")
{
    HeadlessUi ui;
    ui.state.apply(event::PeerConnected{kBob, "Bob", "127.0.0.1:47002", "FP", "123456", Trust::Verified},
                   ui.nowMs);
    ui.frame();
    CHECK_FALSE(ui.has("chat.input"));
    ui.state.apply(event::PeerVerified{kBob}, ui.nowMs);
    ui.frame();
    CHECK(ui.has("chat.input"));
    ui.state.apply(event::PeerDisconnected{kBob, "closed by peer"}, ui.nowMs);
    ui.frame();
    CHECK_FALSE(ui.has("chat.input"));
    CHECK_FALSE(ui.has("chat.disconnect"));
}

TEST_CASE("chat input: Disconnect in the conversation header asks the engine to disconnect")
{
    HeadlessUi ui;
    connectBob(ui);
    const ui::Commands commands = ui.click("chat.disconnect");
    REQUIRE(commands.size() == 1);
    CHECK(std::get<command::Disconnect>(commands[0]).peer == kBob);
}
