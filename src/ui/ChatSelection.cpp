#include "duet/ui/ChatSelection.hpp"

#include "duet/ui/TimeFormat.hpp"

#include <algorithm>
#include <string_view>
#include <tuple>

namespace duet::ui {
namespace {

bool isContinuation(char c)
{
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The longest prefix of `text` of at most `size` bytes that ends on a character boundary.
std::string_view fitted(std::string_view text, std::size_t size)
{
    if (size >= text.size()) return text;
    while (size > 0 && isContinuation(text[size]))
        --size;
    return text.substr(0, size);
}

} // namespace

bool operator<(const TextPoint& a, const TextPoint& b)
{
    return std::tie(a.index, a.offset) < std::tie(b.index, b.offset);
}

bool operator==(const TextPoint& a, const TextPoint& b)
{
    return a.index == b.index && a.offset == b.offset;
}

TextPoint pointIn(const std::vector<state::ChatMessage>& messages, std::size_t index, std::size_t offset)
{
    if (index >= messages.size()) return {};
    const std::string& text = messages[index].text;
    return {messages[index].id, index, static_cast<std::uint32_t>(fitted(text, offset).size())};
}

TextPoint endOf(const std::vector<state::ChatMessage>& messages, std::size_t index)
{
    return pointIn(messages, index, index < messages.size() ? messages[index].text.size() : 0);
}

void placeCaret(ChatSelection& selection, const TextPoint& point)
{
    selectRange(selection, point, point);
}

void selectRange(ChatSelection& selection, const TextPoint& anchor, const TextPoint& focus)
{
    selection.set = true;
    selection.anchor = anchor;
    selection.focus = focus;
}

void extendTo(ChatSelection& selection, const TextPoint& point)
{
    if (!selection.set) selection.anchor = point;
    selection.set = true;
    selection.focus = point;
}

bool extendByMessage(ChatSelection& selection, const std::vector<state::ChatMessage>& messages, int direction)
{
    if (!selection.set || selection.focus.index >= messages.size()) return false;
    const TextPoint& focus = selection.focus;
    TextPoint next = focus;
    if (direction > 0) {
        const TextPoint end = endOf(messages, focus.index);
        if (focus.offset < end.offset)
            next = end;
        else if (focus.index + 1 < messages.size())
            next = endOf(messages, focus.index + 1);
    } else if (focus.offset > 0) {
        next = pointIn(messages, focus.index, 0);
    } else if (focus.index > 0) {
        next = pointIn(messages, focus.index - 1, 0);
    }
    if (next == focus) return false;
    selection.focus = next;
    return true;
}

void selectAll(ChatSelection& selection, const std::vector<state::ChatMessage>& messages)
{
    if (messages.empty()) {
        selection = {};
        return;
    }
    selectRange(selection, pointIn(messages, 0, 0), endOf(messages, messages.size() - 1));
}

void collapse(ChatSelection& selection)
{
    selection.focus = selection.anchor;
}

bool rebase(TextPoint& point, const std::vector<state::ChatMessage>& messages, std::size_t inserted)
{
    const std::size_t expected = point.index + inserted;
    std::size_t found = messages.size();
    if (expected < messages.size() && messages[expected].id == point.id)
        found = expected;
    else
        for (std::size_t i = 0; i < messages.size() && found == messages.size(); ++i)
            if (messages[i].id == point.id) found = i;
    if (found == messages.size()) return false;
    point.index = found;
    point.offset = pointIn(messages, found, point.offset).offset;
    return true;
}

bool rebase(ChatSelection& selection, const std::vector<state::ChatMessage>& messages, std::size_t inserted)
{
    if (!selection.set) return false;
    if (rebase(selection.anchor, messages, inserted) && rebase(selection.focus, messages, inserted))
        return true;
    selection = {};
    return false;
}

std::pair<std::uint32_t, std::uint32_t> rangeIn(const ChatSelection& selection, std::size_t index,
                                                std::size_t textSize)
{
    if (selection.empty()) return {0, 0};
    const TextPoint& first = selection.first();
    const TextPoint& last = selection.last();
    if (index < first.index || index > last.index) return {0, 0};
    const auto size = static_cast<std::uint32_t>(textSize);
    const std::uint32_t begin = index == first.index ? std::min(first.offset, size) : 0;
    const std::uint32_t end = index == last.index ? std::min(last.offset, size) : size;
    return {begin, std::max(begin, end)};
}

bool appendBlocks(std::string& out, const std::vector<state::ChatMessage>& messages, const TextPoint& from,
                  const TextPoint& to, std::int64_t nowMs, std::size_t maxBytes, BlockCursor& cursor,
                  std::size_t count)
{
    const auto append = [&](std::string_view piece) {
        const std::string_view part = fitted(piece, maxBytes - std::min(maxBytes, out.size()));
        out.append(part);
        return part.size() == piece.size();
    };
    const std::size_t end = std::min(to.index + 1, messages.size());
    const std::size_t stopAt = cursor.next + std::min(count, end - std::min(end, cursor.next));
    for (; cursor.next < stopAt; ++cursor.next) {
        const std::size_t i = cursor.next;
        const state::ChatMessage& message = messages[i];
        const std::int64_t thisMinute = message.timeMs / 60'000 - (message.timeMs % 60'000 < 0 ? 1 : 0);
        if (thisMinute != cursor.minute) {
            cursor.minute = thisMinute;
            formatClock(message.timeMs, cursor.clock, sizeof cursor.clock);
            cursor.day = localDayKey(message.timeMs);
        }
        if (cursor.day != cursor.lastDay) {
            cursor.lastDay = cursor.day;
            char dayName[64] = {};
            formatDay(message.timeMs, nowMs, dayName, sizeof dayName);
            if (!append("-- ") || !append(dayName) || !append(" --\n")) return true;
        }
        const std::string_view text = message.text;
        const std::size_t begin = i == from.index ? std::min<std::size_t>(from.offset, text.size()) : 0;
        const std::size_t stop = i == to.index ? std::min<std::size_t>(to.offset, text.size()) : text.size();
        if (!append("[") || !append(cursor.clock) || !append("] ") ||
            !append(message.outgoing ? std::string_view("You") : std::string_view(message.from)) ||
            !append(": ") || !append(text.substr(begin, std::max(begin, stop) - begin)) || !append("\n"))
            return true;
    }
    return cursor.next >= end;
}

void appendBlocks(std::string& out, const std::vector<state::ChatMessage>& messages, const TextPoint& from,
                  const TextPoint& to, std::int64_t nowMs, std::size_t maxBytes)
{
    BlockCursor cursor;
    cursor.next = from.index;
    appendBlocks(out, messages, from, to, nowMs, maxBytes, cursor, messages.size());
}

std::string selectionText(const std::vector<state::ChatMessage>& messages, const ChatSelection& selection,
                          std::int64_t nowMs, std::size_t maxBytes)
{
    if (selection.empty()) return {};
    const TextPoint& first = selection.first();
    const TextPoint& last = selection.last();
    if (last.index >= messages.size()) return {};
    std::string out;
    if (first.index == last.index) {
        const std::string_view text = messages[first.index].text;
        const std::size_t begin = std::min<std::size_t>(first.offset, text.size());
        out = fitted(text.substr(begin, std::min<std::size_t>(last.offset, text.size()) - begin), maxBytes);
        return out;
    }
    std::size_t estimate = 0;
    for (std::size_t i = first.index; i <= last.index && estimate < maxBytes; ++i)
        estimate += messages[i].text.size() + messages[i].from.size() + 12;
    out.reserve(std::min(estimate, maxBytes));
    appendBlocks(out, messages, first, last, nowMs, maxBytes);
    return out;
}

} // namespace duet::ui
