#pragma once
// One line at the bottom: listening port and hosting, the selected peer's round trip and loss, and our own
// fingerprint (click to copy). Thread: UI thread, inside an ImGui frame.
#include "duet/state/AppState.hpp"
#include "duet/ui/ViewState.hpp"

namespace duet::ui {

void drawStatusBar(const state::AppState& state, ViewState& view);

} // namespace duet::ui
