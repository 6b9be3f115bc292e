#pragma once
// Notices and errors, newest at the bottom, errors in red; plus the banner that puts the newest unseen
// error at the top of the window (errors never go only to stderr). Thread: UI thread, inside a frame.
#include "duet/state/AppState.hpp"
#include "duet/ui/ViewState.hpp"

namespace duet::ui {

void drawLogPanel(const state::AppState& state, ViewState& view, float height);
// Draws nothing when every error has been seen (dismissed).
void drawErrorBanner(const state::AppState& state, ViewState& view);

} // namespace duet::ui
