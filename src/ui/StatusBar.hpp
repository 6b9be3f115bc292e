#pragma once
// One line at the bottom: listening port, this computer's addresses (hover lists them all) and hosting,
// the selected peer's round trip, loss and throughput, and our own fingerprint (click to copy).
// Thread: UI thread, inside an ImGui frame.
#include "duet/state/AppState.hpp"
#include "duet/ui/ViewState.hpp"

#include <string>
#include <vector>

namespace duet::ui {

void drawStatusBar(const state::AppState& state, ViewState& view);
// "192.168.1.20 +1": the first address and how many more; empty without any.
std::string addressSummary(const std::vector<std::string>& addresses);

} // namespace duet::ui
