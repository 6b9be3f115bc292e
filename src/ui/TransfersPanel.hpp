#pragma once
// The transfers panel: incoming offers to answer (OfferPrompt), then every offer in and out, newest
// first, with total progress, speed, ETA and state, pause / resume / cancel and "show in folder"; a
// clicked row shows its per-file progress. Rows are clipped, so 1,000 of them cost what a screenful does.
// Also owns the Ctrl+O shortcut and the overlays the panel opens (file browser, settings).
// Thread: UI thread, inside an ImGui frame.
#include "duet/state/AppState.hpp"
#include "duet/ui/ViewState.hpp"

namespace duet::ui {

// Height the panel wants under the conversation (0 when there is nothing to show).
float transfersPanelHeight(const state::AppState& state, const ViewState& view, float available);
void drawTransfersPanel(const state::AppState& state, ViewState& view, float height, Commands& out);
// Ctrl+O, the file browser and the settings window; call once per frame after the main layout.
void drawTransferOverlays(const state::AppState& state, ViewState& view, Commands& out);
// Opens the file browser to send files to the selected peer (no-op without an online peer).
void startSendFiles(const state::AppState& state, ViewState& view);

// "3.2 MB/s", "1m 05s", "—": small formatters shared with tests.
std::string formatSpeed(std::uint64_t bytesPerSec);
std::string formatEta(double seconds);

} // namespace duet::ui
