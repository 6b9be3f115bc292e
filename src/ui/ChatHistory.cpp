#include "duet/ui/ChatHistory.hpp"

#include "duet/ui/ChatText.hpp"
#include "duet/ui/Theme.hpp"
#include "duet/ui/TimeFormat.hpp"
#include "duet/ui/ViewState.hpp"
#include "duet/ui/Widgets.hpp"
#include "imgui.h"
#include "imgui_internal.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace duet::ui {
namespace {

// Background measuring's share of a frame; the rest of the history is measured in the next ones.
constexpr auto kMeasureBudget = std::chrono::microseconds(3000);
constexpr float kMarginRows = 8.f; // laid out above and below the screen

// Where the view is, in entries: a message stays put while heights above it change.
struct Anchor {
    bool bottom = true;
    std::size_t entry = 0;
    float offset = 0.f; // pixels from the entry's top to the top of the view (negative: below it)
};

// The anchor of the view as last drawn, before the layout changes this frame: the first entry that starts
// in the view, so a message re-wrapped above it cannot push it.
Anchor anchorOf(const ChatLayout& layout, float rowHeight, float viewHeight)
{
    const float scrollY = ImGui::GetScrollY();
    if (layout.tree.size() == 0 || scrollY >= ImGui::GetScrollMaxY() - rowHeight * 0.5f) return {};
    std::size_t entry = layout.tree.entryAt(static_cast<std::uint64_t>(scrollY / rowHeight));
    float top = static_cast<float>(layout.tree.before(entry)) * rowHeight;
    if (top < scrollY && entry + 1 < layout.tree.size()) {
        const float next = static_cast<float>(layout.tree.before(entry + 1)) * rowHeight;
        if (next < scrollY + viewHeight) {
            ++entry;
            top = next;
        }
    }
    return {false, entry, scrollY - top};
}

// Moves the child window's scroll within this frame, before anything is drawn in it: SetScrollY would
// only act in the next frame, which would draw this one with new heights at the old place.
void scrollNow(float y)
{
    ImGuiWindow* window = ImGui::GetCurrentWindow();
    const float delta = y - window->Scroll.y;
    if (delta == 0.f) return;
    window->Scroll.y = y;
    window->DC.CursorPos.y -= delta;
    window->DC.CursorPosPrevLine.y -= delta;
    window->DC.CursorStartPos.y -= delta;
    window->DC.CursorMaxPos.y -= delta;
    window->DC.IdealMaxPos.y -= delta;
}

// Lays out the entries on screen around `anchor` (measuring them moves what follows) and returns the
// scroll position that keeps the anchor in place.
float placeWindow(ChatHistoryView& history, const state::Peer& peer, const std::vector<ChatImage>& pictures,
                  const Anchor& anchor, float rowHeight, float viewHeight)
{
    const ChatLayout& layout = history.layout;
    const auto place = [&] {
        const float maxScroll =
            std::max(0.f, static_cast<float>(layout.tree.total()) * rowHeight - viewHeight);
        const float y =
            anchor.bottom ? maxScroll
                          : static_cast<float>(layout.tree.before(anchor.entry)) * rowHeight + anchor.offset;
        return std::floor(std::clamp(y, 0.f, maxScroll));
    };
    float scroll = place();
    // Each pass measures only entries that came into view in the previous one: two passes are usual.
    for (int pass = 0; pass < 4; ++pass) {
        const auto firstRow = static_cast<std::uint64_t>(std::max(0.f, scroll / rowHeight - kMarginRows));
        const auto lastRow = static_cast<std::uint64_t>((scroll + viewHeight) / rowHeight + kMarginRows);
        const bool changed = layoutWindow(history, peer, pictures, layout.tree.entryAt(firstRow),
                                          layout.tree.entryAt(lastRow) + 1);
        scroll = place();
        if (!changed) break;
    }
    return scroll;
}

const char* deliveryMark(const ImFont* font, state::Delivery delivery)
{
    // U+2713 CHECK MARK when the font has it, words otherwise (no tofu boxes).
    const bool hasCheck = font->FindGlyphNoFallback(0x2713) != nullptr;
    switch (delivery) {
    case state::Delivery::Sending:
        return "sending";
    case state::Delivery::Sent:
        return hasCheck ? "\xE2\x9C\x93" : "sent";
    case state::Delivery::Delivered:
        return hasCheck ? "\xE2\x9C\x93\xE2\x9C\x93" : "delivered";
    case state::Delivery::Read:
        return "read";
    }
    return "";
}

// The right-click menu of a message row; `menuLink` is the link the menu was opened on, if any.
void drawRowMenu(const state::Peer& peer, ViewState& view, std::size_t message, std::int64_t nowMs)
{
    ChatHistoryView& history = view.history;
    const std::string& text = peer.messages[message].text;
    const auto item = [&](std::string_view key, const char* label, const char* shortcut = nullptr) {
        const bool chosen = ImGui::MenuItem(label, shortcut);
        locate(view, key);
        return chosen;
    };
    if (!history.menuLink.empty()) {
        if (item("chat.menu.open-link", "Open link")) history.openLinkRequests.push_back(history.menuLink);
        if (item("chat.menu.copy-link", "Copy link address"))
            ImGui::SetClipboardText(history.menuLink.c_str());
        ImGui::Separator();
    }
    // A selection over several messages is offered from any of them.
    const auto [begin, end] = selectionIn(history, message, text.size());
    if (begin < end && item("chat.menu.copy-selection", "Copy selection", "Ctrl+C")) {
        startCopy(history.copy, peer.messages, history.selection, nowMs);
        runCopy(history, peer.messages);
    }
    if (item("chat.menu.copy-message", "Copy message", begin < end ? nullptr : "Ctrl+C"))
        ImGui::SetClipboardText(text.c_str());
    if (item("chat.menu.select-all", "Select all text"))
        selectRange(history.selection, pointIn(peer.messages, message, 0), endOf(peer.messages, message));
    if (item("chat.menu.select-conversation", "Select conversation", "Ctrl+A"))
        selectAll(history.selection, peer.messages);
    if (item("chat.menu.copy-conversation", "Copy conversation")) {
        startCopyConversation(history.copy, peer.messages, nowMs);
        runCopy(history, peer.messages);
    }
}

// One row of a picture's block: its day separator, "You sent name" with the time, or a thumbnail slice.
void drawPictureRow(const ChatRow& row, const ChatImage& picture, std::string_view peerName, ViewState& view,
                    std::int64_t nowMs, float fullWidth, float rowHeight)
{
    const Palette& colors = palette(view.theme);
    const float fontSize = ImGui::GetFontSize();
    const float indent = std::round(fontSize * 0.75f);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float textY = origin.y + std::round((rowHeight - fontSize) * 0.5f);
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const ImU32 mutedColor = ImGui::GetColorU32(colors.muted);
    switch (row.kind) {
    case ChatRow::Kind::Picture: {
        ImGui::SetCursorScreenPos(ImVec2(origin.x + indent, origin.y));
        const float width = std::min(fullWidth - indent, std::round(rowHeight * kPictureRows * 1.5f));
        drawPictureSlice(view, picture, row.begin, row.end, std::max(width, rowHeight), rowHeight);
        return;
    }
    case ChatRow::Kind::Day: {
        char day[64];
        formatDay(picture.timeMs, nowMs, day, sizeof day);
        const float labelWidth = ImGui::CalcTextSize(day).x;
        const float labelX = origin.x + (fullWidth - labelWidth) * 0.5f;
        const float lineY = std::round(origin.y + rowHeight * 0.5f);
        draw->AddLine(ImVec2(origin.x + indent, lineY), ImVec2(labelX - fontSize * 0.6f, lineY), mutedColor);
        draw->AddLine(ImVec2(labelX + labelWidth + fontSize * 0.6f, lineY),
                      ImVec2(origin.x + fullWidth - indent, lineY), mutedColor);
        draw->AddText(ImVec2(labelX, textY), mutedColor, day);
        break;
    }
    case ChatRow::Kind::Sender: {
        const bool named = picture.outgoing || !peerName.empty();
        const std::string who = picture.outgoing ? "You" : named ? std::string(peerName) : "Received";
        const std::string what = (named ? "  sent " : "  ") + picture.name;
        draw->AddText(ImVec2(origin.x, textY),
                      ImGui::GetColorU32(picture.outgoing ? colors.accent : colors.peerName), who.c_str());
        draw->AddText(ImVec2(origin.x + ImGui::CalcTextSize(who.c_str()).x, textY), mutedColor, what.c_str());
        char clock[16];
        formatClock(picture.timeMs, clock, sizeof clock);
        const float metaWidth = ImGui::CalcTextSize("00:00  delivered").x;
        draw->AddText(ImVec2(origin.x + fullWidth - metaWidth + fontSize * 0.5f, textY), mutedColor, clock);
        break;
    }
    case ChatRow::Kind::Text:
    case ChatRow::Kind::Gap:
        break;
    }
    ImGui::Dummy(ImVec2(fullWidth, rowHeight));
}

} // namespace

