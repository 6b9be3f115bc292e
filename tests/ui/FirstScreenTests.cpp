#include "HeadlessUi.hpp"

#include <doctest/doctest.h>

using namespace duet;
using duet::ui::test::HeadlessUi;

TEST_CASE("first screen: Join with an address returns Connect with host and port parsed")
{
    HeadlessUi ui;
    ui.click("join.input");
    ui.type("127.0.0.1:47002");
    const ui::Commands commands = ui.click("join.button");
    REQUIRE(commands.size() == 1);
    const auto* connect = std::get_if<command::Connect>(&commands[0]);
    REQUIRE(connect != nullptr);
    CHECK(connect->host == "127.0.0.1");
    CHECK(connect->port == 47002);
    CHECK(ui.view.joinError.empty());
}

TEST_CASE("first screen: Enter in the Join field joins too, with the default port")
{
    HeadlessUi ui;
    ui.click("join.input");
    ui.type("192.168.1.20");
    const ui::Commands commands = ui.press(ImGuiKey_Enter);
    REQUIRE(commands.size() == 1);
    CHECK(std::get<command::Connect>(commands[0]).port == kDefaultPort);
}

TEST_CASE("first screen: a bad address shows an error next to the field and sends nothing")
{
    HeadlessUi ui;
    ui.click("join.input");
    ui.type("10.0.0.1:99999");
    CHECK(ui.click("join.button").empty());
    CHECK(ui.view.joinError.find("65535") != std::string::npos);
    CHECK(ui.click("join.button").empty());

    // Fixing the address clears the error.
    ui.click("join.input");
    ui.press(ImGuiKey_End);
    ui.press(ImGuiKey_Backspace);
    ui.press(ImGuiKey_Backspace);
    ui.press(ImGuiKey_Backspace);
    CHECK(ui.click("join.button").size() == 1);
    CHECK(ui.view.joinError.empty());
}

TEST_CASE("first screen: the Host toggle asks the engine to start or stop accepting")
{
    HeadlessUi ui;
    ui.state.apply(event::Listening{47001, "FP"}, ui.nowMs);
    ui::Commands commands = ui.click("host.toggle");
    REQUIRE(commands.size() == 1);
    CHECK(std::get<command::SetHosting>(commands[0]).accepting);

    ui.state.apply(event::HostingChanged{true}, ui.nowMs);
    commands = ui.click("host.toggle");
    REQUIRE(commands.size() == 1);
    CHECK_FALSE(std::get<command::SetHosting>(commands[0]).accepting);
}

TEST_CASE("first screen: editing the name sends SetDisplayName when the field is left")
{
    HeadlessUi ui;
    ui.state.setDisplayName("Alice");
    ui.frame();
    CHECK(ui.view.nameInput == "Alice");
    ui.click("name.input");
    ui.press(ImGuiKey_End);
    ui.type(" B.");
    const ui::Commands commands = ui.click("join.input"); // focus moves away
    REQUIRE(commands.size() == 1);
    CHECK(std::get<command::SetDisplayName>(commands[0]).name == "Alice B.");
    CHECK(ui.state.displayName() == "Alice B.");
}

TEST_CASE("first screen: an emptied name is refused and the old one comes back")
{
    HeadlessUi ui;
    ui.state.setDisplayName("Al");
    ui.click("name.input");
    ui.press(ImGuiKey_End);
    ui.press(ImGuiKey_Backspace);
    ui.press(ImGuiKey_Backspace);
    CHECK(ui.click("join.input").empty());
    CHECK(ui.view.nameInput == "Al");
}

TEST_CASE("first screen: the theme button switches theme and asks for a restyle")
{
    HeadlessUi ui;
    ui.frame();
    CHECK(ui.view.theme == ui::Theme::Dark);
    ui.click("theme.toggle");
    CHECK(ui.view.theme == ui::Theme::Light);
    ui.click("theme.toggle");
    CHECK(ui.view.theme == ui::Theme::Dark);
}

TEST_CASE("first screen: errors appear in a banner until dismissed, and again for the next error")
{
    HeadlessUi ui;
    ui.frame();
    CHECK_FALSE(ui.has("error.banner"));
    ui.state.apply(event::Error{PeerId{}, "port 47001 is already in use"}, ui.nowMs);
    ui.frame();
    CHECK(ui.has("error.banner"));
    ui.click("error.dismiss");
    ui.frame();
    CHECK_FALSE(ui.has("error.banner"));
    ui.state.apply(event::Error{PeerId{}, "connection timed out"}, ui.nowMs);
    ui.frame();
    CHECK(ui.has("error.banner"));
}

TEST_CASE("first screen: a new peer is selected and the status bar shows its link")
{
    HeadlessUi ui;
    ui.state.apply(event::Listening{47001, "MY-FP"}, ui.nowMs);
    ui.state.apply(event::PeerConnecting{PeerId{3}, "127.0.0.1:47002", false}, ui.nowMs);
    ui.frame();
    CHECK(ui.view.selectedPeer == PeerId{3});
    CHECK(ui.has("peer.3"));
    CHECK(ui.has("status.fingerprint"));
    CHECK_FALSE(ui.has("status.link"));
    ui.state.apply(event::LinkStats{PeerId{3}, 12, 0.01, 0, 0}, ui.nowMs);
    ui.frame();
    CHECK(ui.has("status.link"));
}
