#pragma once
// Dark and light styles, scaled for the monitor (100-200 %), and the few semantic colours panels use.
// Thread: UI thread; applyTheme() must run between frames (it rewrites ImGui::GetStyle()).
#include "duet/ui/ViewState.hpp"
#include "imgui.h"

namespace duet::ui {

struct Palette {
    ImVec4 accent;   // our own name, links, the Host toggle
    ImVec4 peerName; // the other side's name
    ImVec4 success;  // online, delivered
    ImVec4 warning;  // verifying, connecting
    ImVec4 danger;   // errors, the key-changed warning
    ImVec4 muted;    // timestamps, hints
    ImVec4 bannerBackground;
    ImVec4 dangerBackground;
};

const Palette& palette(Theme theme);

// Resets ImGui's style to `theme` and scales every size by `scale` (the window's content scale).
void applyTheme(Theme theme, float scale);

} // namespace duet::ui