bool layoutWindow(ChatHistoryView& view, const state::Peer& peer, const std::vector<ChatImage>& pictures,
                  std::size_t first, std::size_t end)
{
    ChatLayout& layout = view.layout;
    end = std::min(end, layout.heights.size());
    first = std::min(first, end);
    view.rows.clear();
    view.entryRows.clear();
    view.links.clear();
    view.firstLinks.clear();
    bool changed = false;
    for (std::size_t entry = first; entry < end; ++entry) {
        view.entryRows.push_back(static_cast<std::uint32_t>(view.rows.size()));
        view.firstLinks.push_back(static_cast<std::uint32_t>(view.links.size()));
        changed = layoutEntry(layout, peer, pictures, entry, view.rows) != 0 || changed;
        if (entry < peer.messages.size())
            for (const LinkSpan& link : findLinks(peer.messages[entry].text))
                view.links.push_back(link);
    }
    view.entryRows.push_back(static_cast<std::uint32_t>(view.rows.size()));
    view.firstLinks.push_back(static_cast<std::uint32_t>(view.links.size()));
    view.windowFirst = first;
    view.windowEnd = end;
    view.rowsBase = layout.tree.before(first);
    return changed;
}

void layoutChat(ChatHistoryView& view, const state::Peer& peer, const std::vector<ChatImage>& pictures,
                const ImFont* font, float fontSize, float wrapWidth)
{
    syncLayout(view.layout, peer, pictures, font, fontSize, wrapWidth);
    layoutWindow(view, peer, pictures, 0, view.layout.heights.size());
}

