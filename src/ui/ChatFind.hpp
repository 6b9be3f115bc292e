#pragma once
// The conversation's find bar (Ctrl+F): matches among the messages shown (case-insensitive for ASCII),
// Enter / Shift+Enter or the arrows jump to the next / previous one, which the history selects and
// scrolls to; Escape closes it. Also the conversation menu: export as text, clear (with confirmation).
// Thread: UI thread, inside an ImGui frame.
#include "duet/state/AppState.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace duet::ui {

struct ViewState;
using Commands = std::vector<Command>;

struct ChatFindView {
    bool open = false;
    bool focusInput = false;
    std::string query;
    std::vector<std::size_t> matches; // message indexes, oldest first
    std::size_t current = 0;          // index into matches
    // What `matches` was computed from.
    PeerId peer;
    std::uint64_t revision = 0;
    std::size_t messageCount = 0;
    std::string matchedQuery;
    // The matches of each prefix of the query typed so far (same messages): a longer query filters the
    // longest cached prefix's matches instead of every message; erasing goes back to a cached one.
    std::vector<std::pair<std::string, std::vector<std::size_t>>> prefixMatches;
    // A search runs newest first in slices of a few milliseconds, one per frame, so 100,000 messages
    // never hold a frame; `matches` is filled when it is done. It checks `candidates` (from the cursor
    // on: matches of a prefix, newest first), then every message below `scanNext`. Typing on during a
    // search narrows what it found so far the same way. The app keeps drawing frames while `scanning`.
    bool scanning = false;
    std::vector<std::size_t> candidates;
    std::size_t candidateNext = 0;
    std::size_t scanNext = 0;
    std::vector<std::size_t> scanFound; // newest first
    bool jumpWhenDone = false;          // the query was typed: jump to its newest match when done

    bool confirmClear = false; // the clear-history confirmation is open
};

// Indexes of the messages whose text contains `query` (ASCII case-insensitive); empty query: none.
std::vector<std::size_t> findMessages(const std::vector<state::ChatMessage>& messages,
                                      std::string_view query);

// Opens the bar on Ctrl+F (when the conversation window is focused) and draws it when open.
void drawChatFind(const state::Peer& peer, ViewState& view);
// The "History" menu button of the conversation header and its confirmation popup.
void drawHistoryMenu(const state::Peer& peer, ViewState& view, std::int64_t nowMs, Commands& out);

} // namespace duet::ui
