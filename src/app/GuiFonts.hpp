#pragma once
// Fonts: DejaVu Sans (body, bold headings) and DejaVu Sans Mono (fingerprints) found through fontconfig,
// plus a CJK font merged into the body when fontconfig has one for zh or ja. The body has Latin, Greek,
// Cyrillic and common symbols (from just after the first frame on: GlyphSet); other characters (CJK above
// all) are baked only once text on screen uses them (GuiGlyphs), because baking ~6,000 CJK glyphs up front
// cost over half a second of start-up. Any font that cannot be found or read is replaced by ImGui's built-in
// font; a missing glyph draws ImGui's fallback, never crashes. Thread: main thread, between frames
// (rebuilding the atlas invalidates the GL font texture).
#include "duet/ui/ViewState.hpp"
#include "imgui.h"

#include <future>
#include <memory>
#include <string>
#include <string_view>
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

// True for code points the body font always bakes (so GuiGlyphs need not ask for them).
bool inBaseRanges(unsigned codepoint);
// True for code points the start-up atlas bakes (GlyphSet::FirstFrame), a subset of the base ranges.
bool inFirstFrameRanges(unsigned codepoint);
// Zero-terminated ImGui range pairs of the characters of UTF-8 `text` the start-up atlas lacks (empty
// when there is none), so names on the first screen are baked into it.
std::vector<ImWchar> rangesBeyondFirstFrame(std::string_view text);

// The body glyphs an atlas holds. The first frame needs only what the window's own text uses; the rest
// of the base ranges (Latin Extended, Greek, Cyrillic, symbols) arrives in a full atlas baked on a worker
// right after the first frame (GuiFrameLoop), so start-up bakes and uploads a quarter of the atlas.
enum class GlyphSet { FirstFrame, Full };

// Clears `atlas` and loads the fonts at `scale` (1 = 16 px body text), with the extra code points in
// `extraRanges` (zero-terminated ImGui range pairs, or null) taken from the body font where it has them,
// else from the CJK font. Returns the fonts to draw with (the body font is the atlas's first, so ImGui's
// default). Uses no ImGui context (only ImGui's allocator), so it may run on any thread that owns `atlas`.
ui::UiFonts buildFonts(ImFontAtlas& atlas, const FontFiles& files, float scale,
                       const ImWchar* extraRanges = nullptr, GlyphSet set = GlyphSet::Full);

// An atlas baked off the main thread, with the RGBA pixels the GL backend uploads. The atlas must outlive
// the ImGui context given it; `extraRanges` (zero-terminated, or empty) lives as long as the atlas.
struct PreparedFonts {
    std::unique_ptr<ImFontAtlas> atlas;
    FontFiles files;
    ui::UiFonts fonts;
    float scale = 1.f;
    GlyphSet set = GlyphSet::Full;
    std::vector<ImWchar> extraRanges;
    long long milliseconds = 0;
};
PreparedFonts bakeFonts(FontFiles files, float scale, GlyphSet set, std::vector<ImWchar> extraRanges = {});

// Start-up: fontconfig and the first-frame atlas at the scale the window is expected to have, made on a
// worker thread while the window and its GL context open. `firstScreenText` (the names the first frame
// shows, from the profile) adds the characters they need; a broken promise adds none.
PreparedFonts prepareFonts(float scale, std::future<std::string> firstScreenText);

} // namespace duet::app