void drawChatHistory(const state::Peer& peer, ViewState& view, std::int64_t nowMs, float height)
{
    ChatHistoryView& history = view.history;
    const Palette& colors = palette(view.theme);
    ImGui::BeginChild("history", ImVec2(0, height), false, ImGuiWindowFlags_None);
    locateWindow(view, "chat.history");

    ImFont* font = ImGui::GetFont();
    const float fontSize = ImGui::GetFontSize();
    const float rowHeight = std::round(fontSize * 1.3f);
    const float textOffsetY = std::round((rowHeight - fontSize) * 0.5f);
    const float indent = std::round(fontSize * 0.75f);
    const float metaWidth = ImGui::CalcTextSize("00:00  delivered").x;
    const float wrapWidth = ImGui::GetContentRegionAvail().x - indent - metaWidth;
    // Without an image source (tests, no GL) there is nothing to show pictures with.
    static const std::vector<ChatImage> kNoPictures;
    const std::vector<ChatImage>& pictures = view.images.source ? view.images.images : kNoPictures;
    const float viewHeight = ImGui::GetCurrentWindow()->InnerRect.GetHeight();
    ChatLayout& layout = history.layout;
    Anchor anchor = anchorOf(layout, rowHeight, viewHeight);
    const bool otherPeer = layout.peer != peer.id;
    const LayoutChange change = syncLayout(layout, peer, pictures, font, fontSize, wrapWidth);
    if (change.reset || change.inserted > 0) {
        // A message index means another message now; the selection names its messages by id too.
        if (change.reset) {
            history.selection = {};
            history.selecting = false;
        }
        history.pressedLink = {};
        history.hoveredLink = {};
        history.reveal = ChatHistoryView::kNone;
        anchor.entry += change.inserted;
    }
    if (history.selection.set && !rebase(history.selection, peer.messages, change.inserted))
        history.selecting = false;
    if (change.reset)
        history.copy = {};
    else
        rebaseCopy(history.copy, peer.messages, change.inserted);
    runCopy(history, peer.messages);
    if (otherPeer) {
        history.selectedMessage = ChatHistoryView::kNone;
        history.scrollToBottom = true;
    }
    // Follow new messages only when the user was already reading the end (or just sent one).
    const bool lastIsOurs = !peer.messages.empty() && peer.messages.back().outgoing;
    if (change.reset || history.scrollToBottom || (change.appended > 0 && lastIsOurs)) anchor = Anchor{};
    history.scrollToBottom = false;

    if (history.jumpTo < peer.messages.size()) {
        // The message's first text row goes 40 % down the view.
        std::vector<ChatRow> rows;
        layoutEntry(layout, peer, pictures, history.jumpTo, rows);
        std::size_t header = 0;
        while (header < rows.size() && rows[header].kind != ChatRow::Kind::Text)
            ++header;
        anchor = Anchor{false, history.jumpTo,
                        std::floor(static_cast<float>(header) * rowHeight - viewHeight * 0.4f)};
        history.selectedMessage = history.jumpTo;
        collapse(history.selection); // Ctrl+C then copies the message found
    } else if (history.reveal < peer.messages.size()) {
        // Scrolls only as far as it takes to show the whole message (its top when taller than the view).
        const float top = static_cast<float>(layout.tree.before(history.reveal)) * rowHeight;
        const float bottom = static_cast<float>(layout.tree.before(history.reveal + 1)) * rowHeight;
        const float scrollY = ImGui::GetScrollY();
        if (top < scrollY || bottom - top > viewHeight)
            anchor = Anchor{false, history.reveal, 0.f};
        else if (bottom > scrollY + viewHeight)
            anchor = Anchor{false, history.reveal, bottom - top - viewHeight};
    }
    history.jumpTo = ChatHistoryView::kNone;
    history.reveal = ChatHistoryView::kNone;

    // The frame that opens a conversation or re-wraps it has set every height up already: it only lays
    // out the screen, and measuring starts in the next one.
    if (change.reset || change.newLook)
        history.measuring = layout.unmeasured > 0;
    else
        history.measuring = !measureSome(layout, peer, pictures, kMeasureBudget);
    const float scroll = placeWindow(history, peer, pictures, anchor, rowHeight, viewHeight);
    scrollNow(scroll);
    // At the top with older messages stored: the panel asks for the previous page.
    history.wantOlder = peer.olderHistory && !peer.historyLoading && scroll <= 0.f &&
                        static_cast<float>(layout.tree.total()) * rowHeight > viewHeight;

    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(ImGui::GetStyle().ItemSpacing.x, 0.f));
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const float fullWidth = ImGui::GetContentRegionAvail().x;
    const ImU32 mutedColor = ImGui::GetColorU32(colors.muted);
    ImVec4 quietHover = ImGui::GetStyleColorVec4(ImGuiCol_Header);
    quietHover.w *= 0.6f;
    TextGeometry geometry{font,
                          fontSize,
                          ImGui::GetCursorScreenPos().x + indent,
                          textOffsetY,
                          rowHeight,
                          ImGui::GetCursorScreenPos().y + static_cast<float>(history.rowsBase) * rowHeight};

    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(layout.tree.total()), rowHeight);
    while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            // Rows beyond the window (keyboard navigation may ask for one) stay blank for a frame.
            const std::uint64_t local = static_cast<std::uint64_t>(i) - history.rowsBase;
            if (static_cast<std::uint64_t>(i) < history.rowsBase || local >= history.rows.size()) {
                ImGui::Dummy(ImVec2(fullWidth, rowHeight));
                continue;
            }
            const ChatRow& row = history.rows[local];
            if (row.picture) {
                drawPictureRow(row, pictures[row.message], peer.name, view, nowMs, fullWidth, rowHeight);
                continue;
            }
            const state::ChatMessage& message = peer.messages[row.message];
            const ImVec2 origin = ImGui::GetCursorScreenPos();
            const float textY = origin.y + textOffsetY;
            if (row.kind != ChatRow::Kind::Text) {
                ImGui::Dummy(ImVec2(fullWidth, rowHeight));
                if (row.kind == ChatRow::Kind::Day) {
                    char day[64];
                    formatDay(message.timeMs, nowMs, day, sizeof day);
                    const float labelWidth = ImGui::CalcTextSize(day).x;
                    const float labelX = origin.x + (fullWidth - labelWidth) * 0.5f;
                    const float lineY = std::round(origin.y + rowHeight * 0.5f);
                    const float pad = fontSize * 0.6f;
                    draw->AddLine(ImVec2(origin.x + indent, lineY), ImVec2(labelX - pad, lineY), mutedColor);
                    draw->AddLine(ImVec2(labelX + labelWidth + pad, lineY),
                                  ImVec2(origin.x + fullWidth - indent, lineY), mutedColor);
                    draw->AddText(ImVec2(labelX, textY), mutedColor, day);
                } else if (row.kind == ChatRow::Kind::Sender) {
                    const std::string_view name = message.outgoing ? std::string_view("You") : message.from;
                    draw->AddText(ImVec2(origin.x, textY),
                                  ImGui::GetColorU32(message.outgoing ? colors.accent : colors.peerName),
                                  name.data(), name.data() + name.size());
                }
                continue;
            }

            ImGui::PushID(i);
            // A quiet hover keeps links and selected text readable under the mouse; a message with
            // selected text shows the text selection instead of the whole-message one.
            const auto [selBegin, selEnd] = selectionIn(history, row.message, message.text.size());
            ImGui::PushStyleColor(ImGuiCol_HeaderHovered, quietHover);
            ImGui::PushStyleColor(ImGuiCol_HeaderActive, quietHover);
            if (ImGui::Selectable("##row", history.selectedMessage == row.message && selBegin == selEnd,
                                  ImGuiSelectableFlags_None, ImVec2(0, rowHeight)))
                history.selectedMessage = row.message;
            ImGui::PopStyleColor(2);
            if (row.firstOfMessage && view.locator)
                locate(view, "chat.message." + std::to_string(row.message));
            geometry.rowsTop = origin.y - static_cast<float>(local) * rowHeight;
            drawTextRow(view, geometry, local, message);
            if (ImGui::BeginPopupContextItem("row-menu")) {
                history.selectedMessage = row.message;
                drawRowMenu(peer, view, row.message, nowMs);
                ImGui::EndPopup();
            }
            ImGui::PopID();
            if (row.firstOfMessage) {
                char meta[48];
                formatClock(message.timeMs, meta, sizeof meta);
                float x = origin.x + fullWidth - metaWidth + fontSize * 0.5f;
                draw->AddText(ImVec2(x, textY), mutedColor, meta);
                if (message.outgoing) {
                    x += ImGui::CalcTextSize("00:00 ").x;
                    const bool delivered = message.delivery == state::Delivery::Delivered;
                    const bool read = message.delivery == state::Delivery::Read;
                    draw->AddText(ImVec2(x, textY),
                                  read        ? ImGui::GetColorU32(colors.accent)
                                  : delivered ? ImGui::GetColorU32(colors.success)
                                              : mutedColor,
                                  deliveryMark(font, message.delivery));
                }
            }
        }
    }
    clipper.End();
    ImGui::PopStyleVar();

    finishTextInput(peer, history, geometry, nowMs);

    ImGui::EndChild();
}

} // namespace duet::ui
