#pragma once
// Text selected in a conversation, possibly across many messages: an anchor (where it started) and a
// focus (where it ends now), each a byte offset in one message's text. Points name their message by id
// and remember its index, so older pages loaded in front (which renumber every message) move the
// selection with its text instead of onto other messages. Pure: no ImGui, no layout, so a selection may
// reach messages that were never laid out. Thread: UI thread (or any owner of the messages).
#include "duet/state/AppState.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace duet::ui {

struct TextPoint {
    std::uint64_t id = 0;     // the message's id: what the point means
    std::size_t index = 0;    // where that message was last seen in Peer::messages
    std::uint32_t offset = 0; // bytes into its text, on a UTF-8 character boundary
};

// Document order; the ids are not compared (points are rebased before they are ordered).
bool operator<(const TextPoint& a, const TextPoint& b);
bool operator==(const TextPoint& a, const TextPoint& b);

struct ChatSelection {
    bool set = false; // false: no caret at all (nothing clicked yet, or the messages went away)
    TextPoint anchor{};
    TextPoint focus{};
    bool empty() const { return !set || anchor == focus; }
    const TextPoint& first() const { return focus < anchor ? focus : anchor; }
    const TextPoint& last() const { return focus < anchor ? anchor : focus; }
    bool spansMessages() const { return !empty() && anchor.index != focus.index; }
};

// Copying stops after this many bytes (at a message or character boundary), so a select-all over a huge
// history never hands the clipboard an unbounded string.
inline constexpr std::size_t kMaxCopyBytes = 32u << 20;

// The point at byte `offset` of message `index` (clamped to its text, moved back to a character start).
TextPoint pointIn(const std::vector<state::ChatMessage>& messages, std::size_t index, std::size_t offset);
// The point at the end of message `index`'s text.
TextPoint endOf(const std::vector<state::ChatMessage>& messages, std::size_t index);

// A caret (empty selection) at `point`; a drag or Shift+Click then extends from it.
void placeCaret(ChatSelection& selection, const TextPoint& point);
void selectRange(ChatSelection& selection, const TextPoint& anchor, const TextPoint& focus);
// Shift+Click: the focus moves to `point`, the anchor stays (a caret there first when nothing was set).
void extendTo(ChatSelection& selection, const TextPoint& point);
// Shift+Down (+1) / Shift+Up (-1): the focus goes to the end (start) of its message, or when already
// there to the end (start) of the next (previous) one. False when it could not move.
bool extendByMessage(ChatSelection& selection, const std::vector<state::ChatMessage>& messages,
                     int direction);
// Ctrl+A: every message loaded so far.
void selectAll(ChatSelection& selection, const std::vector<state::ChatMessage>& messages);
// Escape, a click elsewhere: nothing selected, the caret stays at the anchor.
void collapse(ChatSelection& selection);

// Keeps the points on their messages after `inserted` older messages went in front and others were
// appended; a point whose message is gone (history cleared, replaced) unsets the selection. O(1) when the
// ids are where expected, O(n) once otherwise. False when the selection was dropped.
bool rebase(ChatSelection& selection, const std::vector<state::ChatMessage>& messages, std::size_t inserted);

// One point of the above: false when its message is gone (the point is then left as it was).
bool rebase(TextPoint& point, const std::vector<state::ChatMessage>& messages, std::size_t inserted);

// Bytes [begin, end) of message `index` inside the selection (whole messages between first and last);
// {0, 0} outside it.
std::pair<std::uint32_t, std::uint32_t> rangeIn(const ChatSelection& selection, std::size_t index,
                                                std::size_t textSize);

// The selection as plain text. Within one message: just the selected bytes. Across messages: one block
// per message, "[HH:MM] Name: text\n" (Name is "You" for our own), each new local day preceded by a line
// "-- Today --" / "-- Wednesday, 3 March 2027 --" (relative to `nowMs`). At most `maxBytes` bytes.
std::string selectionText(const std::vector<state::ChatMessage>& messages, const ChatSelection& selection,
                          std::int64_t nowMs, std::size_t maxBytes = kMaxCopyBytes);

// Messages [first, last] as blocks (the format above), the first one from byte `from`, the last one up to
// byte `to`; appended to `out` up to `maxBytes` in all.
void appendBlocks(std::string& out, const std::vector<state::ChatMessage>& messages, const TextPoint& from,
                  const TextPoint& to, std::int64_t nowMs, std::size_t maxBytes);

// Where blocks appended in slices got to. The day of the last block carries over, so a day line is written
// only where the one-shot text has it; so does the clock of its minute, as localtime_r is the slow part of
// 100,000 blocks.
struct BlockCursor {
    std::size_t next = 0; // index of the next message to append
    std::int32_t lastDay = -1;
    std::int64_t minute = -1; // the minute `clock` and `day` are of
    std::int32_t day = -1;
    char clock[16] = {};
};

// appendBlocks() for at most `count` messages from `cursor.next` (which must start at `from.index`); the
// same text however the messages are sliced. True when done: past `to`, or `maxBytes` reached.
bool appendBlocks(std::string& out, const std::vector<state::ChatMessage>& messages, const TextPoint& from,
                  const TextPoint& to, std::int64_t nowMs, std::size_t maxBytes, BlockCursor& cursor,
                  std::size_t count);

} // namespace duet::ui
