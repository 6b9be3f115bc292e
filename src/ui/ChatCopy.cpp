#include "duet/ui/ChatCopy.hpp"

#include <algorithm>

namespace duet::ui {
namespace {

void startBlocks(ChatCopy& copy, const std::vector<state::ChatMessage>& messages, const TextPoint& from,
                 const TextPoint& to, std::int64_t nowMs, std::size_t maxBytes)
{
    copy = {};
    copy.active = true;
    copy.from = from;
    copy.to = to;
    copy.nowMs = nowMs;
    copy.maxBytes = maxBytes;
    copy.cursor.next = from.index;
    copy.nextId = messages[from.index].id;
    // Growing a string of megabytes copies it whole, which alone would take a frame or more: room for the
    // whole text goes in first (day lines are what the slack is for), and its pages are touched slice by
    // slice.
    std::size_t estimate = 4096;
    for (std::size_t i = from.index; i <= to.index && estimate < maxBytes; ++i)
        estimate += messages[i].text.size() + std::max<std::size_t>(messages[i].from.size(), 3) + 12;
    copy.text.reserve(std::min(estimate + estimate / 32, maxBytes));
}

} // namespace

void startCopy(ChatCopy& copy, const std::vector<state::ChatMessage>& messages,
               const ChatSelection& selection, std::int64_t nowMs, std::size_t maxBytes)
{
    copy = {};
    if (selection.empty() || selection.last().index >= messages.size()) return;
    if (!selection.spansMessages()) {
        // One message's bytes: a plain substring, with no blocks to slice.
        copy.active = true;
        copy.complete = true;
        copy.text = selectionText(messages, selection, nowMs, maxBytes);
        return;
    }
    startBlocks(copy, messages, selection.first(), selection.last(), nowMs, maxBytes);
}

void startCopyConversation(ChatCopy& copy, const std::vector<state::ChatMessage>& messages,
                           std::int64_t nowMs, std::size_t maxBytes)
{
    copy = {};
    if (messages.empty()) {
        copy.active = true;
        copy.complete = true;
        return;
    }
    startBlocks(copy, messages, pointIn(messages, 0, 0), endOf(messages, messages.size() - 1), nowMs,
                maxBytes);
}

bool continueCopy(ChatCopy& copy, const std::vector<state::ChatMessage>& messages, std::size_t count)
{
    if (!copy.active) return false;
    if (copy.complete) return true;
    copy.complete =
        appendBlocks(copy.text, messages, copy.from, copy.to, copy.nowMs, copy.maxBytes, copy.cursor, count);
    if (!copy.complete) copy.nextId = messages[copy.cursor.next].id;
    return copy.complete;
}

bool continueCopyFor(ChatCopy& copy, const std::vector<state::ChatMessage>& messages,
                     std::chrono::microseconds budget, std::size_t checkEvery)
{
    if (!copy.active) return false;
    const auto deadline = std::chrono::steady_clock::now() + budget;
    while (!continueCopy(copy, messages, std::max<std::size_t>(checkEvery, 1)))
        if (std::chrono::steady_clock::now() >= deadline) return false;
    return true;
}

bool rebaseCopy(ChatCopy& copy, const std::vector<state::ChatMessage>& messages, std::size_t inserted)
{
    if (!copy.active) return false;
    if (copy.complete) return true;
    TextPoint next{copy.nextId, copy.cursor.next, 0};
    if (rebase(copy.from, messages, inserted) && rebase(copy.to, messages, inserted) &&
        rebase(next, messages, inserted)) {
        copy.cursor.next = next.index;
        return true;
    }
    copy = {};
    return false;
}

} // namespace duet::ui
