#include "HeadlessUi.hpp"

#include <doctest/doctest.h>

using namespace duet;
using duet::ui::test::HeadlessUi;

namespace {

const PeerId kAlice{7};

void firstContact(HeadlessUi& ui)
{
    ui.state.apply(event::PeerConnecting{kAlice, "127.0.0.1:47001", false}, ui.nowMs);
    ui.state.apply(event::PeerConnected{kAlice, "Alice", "127.0.0.1:47001", "AAAA-BBBB-CCCC", "123456",
                                        Trust::Unverified},
                   ui.nowMs);
}

void keyChanged(HeadlessUi& ui)
{
    ui.state.apply(event::PeerKeyChanged{kAlice, "Alice", "127.0.0.1:47001", "OLD-FP", "NEW-FP"}, ui.nowMs);
}

} // namespace

TEST_CASE("verify modal: first contact shows the code, Confirm returns ConfirmPeer and closes it")
{
    HeadlessUi ui;
    firstContact(ui);
    ui.frame();
    ui.frame();
    CHECK(ui.has("verify.window"));
    CHECK(ui.has("verify.code"));
    const ui::Commands commands = ui.click("verify.confirm");
    REQUIRE(commands.size() == 1);
    CHECK(std::get<command::ConfirmPeer>(commands[0]).peer == kAlice);
    ui.frame();
    CHECK_FALSE(ui.has("verify.window"));
    CHECK(ui.state.findPeer(kAlice)->confirmedLocally);
}

TEST_CASE("verify modal: Reject returns RejectPeer")
{
    HeadlessUi ui;
    firstContact(ui);
    const ui::Commands commands = ui.click("verify.reject");
    REQUIRE(commands.size() == 1);
    CHECK(std::get<command::RejectPeer>(commands[0]).peer == kAlice);
}

TEST_CASE("verify modal: it blocks the window behind it and ignores Escape")
{
    HeadlessUi ui;
    ui.frame();
    const auto join = ui.locator.find("join.button");
    REQUIRE(join.has_value());
    firstContact(ui);
    ui.frame();
    ui.frame();
    CHECK(ui.clickAt(join->centerX(), join->centerY()).empty());
    CHECK(ui.press(ImGuiKey_Escape).empty());
    ui.frame();
    CHECK(ui.has("verify.window"));
}

TEST_CASE("verify modal: Enter typed into a chat as the prompt appears confirms nothing")
{
    HeadlessUi ui;
    const PeerId bob{5};
    ui.state.apply(event::PeerConnected{bob, "Bob", "127.0.0.1:47002", "FP", "1", Trust::Verified}, ui.nowMs);
    ui.state.apply(event::PeerVerified{bob}, ui.nowMs);
    ui.click("chat.input");
    ui.type("typing while");
    firstContact(ui); // Alice's prompt pops up mid-sentence
    ui.frame();
    ui.type(" it appears");
    for (ImGuiKey key : {ImGuiKey_Enter, ImGuiKey_KeyPadEnter, ImGuiKey_Space})
        for (const Command& command : ui.press(key))
            CHECK_FALSE(std::holds_alternative<command::ConfirmPeer>(command));
    // The modal took the keyboard: the half-typed chat was neither sent nor lost.
    CHECK(ui.state.findPeer(bob)->messages.empty());
    CHECK(ui.view.drafts[bob] == "typing while");
    ui.frame();
    CHECK(ui.has("verify.window"));
    CHECK(ui.state.peerNeedingVerification() != nullptr);
}

TEST_CASE("verify modal: not shown for a pinned peer")
{
    HeadlessUi ui;
    ui.state.apply(event::PeerConnected{kAlice, "Alice", "a", "F", "1", Trust::Verified}, ui.nowMs);
    ui.frame();
    ui.frame();
    CHECK_FALSE(ui.has("verify.window"));
}

TEST_CASE("key-changed modal: Disconnect is the only button and returns Disconnect")
{
    HeadlessUi ui;
    keyChanged(ui);
    ui.frame();
    ui.frame();
    CHECK(ui.has("keychange.window"));
    CHECK(ui.locator.keysWithPrefix("keychange.") ==
          std::vector<std::string>{"keychange.disconnect", "keychange.window"});
    const ui::Commands commands = ui.click("keychange.disconnect");
    REQUIRE(commands.size() == 1);
    CHECK(std::get<command::Disconnect>(commands[0]).peer == kAlice);
    ui.frame();
    CHECK_FALSE(ui.has("keychange.window"));
    CHECK(ui.state.keyChangeAlerts().empty());
}

TEST_CASE("key-changed modal: no click, key or click outside trusts the key or dismisses it")
{
    HeadlessUi ui;
    ui.frame();
    const auto join = ui.locator.find("join.button");
    REQUIRE(join.has_value());
    keyChanged(ui);
    ui.frame();
    ui.frame();
    const auto window = ui.locator.find("keychange.window");
    const auto disconnect = ui.locator.find("keychange.disconnect");
    REQUIRE(window.has_value());
    REQUIRE(disconnect.has_value());

    // Every point of the modal except the Disconnect button, on a 12-pixel grid.
    int clicks = 0;
    for (float y = window->minY + 1; y < window->maxY; y += 12) {
        for (float x = window->minX + 1; x < window->maxX; x += 12) {
            if (x >= disconnect->minX && x <= disconnect->maxX && y >= disconnect->minY &&
                y <= disconnect->maxY)
                continue;
            CHECK(ui.clickAt(x, y).empty());
            ++clicks;
        }
    }
    CHECK(clicks > 100);
    CHECK(ui.clickAt(join->centerX(), join->centerY()).empty()); // behind the modal
    CHECK(ui.clickAt(2, 2).empty());
    CHECK(ui.clickAt(2, 2, 1).empty()); // right click outside
    for (ImGuiKey key : {ImGuiKey_Escape, ImGuiKey_Enter, ImGuiKey_Space, ImGuiKey_Tab})
        CHECK(ui.press(key).empty());
    ui.frame();
    CHECK(ui.has("keychange.window"));
    CHECK(ui.state.keyChangeAlerts().size() == 1);
    const state::Peer* alice = ui.state.findPeer(kAlice);
    CHECK((alice == nullptr || alice->trust == Trust::Unverified));
}

TEST_CASE("key-changed modal: outranks a pending verification, which follows once it is handled")
{
    HeadlessUi ui;
    ui.state.apply(
        event::PeerConnected{PeerId{8}, "Carol", "127.0.0.1:47003", "CCCC", "654321", Trust::Unverified},
        ui.nowMs);
    ui.frame();
    ui.frame();
    CHECK(ui.has("verify.window"));
    keyChanged(ui);
    ui.frame();
    ui.frame();
    CHECK(ui.has("keychange.window"));
    CHECK_FALSE(ui.has("verify.window"));
    ui.click("keychange.disconnect");
    ui.frame();
    ui.frame();
    CHECK_FALSE(ui.has("keychange.window"));
    CHECK(ui.has("verify.window"));
}
