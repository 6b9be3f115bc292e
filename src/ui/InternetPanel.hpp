#pragma once
// "Connect over the internet": shows my connection code with a Copy button, takes theirs, and shows the
// progress (mapping, STUN, punching, connected) or the failure reason. Opened from the peers panel.
// Appends ShowNatCode (when opened) and ConnectNatCode to `out`. Thread: UI thread, inside a frame.
#include "duet/state/AppState.hpp"
#include "duet/ui/ViewState.hpp"

namespace duet::ui {

// The button under Join that opens the window.
void drawInternetButton(ViewState& view, Commands& out);
// The window itself (nothing when closed).
void drawInternetWindow(const state::AppState& state, ViewState& view, Commands& out);

} // namespace duet::ui
