#pragma once
// The whole window for one frame: error banner, the first-screen column (name, Host, Join, peers, log),
// the conversation, the status bar and the verification / key-changed modals.
// Returns the commands the user issued this frame; the caller applies them to AppState (applyLocal) and
// posts them to the engine. Thread: UI thread, between ImGui::NewFrame() and ImGui::Render().
#include "duet/state/AppState.hpp"
#include "duet/ui/ViewState.hpp"

namespace duet::ui {

Commands drawApp(const state::AppState& state, ViewState& view, std::int64_t nowMs);

} // namespace duet::ui
