#pragma once
// Multi-line chat input where Enter sends and Shift+Enter inserts a line break.
// ImGui 1.86's InputTextMultiline inserts '\n' on Enter (CtrlEnterForNewLine only swaps Enter and
// Ctrl+Enter), so the '\n' produced by the Enter key is intercepted in a character filter: without Shift
// it becomes a send request, carried out in the same frame by an "always" callback that takes the text and
// empties the widget's own buffer while it keeps focus. Pasted line breaks are not key presses and stay.
// Thread: UI thread, inside an ImGui frame.
#include "imgui.h"

#include <cstddef>
#include <string>

namespace duet::ui {

inline constexpr std::size_t kMaxChatInputBytes = 64 * 1024; // the wire format's chat limit

// Draws the input bound to `draft`. Returns true when the user pressed Enter with non-blank text;
// `sent` then holds the text (surrounding blank lines and spaces trimmed) and `draft` is empty.
bool chatInput(const char* id, std::string& draft, std::string& sent, ImVec2 size);

} // namespace duet::ui
