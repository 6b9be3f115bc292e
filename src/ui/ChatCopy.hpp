#pragma once
// Copying a selection, or the whole conversation, built a slice of messages at a time: 100,000 blocks take
// tens of milliseconds, so a frame appends what fits its budget and the next frames go on from there. The
// text is byte for byte what selectionText() gives in one go (ChatSelection.hpp). Like a selection, the
// copy names its messages by id: older pages loaded in front move it with them, and messages that went
// away drop it. Pure: no ImGui. Thread: UI thread (or any owner of the messages).
#include "duet/state/AppState.hpp"
#include "duet/ui/ChatSelection.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace duet::ui {

struct ChatCopy {
    bool active = false;      // a copy was started and neither handed over nor dropped
    bool complete = false;    // `text` is final
    TextPoint from{};         // the first message, from its offset
    TextPoint to{};           // the last message, up to its offset
    std::uint64_t nextId = 0; // the message cursor.next names, to find it again after a rebase
    BlockCursor cursor;
    std::int64_t nowMs = 0; // days are named relative to when the copy started
    std::size_t maxBytes = kMaxCopyBytes;
    std::string text;
};

// How many messages go between two looks at the clock in continueCopyFor().
inline constexpr std::size_t kCopyCheckEvery = 256;

// Starts copying `selection` as selectionText() does, replacing any copy under way; a selection within one
// message is complete at once. An empty selection gives no copy.
void startCopy(ChatCopy& copy, const std::vector<state::ChatMessage>& messages,
               const ChatSelection& selection, std::int64_t nowMs, std::size_t maxBytes = kMaxCopyBytes);
// Starts copying every message as blocks (a single message too), replacing any copy under way.
void startCopyConversation(ChatCopy& copy, const std::vector<state::ChatMessage>& messages,
                           std::int64_t nowMs, std::size_t maxBytes = kMaxCopyBytes);

// Appends the blocks of up to `count` more messages. True when the text is complete.
bool continueCopy(ChatCopy& copy, const std::vector<state::ChatMessage>& messages, std::size_t count);
// Appends slices of `checkEvery` messages until the text is complete (true) or `budget` has passed. A copy
// of fewer than `checkEvery` messages is always complete after one call.
bool continueCopyFor(ChatCopy& copy, const std::vector<state::ChatMessage>& messages,
                     std::chrono::microseconds budget, std::size_t checkEvery = kCopyCheckEvery);

// Follows the copy's messages after `inserted` older ones went in front (see rebase() of a selection);
// drops the copy (false) when one of them is gone.
bool rebaseCopy(ChatCopy& copy, const std::vector<state::ChatMessage>& messages, std::size_t inserted);

} // namespace duet::ui
