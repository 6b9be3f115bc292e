#pragma once
// One incoming offer waiting for an answer: who offers what (count, size, the first names), Accept,
// Reject, and "Choose files..." which lists every file with a tick box so only some are accepted.
// Thread: UI thread, inside an ImGui frame.
#include "duet/state/AppState.hpp"
#include "duet/ui/ViewState.hpp"

namespace duet::ui {

void drawOfferPrompt(const state::AppState& state, const state::TransferRow& row, ViewState& view,
                     Commands& out);

} // namespace duet::ui
