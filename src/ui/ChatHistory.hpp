#pragma once
// The conversation view: messages and pictures are laid out once into rows of equal height (day separator,
// sender, wrapped text line, picture slice, gap) so ImGuiListClipper draws only the visible rows. Pictures
// (ChatImages.hpp) go between the messages at the time they finished. Layout is incremental: new messages
// append rows; a width or font change, older history or a new picture lays everything out again.
// Thread: UI thread only.
#include "duet/core/Ids.hpp"
#include "duet/state/AppState.hpp"
#include "duet/ui/ChatImages.hpp"
#include "duet/ui/Links.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

struct ImFont;

namespace duet::ui {

struct ViewState;

struct ChatRow {
    enum class Kind : std::uint8_t { Day, Sender, Text, Gap, Picture };
    Kind kind = Kind::Gap;
    bool firstOfMessage = false; // Text rows: this row also shows the time and the delivery mark
    std::uint32_t message = 0;   // index into Peer::messages, or into the pictures when `picture`
    std::uint32_t begin = 0;     // Text rows: byte range of the message text; Picture rows: slice, of `end`
    std::uint32_t end = 0;
    bool picture = false; // the row belongs to a picture (Day, Sender, Gap or Picture)
};

struct ChatHistoryView {
    static constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

    // Layout cache.
    PeerId peer;
    const ImFont* font = nullptr;
    float fontSize = 0.f;
    float wrapWidth = -1.f;
    std::size_t messagesLaidOut = 0;
    std::size_t picturesKnown = 0;   // pictures in the last layout (a new one lays out again)
    std::size_t picturesLaidOut = 0; // of those, placed so far (the rest follow the newest message)
    bool lastWasPicture = false;     // the newest laid-out entry is a picture: the next message regroups
    std::int32_t lastDay = 0;        // local day of the newest laid-out entry
    std::uint64_t prepends = 0;      // Peer::prepends laid out
    std::size_t rowsPrepended = 0;   // rows that the last layout added in front (scroll keeps its place)
    std::vector<ChatRow> rows;
    std::vector<std::uint32_t> firstRows;  // per laid-out message: its first Text row (find jumps there)
    std::vector<LinkSpan> links;           // of every laid-out message, found once when it is laid out
    std::vector<std::uint32_t> firstLinks; // per laid-out message: its first entry in `links`

    // Interaction.
    std::size_t selectedMessage = kNone;
    std::size_t rowsDrawn = 0;  // rows.size() when last drawn, to notice new messages
    bool scrollToBottom = true; // on opening a conversation and after sending
    std::size_t jumpTo = kNone; // a message to scroll to and select (the find bar)
    bool wantOlder = false;     // scrolled to the top while older stored messages exist

    // Text selected with the mouse: bytes [min, max) of anchor and focus in one message's text.
    std::size_t selectionMessage = kNone;
    std::uint32_t selectionAnchor = 0;
    std::uint32_t selectionFocus = 0;
    bool selecting = false;          // the left button is down: the focus follows the mouse
    std::size_t pressedLink = kNone; // index into `links` of the link the button went down on
    // Index into `links` under the mouse: this frame's so far, and last frame's (a link wrapped over
    // two rows is underlined on both).
    std::size_t hoveredLinkNow = kNone;
    std::size_t hoveredLink = kNone;
    std::string menuLink; // URL under the mouse when the row menu opened (empty: none)
    // Links the user clicked or chose "Open link" for; the front end opens them and clears the list.
    std::vector<std::string> openLinkRequests;
};

// Picture rows per thumbnail.
inline constexpr std::uint32_t kPictureRows = 6;

// Brings `view.rows` up to date with `peer.messages` and `pictures` (oldest first) for this font and wrap
// width (pixels).
void layoutChat(ChatHistoryView& view, const state::Peer& peer, const std::vector<ChatImage>& pictures,
                const ImFont* font, float fontSize, float wrapWidth);

// Draws the history of `peer` in a child region of `height` pixels (0 = all remaining space).
void drawChatHistory(const state::Peer& peer, ViewState& view, std::int64_t nowMs, float height);

} // namespace duet::ui
