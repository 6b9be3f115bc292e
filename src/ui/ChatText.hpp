#pragma once
// The text of the conversation's messages as something to point at: links in a text row (drawn in the
// link colour, underlined with a hand cursor under the mouse, opened by a click), selecting part of one
// message with the mouse (drag, double-click for a word), and Ctrl+C / Ctrl+A / Escape on that selection.
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

// Selection range [begin, end) of `message`, or an empty range when the selection is elsewhere.
std::pair<std::uint32_t, std::uint32_t> selectionIn(const ChatHistoryView& history, std::size_t message);

// Draws text row `rowIndex` of `text` at its place and handles the mouse over it (the row's Selectable
// must be the last item). Records links under "chat.link.<message>.<n>" when a locator is installed.
void drawTextRow(ViewState& view, const TextGeometry& geometry, std::size_t rowIndex, std::string_view text);

// After the rows are drawn: follows a drag, opens a link clicked without dragging, and handles Ctrl+C,
// Ctrl+A and Escape while the history has the keyboard focus.
void finishTextInput(const state::Peer& peer, ChatHistoryView& history, const TextGeometry& geometry);

} // namespace duet::ui
