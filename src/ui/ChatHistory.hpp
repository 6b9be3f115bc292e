#pragma once
// The conversation view: messages and pictures as rows of equal height (day separator, sender, wrapped
// text line, picture slice, gap) so ImGuiListClipper draws only the visible rows. Pictures (ChatImages.hpp)
// go between the messages at the time they finished. Only the entries on screen are laid out into rows
// each frame; the others are heights in ChatLayout (estimated until measured), so a long history costs no
// more per frame than a short one. The view stays on the message at its top while heights above change,
// and at the bottom when it was there. Thread: UI thread only.
#include "duet/core/Ids.hpp"
#include "duet/state/AppState.hpp"
#include "duet/ui/ChatCopy.hpp"
#include "duet/ui/ChatImages.hpp"
#include "duet/ui/ChatLayout.hpp"
#include "duet/ui/ChatSelection.hpp"
#include "duet/ui/Links.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

struct ImFont;

namespace duet::ui {

struct ViewState;

// A link of a message: its index among the links of that message's text.
struct LinkRef {
    std::size_t message = std::numeric_limits<std::size_t>::max();
    std::size_t index = 0;
    bool operator==(const LinkRef&) const = default;
};

struct ChatHistoryView {
    static constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

    ChatLayout layout;
    // Rows of entries [windowFirst, windowEnd) (ChatLayout.hpp): the screen and a margin, this frame.
    std::vector<ChatRow> rows;
    std::size_t windowFirst = 0;
    std::size_t windowEnd = 0;
    std::uint64_t rowsBase = 0;            // row of the whole history that rows[0] is
    std::vector<std::uint32_t> entryRows;  // per window entry: its first index in `rows`, then the end
    std::vector<LinkSpan> links;           // of the window's messages
    std::vector<std::uint32_t> firstLinks; // per window entry: its first index in `links`, then the end
    bool measuring = false;                // heights are still estimates: the app keeps drawing frames

    // Interaction.
    std::size_t selectedMessage = kNone;
    bool scrollToBottom = true; // on opening a conversation and after sending
    std::size_t jumpTo = kNone; // a message to scroll to and select (the find bar)
    bool wantOlder = false;     // scrolled to the top while older stored messages exist

    // Text selected with the mouse or keyboard, within a message or across many (ChatSelection.hpp).
    ChatSelection selection;
    bool selecting = false;     // the left button is down: the focus follows the mouse
    bool autoScrolling = false; // a drag is held above or below the list: the app keeps drawing frames
    std::size_t reveal = kNone; // a message to scroll into view (Shift+Up/Down moved the focus there)
    LinkRef pressedLink;        // the link the button went down on
    // The link under the mouse: this frame's so far, and last frame's (a link wrapped over two rows is
    // underlined on both).
    LinkRef hoveredLinkNow;
    LinkRef hoveredLink;
    std::string menuLink; // URL under the mouse when the row menu opened (empty: none)
    // Ctrl+C and the row menu's copies, built over frames when long (ChatCopy.hpp); the clipboard gets the
    // text when it is complete.
    ChatCopy copy;
    bool copying = false; // a copy is under way in the conversation on screen: the app keeps drawing frames
    // Links the user clicked or chose "Open link" for; the front end opens them and clears the list.
    std::vector<std::string> openLinkRequests;
};

// Syncs the layout and lays out every entry into `view.rows` (tests, and a look at a whole history).
void layoutChat(ChatHistoryView& view, const state::Peer& peer, const std::vector<ChatImage>& pictures,
                const ImFont* font, float fontSize, float wrapWidth);

// Lays out entries [first, end) into the window rows, measuring them; true when a height changed.
bool layoutWindow(ChatHistoryView& view, const state::Peer& peer, const std::vector<ChatImage>& pictures,
                  std::size_t first, std::size_t end);

// Draws the history of `peer` in a child region of `height` pixels (0 = all remaining space).
void drawChatHistory(const state::Peer& peer, ViewState& view, std::int64_t nowMs, float height);

} // namespace duet::ui
