#pragma once
// First-contact verification: a modal (the rest of the window is dimmed and inert) that shows the peer's
// name, address, fingerprint and the code in large type, with Confirm and Reject. It cannot be dismissed
// any other way and reappears until the user decides. Appends ConfirmPeer / RejectPeer to `out`.
// Thread: UI thread, inside an ImGui frame.
#include "duet/state/AppState.hpp"
#include "duet/ui/ViewState.hpp"

namespace duet::ui {

inline constexpr const char* kVerifyPopupName = "Verify new contact###verify";

void drawVerifyModal(const state::AppState& state, ViewState& view, Commands& out);

} // namespace duet::ui
