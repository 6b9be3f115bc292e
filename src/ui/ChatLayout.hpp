#pragma once
// The conversation's layout, lazily. Entry i is message i with the pictures that finished just before it;
// one more entry at the end holds the pictures newer than every message. Each entry has a height in rows
// of one size: estimated from its byte length until it is measured (wrapped) at the current width. The
// history measures what is on screen before drawing it and the rest a few milliseconds per frame, so no
// frame lays out a whole 100,000-message history, and a new width or font only turns heights back into
// estimates. Thread: UI thread only.
#include "duet/core/Ids.hpp"
#include "duet/state/AppState.hpp"
#include "duet/ui/ChatImages.hpp"
#include "duet/ui/RowTree.hpp"

#include <chrono>
#include <cstdint>
#include <limits>
#include <vector>

struct ImFont;

namespace duet::ui {

struct ChatRow {
    enum class Kind : std::uint8_t { Day, Sender, Text, Gap, Picture };
    Kind kind = Kind::Gap;
    bool firstOfMessage = false; // Text rows: this row also shows the time and the delivery mark
    std::uint32_t message = 0;   // index into Peer::messages, or into the pictures when `picture`
    std::uint32_t begin = 0;     // Text rows: byte range of the message text; Picture rows: slice, of `end`
    std::uint32_t end = 0;
    bool picture = false; // the row belongs to a picture (Day, Sender, Gap or Picture)
};

// Picture rows per thumbnail.
inline constexpr std::uint32_t kPictureRows = 6;

struct ChatLayout {
    PeerId peer;
    const ImFont* font = nullptr;
    float fontSize = 0.f;
    float wrapWidth = -1.f;
    float byteWidth = 0.f;      // average advance of one byte of text, for estimates
    std::uint64_t prepends = 0; // Peer::prepends seen
    std::uint64_t firstId = 0;  // id of messages[0] when synced: where it went tells how many came in front
    std::uint64_t lastId = 0;   // id of the newest message when synced
    std::size_t messages = 0;   // messages described; there is one entry more
    std::size_t pictures = 0;
    // Pictures placed before message i, for each message (they go in front of the first message that is
    // not older than them, in order); the newest message time so far continues the placement.
    std::vector<std::uint32_t> placed;
    std::int64_t newestMs = std::numeric_limits<std::int64_t>::min();
    std::vector<std::uint32_t> heights; // rows per entry
    std::vector<std::uint8_t> exact;    // 1: measured at this width and font
    std::size_t unmeasured = 0;
    std::size_t measureNext = 0; // background measuring goes down from here to 0, then from the end again
    RowTree tree;                // `heights`, summed
};

// What syncing found, for the history to keep its scroll position.
struct LayoutChange {
    bool reset = false;       // another conversation or a replaced history: indexes mean other messages
    std::size_t inserted = 0; // older messages went in front: entry i became entry i + inserted
    std::size_t appended = 0; // messages added at the end
    bool newLook = false;     // another width or font: every height is an estimate again
};

// Brings the entries up to date with `peer.messages` and `pictures` (oldest first) for this font and wrap
// width in pixels. Cheap: new entries get estimates, nothing is wrapped.
LayoutChange syncLayout(ChatLayout& layout, const state::Peer& peer, const std::vector<ChatImage>& pictures,
                        const ImFont* font, float fontSize, float wrapWidth);

// Appends the rows of `entry` to `out`, measures it exactly and returns its height change in rows.
std::int64_t layoutEntry(ChatLayout& layout, const state::Peer& peer, const std::vector<ChatImage>& pictures,
                         std::size_t entry, std::vector<ChatRow>& out);

// Measures entries not yet measured, newest first, for about `budget`; true when every entry is exact.
bool measureSome(ChatLayout& layout, const state::Peer& peer, const std::vector<ChatImage>& pictures,
                 std::chrono::microseconds budget);

} // namespace duet::ui
