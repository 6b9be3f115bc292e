#include "duet/ui/ChatHistory.hpp"

#include "duet/ui/ChatText.hpp"
#include "duet/ui/Theme.hpp"
#include "duet/ui/TimeFormat.hpp"
#include "duet/ui/ViewState.hpp"
#include "duet/ui/Widgets.hpp"
#include "imgui.h"

#include <algorithm>
#include <cmath>

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

bool startsGroup(const state::ChatMessage& previous, const state::ChatMessage& current)
{
    return previous.outgoing != current.outgoing || previous.from != current.from ||
           current.timeMs - previous.timeMs > kGroupGapMs ||
           localDayKey(previous.timeMs) != localDayKey(current.timeMs);
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

std::string conversationText(const state::Peer& peer)
{
    std::string out;
    for (const state::ChatMessage& message : peer.messages) {
        char clock[16];
        formatClock(message.timeMs, clock, sizeof clock);
        out += '[';
        out += clock;
        out += "] ";
        out += message.outgoing ? std::string("You") : message.from;
        out += ": ";
        out += message.text;
        out += '\n';
    }
    return out;
}

// The right-click menu of a message row; `menuLink` is the link the menu was opened on, if any.
void drawRowMenu(const state::Peer& peer, ViewState& view, std::size_t message)
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
    const auto [begin, end] = selectionIn(history, message);
    if (begin < end && item("chat.menu.copy-selection", "Copy selection", "Ctrl+C"))
        ImGui::SetClipboardText(text.substr(begin, end - begin).c_str());
    if (item("chat.menu.copy-message", "Copy message", begin < end ? nullptr : "Ctrl+C"))
        ImGui::SetClipboardText(text.c_str());
    if (item("chat.menu.select-all", "Select all text", "Ctrl+A")) {
        history.selectionMessage = message;
        history.selectionAnchor = 0;
        history.selectionFocus = static_cast<std::uint32_t>(text.size());
    }
    if (item("chat.menu.copy-conversation", "Copy conversation"))
        ImGui::SetClipboardText(conversationText(peer).c_str());
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

void layoutChat(ChatHistoryView& view, const state::Peer& peer, const std::vector<ChatImage>& pictures,
                const ImFont* font, float fontSize, float wrapWidth)
{
    wrapWidth = std::max(wrapWidth, fontSize); // a collapsed window must not wrap after every glyph forever
    const bool prepended = view.peer == peer.id && view.prepends != peer.prepends;
    const bool relayout = view.peer != peer.id || view.font != font || view.fontSize != fontSize ||
                          std::fabs(view.wrapWidth - wrapWidth) >= 1.f ||
                          view.messagesLaidOut > peer.messages.size() || prepended ||
                          view.picturesKnown != pictures.size();
    const std::size_t rowsBefore = view.rows.size();
    const std::size_t messagesBefore = view.messagesLaidOut;
    view.rowsPrepended = 0;
    view.prepends = peer.prepends;
    // Older messages in front, another peer or a replaced history: a message index means another message.
    const bool renumbered = view.peer != peer.id || prepended || view.messagesLaidOut > peer.messages.size();
    if (relayout) {
        if (renumbered) {
            view.links.clear();
            view.firstLinks.clear();
            view.selectionMessage = ChatHistoryView::kNone;
            view.selecting = false;
            view.pressedLink = ChatHistoryView::kNone;
            view.hoveredLink = ChatHistoryView::kNone;
        }
        if (view.peer != peer.id) {
            view.selectedMessage = ChatHistoryView::kNone;
            view.scrollToBottom = true;
            view.rowsDrawn = 0;
        }
        view.peer = peer.id;
        view.font = font;
        view.fontSize = fontSize;
        view.wrapWidth = wrapWidth;
        view.messagesLaidOut = 0;
        view.picturesKnown = pictures.size();
        view.picturesLaidOut = 0;
        view.lastWasPicture = false;
        view.lastDay = 0;
        view.rows.clear();
        view.firstRows.clear();
    }
    const auto placePictures = [&](std::int64_t untilMs, bool all) {
        for (; view.picturesLaidOut < pictures.size(); ++view.picturesLaidOut) {
            const ChatImage& picture = pictures[view.picturesLaidOut];
            if (!all && picture.timeMs > untilMs) break;
            const auto index = static_cast<std::uint32_t>(view.picturesLaidOut);
            const std::int32_t day = localDayKey(picture.timeMs);
            if (!view.rows.empty())
                view.rows.push_back(ChatRow{ChatRow::Kind::Gap, false, index, 0, 0, true});
            if (view.rows.empty() || day != view.lastDay)
                view.rows.push_back(ChatRow{ChatRow::Kind::Day, false, index, 0, 0, true});
            view.rows.push_back(ChatRow{ChatRow::Kind::Sender, false, index, 0, 0, true});
            for (std::uint32_t slice = 0; slice < kPictureRows; ++slice)
                view.rows.push_back(ChatRow{ChatRow::Kind::Picture, false, index, slice, kPictureRows, true});
            view.lastWasPicture = true;
            view.lastDay = day;
        }
    };
    for (std::size_t i = view.messagesLaidOut; i < peer.messages.size(); ++i) {
        const state::ChatMessage& message = peer.messages[i];
        placePictures(message.timeMs, false);
        const auto index = static_cast<std::uint32_t>(i);
        const std::int32_t day = localDayKey(message.timeMs);
        const bool newDay = view.rows.empty() || day != view.lastDay;
        if (view.rows.empty() || view.lastWasPicture || startsGroup(peer.messages[i - 1], message)) {
            if (!view.rows.empty()) view.rows.push_back(ChatRow{ChatRow::Kind::Gap, false, index, 0, 0});
            if (newDay) view.rows.push_back(ChatRow{ChatRow::Kind::Day, false, index, 0, 0});
            view.rows.push_back(ChatRow{ChatRow::Kind::Sender, false, index, 0, 0});
        }
        view.firstRows.push_back(static_cast<std::uint32_t>(view.rows.size()));
        appendTextRows(view.rows, message.text, index, font, fontSize, wrapWidth);
        // Links are found once per message; a new width or font keeps them.
        if (i == view.firstLinks.size()) {
            view.firstLinks.push_back(static_cast<std::uint32_t>(view.links.size()));
            for (const LinkSpan& link : findLinks(message.text))
                view.links.push_back(link);
        }
        view.lastWasPicture = false;
        view.lastDay = day;
    }
    view.messagesLaidOut = peer.messages.size();
    placePictures(0, true); // the ones newer than every message
    // Older messages went in front: the rows of the ones already shown moved down by this many.
    if (prepended && peer.messages.size() >= messagesBefore && view.rows.size() >= rowsBefore)
        view.rowsPrepended = view.rows.size() - rowsBefore;
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
    layoutChat(history, peer, pictures, font, fontSize, wrapWidth);
    if (history.rowsPrepended > 0 && !history.scrollToBottom)
        ImGui::SetScrollY(ImGui::GetScrollY() + static_cast<float>(history.rowsPrepended) * rowHeight);
    // At the top with older messages stored: the panel asks for the previous page.
    history.wantOlder = peer.olderHistory && !peer.historyLoading && ImGui::GetScrollY() <= 0.f &&
                        ImGui::GetScrollMaxY() > 0.f;

    const bool wasAtBottom = ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - rowHeight * 0.5f;
    const bool grew = history.rows.size() > history.rowsDrawn;
    const bool lastIsOurs = !peer.messages.empty() && peer.messages.back().outgoing;

    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(ImGui::GetStyle().ItemSpacing.x, 0.f));
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const float fullWidth = ImGui::GetContentRegionAvail().x;
    const ImU32 mutedColor = ImGui::GetColorU32(colors.muted);
    ImVec4 quietHover = ImGui::GetStyleColorVec4(ImGuiCol_Header);
    quietHover.w *= 0.6f;
    TextGeometry geometry{font,        fontSize,  ImGui::GetCursorScreenPos().x + indent,
                          textOffsetY, rowHeight, ImGui::GetCursorScreenPos().y};

    if (history.jumpTo < peer.messages.size() && history.jumpTo < history.firstRows.size()) {
        // Rows have one height, so a message's first row index gives its scroll position.
        const std::uint32_t r = history.firstRows[history.jumpTo];
        const float visible = ImGui::GetWindowHeight();
        ImGui::SetScrollY(std::max(0.f, static_cast<float>(r) * rowHeight - visible * 0.4f));
        history.selectedMessage = history.jumpTo;
        history.selectionFocus = history.selectionAnchor; // Ctrl+C then copies the message found
        history.scrollToBottom = false;
    }
    history.jumpTo = ChatHistoryView::kNone;

    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(history.rows.size()), rowHeight);
    while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const ChatRow& row = history.rows[static_cast<std::size_t>(i)];
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
            const auto [selBegin, selEnd] = selectionIn(history, row.message);
            ImGui::PushStyleColor(ImGuiCol_HeaderHovered, quietHover);
            ImGui::PushStyleColor(ImGuiCol_HeaderActive, quietHover);
            if (ImGui::Selectable("##row", history.selectedMessage == row.message && selBegin == selEnd,
                                  ImGuiSelectableFlags_None, ImVec2(0, rowHeight)))
                history.selectedMessage = row.message;
            ImGui::PopStyleColor(2);
            if (row.firstOfMessage && view.locator)
                locate(view, "chat.message." + std::to_string(row.message));
            geometry.rowsTop = origin.y - static_cast<float>(i) * rowHeight;
            drawTextRow(view, geometry, static_cast<std::size_t>(i), message.text);
            if (ImGui::BeginPopupContextItem("row-menu")) {
                history.selectedMessage = row.message;
                drawRowMenu(peer, view, row.message);
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

    finishTextInput(peer, history, geometry);

    // Follow new messages only when the user was already reading the end (or just sent one).
    if (history.scrollToBottom || (grew && (wasAtBottom || lastIsOurs))) {
        ImGui::SetScrollHereY(1.0f);
        history.scrollToBottom = false;
    }
    history.rowsDrawn = history.rows.size();
    ImGui::EndChild();
}

} // namespace duet::ui
