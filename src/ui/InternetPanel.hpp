#pragma once
// "Connect over the internet": shows my connection code with a Copy button, takes theirs, and shows the
// progress (mapping, STUN, punching, connected) or the failure reason. Opened from the peers panel.
// Appends ShowNatCode (when opened) and ConnectNatCode to `out`. Opening it also turns hosting on
// (SetHosting), since the side that does not dial must accept the other's connection; the window says so.
// Thread: UI thread, inside a frame.
#include "duet/state/AppState.hpp"
#include "duet/ui/ViewState.hpp"

namespace duet::ui {

// The button under Join that opens the window.
void drawInternetButton(const state::AppState& state, ViewState& view, Commands& out);
// The window itself (nothing when closed).
void drawInternetWindow(const state::AppState& state, ViewState& view, Commands& out);

} // namespace duet::ui
