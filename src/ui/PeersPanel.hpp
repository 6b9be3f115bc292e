#pragma once
// The first screen's column: display name, the Host toggle, the Join field, listening status and the peer
// list. Appends SetDisplayName / SetHosting / Connect to `out`; selecting a peer only changes `view`.
// Thread: UI thread, inside an ImGui frame.
#include "duet/state/AppState.hpp"
#include "duet/ui/ViewState.hpp"

namespace duet::ui {

// `reserveBottom` pixels are left free below the peer list (for the log). `nowMs` (Unix ms) words the
// "last seen" of peers from earlier runs ("Today", "Yesterday", a date).
void drawPeersPanel(const state::AppState& state, ViewState& view, float reserveBottom, std::int64_t nowMs,
                    Commands& out);

} // namespace duet::ui
