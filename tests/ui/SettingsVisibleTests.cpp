#include "HeadlessUi.hpp"

#include <doctest/doctest.h>

using namespace duet;
using duet::ui::test::HeadlessUi;

TEST_CASE("settings: with discovery off the saved visibility is shown and a change is still sent")
{
    HeadlessUi ui;
    // As the front end fills it from the profile: the user had turned visibility off in an earlier run.
    ui.view.transfers.settings.visibleOnLan = false;
    ui.state.apply(event::DiscoveryState{false, false, {}, {}}, ui.nowMs);
    ui.frame();
    ui.click("status.settings");
    ui.frame();
    CHECK_FALSE(ui.view.transfers.draft.visibleOnLan);
    ui.click("settings.visible");
    ui.frame();
    CHECK(ui.view.transfers.draft.visibleOnLan);
    const ui::Commands commands = ui.click("settings.save");
    REQUIRE(commands.size() == 1);
    CHECK(std::get<command::SetVisible>(commands[0]).visible);
    // The engine reports nothing in force without discovery; the window keeps the user's choice.
    ui.state.apply(event::DiscoveryState{false, false, {}, {}}, ui.nowMs);
    ui.click("status.settings");
    ui.frame();
    CHECK(ui.view.transfers.draft.visibleOnLan);
}
