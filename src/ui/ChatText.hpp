#pragma once
// The text of the conversation's messages as something to point at: links in a text row (drawn in the
// link colour, underlined with a hand cursor under the mouse, opened by a click), selecting text with the
// mouse (drag within or across messages, double-click for a word, Shift+Click to extend) and the keyboard
// (Shift+Up/Down, Ctrl+A), Ctrl+C and Escape on that selection.
// Thread: UI thread, inside the history's child window (ChatHistory.cpp).
#include "duet/ui/ChatHistory.hpp"
#include "duet/ui/ViewState.hpp"
#include "imgui.h"

#include <span>
#include <string_view>

namespace duet::ui {

// Where a message's text rows are on screen this frame.
struct TextGeometry {
    const ImFont* font = nullptr;
    float fontSize = 0.f;
    float textX = 0.f;       // screen x where every text row starts
    float textOffsetY = 0.f; // from a row's top to its text
    float rowHeight = 0.f;
    float rowsTop = 0.f; // screen y of row 0 (may be far above the window)
};

// The links laid out for message `message` (empty before it is laid out).
std::span<const LinkSpan> messageLinks(const ChatHistoryView& history, std::size_t message);

// Selection range [begin, end) of `message` (whose text has `textSize` bytes), or an empty range when the
// selection does not reach it.
std::pair<std::uint32_t, std::uint32_t> selectionIn(const ChatHistoryView& history, std::size_t message,
                                                    std::size_t textSize);

// Draws text row `rowIndex` of `message` at its place and handles the mouse over it (the row's Selectable
// must be the last item). Records links under "chat.link.<message>.<n>" when a locator is installed.
void drawTextRow(ViewState& view, const TextGeometry& geometry, std::size_t rowIndex,
                 const state::ChatMessage& message);

// Goes on with the copy under way for this frame's share of time and puts its text on the clipboard when
// complete (a short copy in this very call, a long one in the frame after its last slice); sets
// `history.copying` while the clipboard has not got it.
void runCopy(ChatHistoryView& history, const std::vector<state::ChatMessage>& messages);

// After the rows are drawn: follows a drag (scrolling while the mouse is held above or below the list),
// opens a link clicked without dragging, and handles Ctrl+C, Ctrl+A, Shift+Up/Down and Escape while the
// history has the keyboard focus. `nowMs` names the days in copied text.
void finishTextInput(const state::Peer& peer, ChatHistoryView& history, const TextGeometry& geometry,
                     std::int64_t nowMs);

} // namespace duet::ui
