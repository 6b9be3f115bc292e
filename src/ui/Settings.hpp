#pragma once
// The settings window: display name, download folder (picked with the file browser), port, theme,
// auto-accept from verified peers, notifications and LAN visibility. Save hands the values to the front
// end (ViewState::transfers.settingsToSave), which persists them in the profile and tells the engine.
// Thread: UI thread, inside an ImGui frame.
#include "duet/state/AppState.hpp"
#include "duet/ui/ViewState.hpp"

namespace duet::ui {

void openSettings(ViewState& view);
void drawSettingsWindow(const state::AppState& state, ViewState& view, Commands& out);
// The commands that tell the engine about changed settings (name, download folder, auto-accept, LAN visibility).
Commands settingsCommands(const SettingsValues& before, const SettingsValues& after);

} // namespace duet::ui
