#pragma once
// The hard stop when a pinned peer presents a different identity key: a red modal with SSH-style wording.
// Its only action is Disconnect; there is deliberately no way to trust the new key from here, and it
// cannot be dismissed otherwise (no close button; Escape and clicks outside do nothing).
// Thread: UI thread, inside an ImGui frame.
#include "duet/state/AppState.hpp"
#include "duet/ui/ViewState.hpp"

namespace duet::ui {

inline constexpr const char* kKeyChangedPopupName = "WARNING: IDENTITY CHANGED###key-changed";

// Returns true while the modal is showing (other modals wait).
bool drawKeyChangedModal(const state::AppState& state, ViewState& view, Commands& out);

} // namespace duet::ui
