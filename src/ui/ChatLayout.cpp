#include "duet/ui/ChatLayout.hpp"

#include "duet/ui/TimeFormat.hpp"
#include "imgui.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

namespace duet::ui {
namespace {

constexpr std::int64_t kGroupGapMs = 5 * 60 * 1000; // a new sender line after five quiet minutes

// Length of the UTF-8 sequence starting with `lead` (1 for a stray continuation byte).
std::size_t utf8Length(unsigned char lead)
{
    if (lead >= 0xF0) return 4;
    if (lead >= 0xE0) return 3;
    if (lead >= 0xC0) return 2;
    return 1;
}

// Same sender after a short pause. The day is the caller's to compare: it costs a localtime().
bool sameGroup(const state::ChatMessage& previous, const state::ChatMessage& current)
{
    return previous.outgoing == current.outgoing && previous.from == current.from &&
           current.timeMs - previous.timeMs <= kGroupGapMs;
}

void appendTextRows(std::vector<ChatRow>& rows, const std::string& text, std::uint32_t message,
                    const ImFont* font, float fontSize, float wrapWidth)
{
    const char* const base = text.data();
    const char* const textEnd = base + text.size();
    const float scale = fontSize / font->FontSize;
    bool first = true;
    const char* line = base;
    while (true) {
        const char* lineEnd = line;
        while (lineEnd < textEnd && *lineEnd != '\n')
            ++lineEnd;
        const char* s = line;
        do {
            const char* wrapAt =
                s == lineEnd ? lineEnd : font->CalcWordWrapPositionA(scale, s, lineEnd, wrapWidth);
            if (wrapAt <= s && s < lineEnd) // narrower than one glyph: still make progress
                wrapAt = std::min(lineEnd, s + utf8Length(static_cast<unsigned char>(*s)));
            rows.push_back(ChatRow{ChatRow::Kind::Text, first, message, static_cast<std::uint32_t>(s - base),
                                   static_cast<std::uint32_t>(wrapAt - base)});
            first = false;
            s = wrapAt;
            while (s < lineEnd && (*s == ' ' || *s == '\t'))
                ++s;
        } while (s < lineEnd);
        if (lineEnd == textEnd) break;
        line = lineEnd + 1;
    }
}

// Pictures [first, second) of `entry`.
std::pair<std::size_t, std::size_t> picturesOf(const ChatLayout& layout, std::size_t entry)
{
    if (layout.placed.empty()) return {0, entry < layout.messages ? 0 : layout.pictures};
    const std::size_t begin = entry == 0 ? 0 : layout.placed[entry - 1];
    const std::size_t end = entry < layout.messages ? layout.placed[entry] : layout.pictures;
    return {begin, end};
}

// Rows `entry` probably takes: no day separators, text as long as its bytes are wide. Without `readText`
// a message counts as a typical one, so a history opened with 100,000 messages is not read through.
constexpr std::uint32_t kTypicalRows = 2;
std::uint32_t estimate(const ChatLayout& layout, const state::Peer& peer, std::size_t entry, bool readText)
{
    const auto [begin, end] = picturesOf(layout, entry);
    auto rows = static_cast<std::uint32_t>((end - begin) * (kPictureRows + 2)); // gap, sender, slices
    if (entry >= layout.messages) return rows;
    if (!readText) return rows + kTypicalRows;
    const state::ChatMessage& message = peer.messages[entry];
    if (entry == 0 || begin != end || !sameGroup(peer.messages[entry - 1], message)) rows += 2;
    const float width = static_cast<float>(message.text.size()) * layout.byteWidth;
    return rows + std::max(1u, static_cast<std::uint32_t>(std::ceil(width / layout.wrapWidth)));
}

// Places the pictures before messages [from, end); `placed` and `newestMs` hold the messages before.
void placePictures(ChatLayout& layout, const state::Peer& peer, const std::vector<ChatImage>& pictures,
                   std::size_t from)
{
    layout.pictures = pictures.size();
    if (pictures.empty()) {
        // Nothing to place, and no reason to read every message's time: a first picture places again.
        layout.placed.clear();
        return;
    }
    std::size_t count = from == 0 ? 0 : layout.placed[from - 1];
    layout.placed.resize(peer.messages.size());
    for (std::size_t i = from; i < peer.messages.size(); ++i) {
        layout.newestMs = std::max(layout.newestMs, peer.messages[i].timeMs);
        while (count < pictures.size() && pictures[count].timeMs <= layout.newestMs)
            ++count;
        layout.placed[i] = static_cast<std::uint32_t>(count);
    }
}

void rememberEnds(ChatLayout& layout, const state::Peer& peer)
{
    layout.prepends = peer.prepends;
    layout.firstId = peer.messages.empty() ? 0 : peer.messages.front().id;
    layout.lastId = peer.messages.empty() ? 0 : peer.messages.back().id;
}

// Where the previous first message went; kNone when the history was replaced rather than extended.
constexpr std::size_t kReplaced = static_cast<std::size_t>(-1);
std::size_t insertedInFront(const ChatLayout& layout, const state::Peer& peer)
{
    if (layout.messages == 0) return kReplaced;
    const std::vector<state::ChatMessage>& messages = peer.messages;
    std::size_t k = 0;
    while (k + layout.messages <= messages.size() && messages[k].id != layout.firstId)
        ++k;
    if (k + layout.messages > messages.size() || messages[k + layout.messages - 1].id != layout.lastId)
        return kReplaced;
    return k;
}

// Every entry again, without wrapping or reading every message. After `reset` each is a typical message;
// otherwise entry i is the old entry i - inserted with its height, still exact unless the width or font
// changed (`newLook`) or what it shows did: its pictures, or the message before it. The vectors keep
// their memory: fresh pages cost more than the rest of this on a virtual machine.
void rebuild(ChatLayout& layout, const state::Peer& peer, const std::vector<ChatImage>& pictures, bool reset,
             bool newLook, std::size_t inserted)
{
    const std::size_t oldMessages = reset ? 0 : layout.messages;
    const std::size_t oldPictures = layout.pictures;
    const std::vector<std::uint32_t> oldPlaced = reset ? std::vector<std::uint32_t>{} : layout.placed;
    const auto oldPicturesOf = [&](std::size_t old) {
        if (oldPlaced.empty())
            return std::pair<std::size_t, std::size_t>(0, old < oldMessages ? 0 : oldPictures);
        return std::pair<std::size_t, std::size_t>(old == 0 ? 0 : oldPlaced[old - 1],
                                                   old < oldMessages ? oldPlaced[old] : oldPictures);
    };
    const std::size_t count = peer.messages.size();
    if (reset) {
        layout.heights.clear();
        layout.exact.clear();
    } else {
        layout.heights.insert(layout.heights.begin(), inserted, 0);
        layout.exact.insert(layout.exact.begin(), inserted, 0);
    }
    layout.heights.resize(count + 1, 0);
    layout.exact.resize(count + 1, 0);
    layout.newestMs = std::numeric_limits<std::int64_t>::min();
    placePictures(layout, peer, pictures, 0);
    layout.messages = count;
    layout.unmeasured = 0;
    for (std::size_t entry = 0; entry <= count; ++entry) {
        const bool mapped = !reset && entry >= inserted && entry - inserted <= oldMessages;
        if (!mapped) {
            layout.heights[entry] = estimate(layout, peer, entry, !reset);
            layout.exact[entry] = 0;
            ++layout.unmeasured;
            continue;
        }
        const std::size_t old = entry - inserted;
        const bool exact = !newLook && layout.exact[entry] != 0 && old < oldMessages &&
                           !(inserted > 0 && old == 0) && picturesOf(layout, entry) == oldPicturesOf(old);
        layout.exact[entry] = exact ? 1 : 0;
        if (!exact) ++layout.unmeasured;
    }
    layout.tree.assign(layout.heights);
    layout.measureNext = reset || newLook ? count + 1 : std::min(count + 1, layout.measureNext + inserted);
}

} // namespace

LayoutChange syncLayout(ChatLayout& layout, const state::Peer& peer, const std::vector<ChatImage>& pictures,
                        const ImFont* font, float fontSize, float wrapWidth)
{
    wrapWidth = std::max(wrapWidth, fontSize); // a collapsed window must not wrap after every glyph forever
    LayoutChange change;
    const std::size_t count = peer.messages.size();
    change.reset = layout.peer != peer.id || layout.heights.empty() || count < layout.messages;
    if (!change.reset && layout.prepends != peer.prepends) {
        const std::size_t inserted = insertedInFront(layout, peer);
        change.reset = inserted == kReplaced;
        if (!change.reset) change.inserted = inserted;
    }
    const bool newLook =
        layout.font != font || layout.fontSize != fontSize || std::fabs(layout.wrapWidth - wrapWidth) >= 1.f;
    change.newLook = newLook;
    if (newLook) {
        static constexpr const char* kSample = "The quick brown fox jumps over the lazy dog, twice or more.";
        layout.font = font;
        layout.fontSize = fontSize;
        layout.wrapWidth = wrapWidth;
        layout.byteWidth =
            font->CalcTextSizeA(fontSize, FLT_MAX, 0.f, kSample).x / static_cast<float>(std::strlen(kSample));
    }
    if (change.reset) {
        layout.peer = peer.id;
        layout.messages = 0;
        change.appended = count;
    } else {
        change.appended = count - change.inserted - layout.messages;
    }
    const bool sameEntries =
        !change.reset && !newLook && change.inserted == 0 && pictures.size() == layout.pictures;
    if (sameEntries) {
        // Only new messages: the pictures-only entry at the end becomes the first new message's.
        const std::size_t old = layout.messages;
        if (count > old) {
            placePictures(layout, peer, pictures, old);
            layout.messages = count;
            for (std::size_t entry = old; entry <= count; ++entry) {
                const std::uint32_t height = estimate(layout, peer, entry, true);
                if (entry == old) {
                    layout.tree.add(entry, static_cast<std::int64_t>(height) - layout.heights[entry]);
                    layout.heights[entry] = height;
                    if (layout.exact[entry] != 0) ++layout.unmeasured;
                    layout.exact[entry] = 0;
                    continue;
                }
                layout.heights.push_back(height);
                layout.exact.push_back(0);
                layout.tree.push_back(height);
                ++layout.unmeasured;
            }
        }
    } else {
        rebuild(layout, peer, pictures, change.reset, newLook, change.inserted);
    }
    rememberEnds(layout, peer);
    return change;
}

std::int64_t layoutEntry(ChatLayout& layout, const state::Peer& peer, const std::vector<ChatImage>& pictures,
                         std::size_t entry, std::vector<ChatRow>& out)
{
    const std::size_t start = out.size();
    const auto [begin, end] = picturesOf(layout, entry);
    bool first = entry == 0;
    bool afterPicture = false;
    std::int32_t lastDay = entry > 0 ? localDayKey(peer.messages[entry - 1].timeMs) : 0;
    for (std::size_t k = begin; k < end; ++k) {
        const auto index = static_cast<std::uint32_t>(k);
        const std::int32_t day = localDayKey(pictures[k].timeMs);
        if (!first) out.push_back(ChatRow{ChatRow::Kind::Gap, false, index, 0, 0, true});
        if (first || day != lastDay) out.push_back(ChatRow{ChatRow::Kind::Day, false, index, 0, 0, true});
        out.push_back(ChatRow{ChatRow::Kind::Sender, false, index, 0, 0, true});
        for (std::uint32_t slice = 0; slice < kPictureRows; ++slice)
            out.push_back(ChatRow{ChatRow::Kind::Picture, false, index, slice, kPictureRows, true});
        first = false;
        afterPicture = true;
        lastDay = day;
    }
    if (entry < layout.messages) {
        const state::ChatMessage& message = peer.messages[entry];
        const auto index = static_cast<std::uint32_t>(entry);
        const std::int32_t day = localDayKey(message.timeMs);
        const bool newDay = first || day != lastDay;
        if (newDay || afterPicture || !sameGroup(peer.messages[entry - 1], message)) {
            if (!first) out.push_back(ChatRow{ChatRow::Kind::Gap, false, index, 0, 0});
            if (newDay) out.push_back(ChatRow{ChatRow::Kind::Day, false, index, 0, 0});
            out.push_back(ChatRow{ChatRow::Kind::Sender, false, index, 0, 0});
        }
        appendTextRows(out, message.text, index, layout.font, layout.fontSize, layout.wrapWidth);
    }
    const auto rows = static_cast<std::uint32_t>(out.size() - start);
    const std::int64_t delta = static_cast<std::int64_t>(rows) - layout.heights[entry];
    if (delta != 0) layout.tree.add(entry, delta);
    layout.heights[entry] = rows;
    if (layout.exact[entry] == 0) {
        layout.exact[entry] = 1;
        --layout.unmeasured;
    }
    return delta;
}

bool measureSome(ChatLayout& layout, const state::Peer& peer, const std::vector<ChatImage>& pictures,
                 std::chrono::microseconds budget)
{
    const auto started = std::chrono::steady_clock::now();
    std::vector<ChatRow> scratch;
    while (layout.unmeasured > 0) {
        if (layout.measureNext == 0) layout.measureNext = layout.heights.size();
        const std::size_t entry = --layout.measureNext;
        if (layout.exact[entry] != 0) continue;
        scratch.clear();
        layoutEntry(layout, peer, pictures, entry, scratch);
        if (std::chrono::steady_clock::now() - started >= budget) break;
    }
    return layout.unmeasured == 0;
}

} // namespace duet::ui
