#pragma once
// Fonts: DejaVu Sans (body, bold headings) and DejaVu Sans Mono (fingerprints) found through fontconfig,
// plus a CJK font merged into the body when fontconfig has one for zh or ja. Any font that cannot be
// found or read is replaced by ImGui's built-in font; a missing glyph draws ImGui's fallback, never crashes.
// Thread: main thread, between frames (rebuilding the atlas invalidates the GL font texture).
#include "duet/ui/ViewState.hpp"

#include <string>
#include <vector>

struct ImFontAtlas;

namespace duet::app {

struct FontFile {
    std::string path; // empty when not found
    int index = 0;    // face index inside a .ttc collection
};

struct FontFiles {
    FontFile sans;
    FontFile sansBold;
    FontFile mono;
    FontFile cjk;
    std::vector<std::string> notes; // what was not found, for the log
};

FontFiles locateFonts();

// Clears `atlas` and loads the fonts at `scale` (1 = 16 px body text). Returns the fonts to draw with.
ui::UiFonts buildFonts(ImFontAtlas& atlas, const FontFiles& files, float scale);

} // namespace duet::app
