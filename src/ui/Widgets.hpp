#pragma once
// Small drawing helpers shared by the panels. Peer-supplied text is only ever drawn with these (or
// TextUnformatted), never passed as a format string or a widget label.
// Thread: UI thread, inside an ImGui frame.
#include "duet/state/AppState.hpp"
#include "duet/state/TextSanitize.hpp"
#include "duet/ui/ViewState.hpp"
#include "imgui.h"

#include <string>
#include <string_view>

namespace duet::ui {

// Records the last item's rectangle under `key` when a locator is installed.
void locate(const ViewState& view, std::string_view key);
// Records the current window's rectangle under `key`.
void locateWindow(const ViewState& view, std::string_view key);
// ImGui::Button that also records itself under `key`.
bool button(const ViewState& view, std::string_view key, const char* label, ImVec2 size = ImVec2(0, 0));
// ImGui::SmallButton (no vertical padding, fits in a text row) that records itself under `key`.
bool smallButton(const ViewState& view, std::string_view key, const char* label);

// A checkbox whose label wraps at the window's right edge; clicking the label toggles it too. Records
// the box under `key`. Returns true when `value` changed.
bool checkboxWrapped(const ViewState& view, std::string_view key, const char* label, bool& value);

void text(std::string_view value);
void textColored(const ImVec4& color, std::string_view value);
// Wraps at the window's right edge (or at `wrapWidth` pixels from the cursor when > 0).
void textWrapped(std::string_view value, float wrapWidth = 0.f);
void textWrappedColored(const ImVec4& color, std::string_view value);

// "123456" -> "123 456" so six digits are easy to read aloud; other codes are returned unchanged.
std::string formatVerificationCode(std::string_view code);

const char* phaseLabel(const state::Peer& peer);
ImVec4 phaseColor(Theme theme, const state::Peer& peer);

using state::truncateUtf8; // at a UTF-8 boundary, at most `maxBytes` bytes
// Trims spaces, tabs and line breaks at both ends.
std::string_view trimWhitespace(std::string_view text);

} // namespace duet::ui
