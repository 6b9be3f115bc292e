#pragma once
// The conversation with one peer: header (name, address, state, Disconnect), the history and, once the
// peer is verified on both sides, the input. Appends SendChat / Disconnect to `out`.
// Thread: UI thread, inside an ImGui frame.
#include "duet/state/AppState.hpp"
#include "duet/ui/ViewState.hpp"

namespace duet::ui {

void drawChatPanel(const state::Peer& peer, ViewState& view, std::int64_t nowMs, Commands& out);

} // namespace duet::ui
