#include "HeadlessUi.hpp"

#include <doctest/doctest.h>

using namespace duet;
using duet::ui::test::HeadlessUi;

namespace {

template <typename T>
int countOf(const ui::Commands& commands)
{
    int count = 0;
    for (const Command& command : commands)
        count += std::holds_alternative<T>(command) ? 1 : 0;
    return count;
}

} // namespace

TEST_CASE("internet window: opening it turns hosting on and asks for my code, and says so")
{
    HeadlessUi ui;
    ui.state.apply(event::Listening{47001, "FP"}, ui.nowMs);
    const ui::Commands commands = ui.click("internet.open");
    REQUIRE(countOf<command::SetHosting>(commands) == 1);
    for (const Command& command : commands)
        if (const auto* hosting = std::get_if<command::SetHosting>(&command)) CHECK(hosting->accepting);
    CHECK(countOf<command::ShowNatCode>(commands) == 1);
    CHECK(ui.view.internet.open);
    CHECK(ui.view.internet.hostingTurnedOn);

    ui.state.apply(event::HostingChanged{true}, ui.nowMs);
    ui.frame();
    CHECK(ui.has("internet.hosting"));
    CHECK(ui.has("internet.window"));
}

TEST_CASE("internet window: with hosting already on, opening it leaves hosting alone")
{
    HeadlessUi ui;
    ui.state.apply(event::Listening{47001, "FP"}, ui.nowMs);
    ui.state.apply(event::HostingChanged{true}, ui.nowMs);
    const ui::Commands commands = ui.click("internet.open");
    CHECK(countOf<command::SetHosting>(commands) == 0);
    CHECK(countOf<command::ShowNatCode>(commands) == 1);
    CHECK_FALSE(ui.view.internet.hostingTurnedOn);
}

TEST_CASE("settings: the STUN servers field refuses a bad list and saves a clean one")
{
    HeadlessUi ui;
    ui.frame();
    ui.click("status.settings");
    ui.frame();
    REQUIRE(ui.has("settings.stun"));
    ui.click("settings.stun");
    ui.type("stun.example.org:99999");
    ui.click("settings.save");
    CHECK_FALSE(ui.view.transfers.settingsToSave.has_value());
    REQUIRE(ui.has("settings.save")); // still open: the error is shown under the field

    ui.click("settings.stun");
    ui.press(ImGuiKey_End);
    ui.press(ImGuiKey_Backspace);
    ui.press(ImGuiKey_Backspace);
    ui.press(ImGuiKey_Backspace);
    ui.press(ImGuiKey_Backspace);
    ui.type(", 192.0.2.9 ");
    ui.click("settings.save");
    REQUIRE(ui.view.transfers.settingsToSave.has_value());
    CHECK(ui.view.transfers.settingsToSave->stunServers == "stun.example.org:9,192.0.2.9");
    CHECK(ui.view.transfers.settings.stunServers == "stun.example.org:9,192.0.2.9");
}
