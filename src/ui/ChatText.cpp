#include "duet/ui/ChatText.hpp"

#include "duet/ui/Links.hpp"
#include "duet/ui/Theme.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <optional>
#include <string>

namespace duet::ui {
namespace {

std::size_t sequenceLength(std::string_view text, std::size_t i)
{
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return std::min(length, text.size() - i);
}

float widthOf(const TextGeometry& geometry, std::string_view text, std::size_t begin, std::size_t end)
{
    if (end <= begin) return 0.f;
    return geometry.font
        ->CalcTextSizeA(geometry.fontSize, FLT_MAX, 0.f, text.data() + begin, text.data() + end)
        .x;
}

// The character boundary of row [begin, end) nearest to screen x.
std::uint32_t offsetAtX(const TextGeometry& geometry, std::string_view text, std::uint32_t begin,
                        std::uint32_t end, float x)
{
    float left = geometry.textX;
    std::size_t i = begin;
    while (i < end) {
        const std::size_t next = std::min<std::size_t>(end, i + sequenceLength(text, i));
        const float advance = widthOf(geometry, text, i, next);
        if (x < left + advance * 0.5f) break;
        left += advance;
        i = next;
    }
    return static_cast<std::uint32_t>(i);
}

bool isWordByte(char c)
{
    return static_cast<unsigned char>(c) >= 0x80 ||
           (c > ' ' && std::string_view(".,;:!?()[]{}<>\"'`/\\|").find(c) == std::string_view::npos);
}

// The word (or link) around `offset`, for a double-click.
std::pair<std::uint32_t, std::uint32_t> wordAt(std::span<const LinkSpan> links, std::string_view text,
                                               std::uint32_t offset)
{
    for (const LinkSpan& link : links)
        if (offset >= link.begin && offset < link.end) return {link.begin, link.end};
    std::size_t begin = offset;
    std::size_t end = offset;
    while (begin > 0 && isWordByte(text[begin - 1]))
        --begin;
    while (end < text.size() && isWordByte(text[end]))
        ++end;
    return {static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end)};
}

void select(ChatHistoryView& history, std::size_t message, std::uint32_t anchor, std::uint32_t focus)
{
    history.selectionMessage = message;
    history.selectionAnchor = anchor;
    history.selectionFocus = focus;
}

// Window rows [first, last] of `message`'s text (its entry's last rows); nullopt outside the window.
std::optional<std::pair<std::size_t, std::size_t>> textRowsOf(const ChatHistoryView& history,
                                                              std::size_t message)
{
    if (message < history.windowFirst || message >= history.windowEnd) return std::nullopt;
    const std::size_t local = message - history.windowFirst;
    const std::size_t end = history.entryRows[local + 1];
    std::size_t first = end;
    while (first > history.entryRows[local] && history.rows[first - 1].kind == ChatRow::Kind::Text &&
           !history.rows[first - 1].picture)
        --first;
    if (first == end) return std::nullopt;
    return std::pair<std::size_t, std::size_t>{first, end - 1};
}

} // namespace

std::span<const LinkSpan> messageLinks(const ChatHistoryView& history, std::size_t message)
{
    if (message < history.windowFirst || message >= history.windowEnd) return {};
    const std::size_t local = message - history.windowFirst;
    const std::size_t begin = history.firstLinks[local];
    return std::span<const LinkSpan>(history.links).subspan(begin, history.firstLinks[local + 1] - begin);
}

std::pair<std::uint32_t, std::uint32_t> selectionIn(const ChatHistoryView& history, std::size_t message)
{
    if (history.selectionMessage != message) return {0, 0};
    return std::minmax(history.selectionAnchor, history.selectionFocus);
}

void drawTextRow(ViewState& view, const TextGeometry& geometry, std::size_t rowIndex, std::string_view text)
{
    ChatHistoryView& history = view.history;
    const ChatRow& row = history.rows[rowIndex];
    const std::span<const LinkSpan> links = messageLinks(history, row.message);
    const float top = geometry.rowsTop + static_cast<float>(rowIndex) * geometry.rowHeight;
    const float textY = top + geometry.textOffsetY;
    ImDrawList* draw = ImGui::GetWindowDrawList();

    // The mouse over this row: which character, which link.
    const bool hovered = ImGui::IsItemHovered();
    std::size_t hoveredLink = ChatHistoryView::kNone;
    std::uint32_t offset = row.begin;
    if (hovered) {
        const float mouseX = ImGui::GetIO().MousePos.x;
        offset = offsetAtX(geometry, text, row.begin, row.end, mouseX);
        const float textRight = geometry.textX + widthOf(geometry, text, row.begin, row.end);
        for (std::size_t k = 0; k < links.size(); ++k) {
            const std::uint32_t from = std::max(links[k].begin, row.begin);
            const std::uint32_t to = std::min(links[k].end, row.end);
            if (from >= to) continue;
            const float x0 = geometry.textX + widthOf(geometry, text, row.begin, from);
            const float x1 = geometry.textX + widthOf(geometry, text, row.begin, to);
            if (mouseX >= x0 && mouseX < x1) hoveredLink = k;
        }
        if (hoveredLink != ChatHistoryView::kNone) {
            ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
            ImGui::SetTooltip("%s", linkTarget(text.substr(links[hoveredLink].begin,
                                                           links[hoveredLink].end - links[hoveredLink].begin))
                                        .c_str());
        } else if (mouseX >= geometry.textX && mouseX < textRight) {
            ImGui::SetMouseCursor(ImGuiMouseCursor_TextInput);
        }
        const LinkRef link =
            hoveredLink == ChatHistoryView::kNone ? LinkRef{} : LinkRef{row.message, hoveredLink};
        if (link.message != ChatHistoryView::kNone) history.hoveredLinkNow = link;
        if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
            const int clicks = ImGui::GetMouseClickedCount(ImGuiMouseButton_Left);
            history.pressedLink = clicks == 1 ? link : LinkRef{};
            history.selecting = clicks == 1;
            if (clicks == 1) {
                select(history, row.message, offset, offset);
            } else if (clicks == 2) {
                const auto [begin, end] = wordAt(links, text, offset);
                select(history, row.message, begin, end);
            } else {
                select(history, row.message, 0, static_cast<std::uint32_t>(text.size()));
            }
        }
        // The row menu opens on this release; it offers the link that was under the mouse.
        if (ImGui::IsMouseReleased(ImGuiMouseButton_Right))
            history.menuLink =
                link.message == ChatHistoryView::kNone
                    ? std::string()
                    : linkTarget(text.substr(links[hoveredLink].begin,
                                             links[hoveredLink].end - links[hoveredLink].begin));
    }

    // Selection behind the text; it runs on past the row's end when it continues on the next row.
    const auto [selBegin, selEnd] = selectionIn(history, row.message);
    const std::uint32_t from = std::max(selBegin, row.begin);
    const std::uint32_t to = std::min(selEnd, row.end);
    if (selBegin < selEnd && from <= to && selBegin < row.end + 1 && selEnd > row.begin) {
        const float x0 = geometry.textX + widthOf(geometry, text, row.begin, from);
        float x1 = geometry.textX + widthOf(geometry, text, row.begin, to);
        if (selEnd > row.end) x1 += geometry.fontSize * 0.3f;
        // Stronger than ImGui's default so it stands out on a selected or hovered row.
        ImVec4 color = ImGui::GetStyleColorVec4(ImGuiCol_TextSelectedBg);
        color.w = std::max(color.w, 0.6f);
        if (x1 > x0)
            draw->AddRectFilled(ImVec2(x0, textY), ImVec2(x1, textY + geometry.fontSize),
                                ImGui::GetColorU32(color));
    }

    const ImU32 textColor = ImGui::GetColorU32(ImGuiCol_Text);
    const ImU32 linkColor = ImGui::GetColorU32(palette(view.theme).accent);
    float x = geometry.textX;
    std::uint32_t at = row.begin;
    const auto drawUpTo = [&](std::uint32_t end, ImU32 color) {
        if (end <= at) return;
        draw->AddText(geometry.font, geometry.fontSize, ImVec2(x, textY), color, text.data() + at,
                      text.data() + end);
        x += widthOf(geometry, text, at, end);
        at = end;
    };
    for (std::size_t k = 0; k < links.size(); ++k) {
        const LinkSpan& link = links[k];
        if (link.end <= row.begin || link.begin >= row.end) continue;
        drawUpTo(std::max(link.begin, row.begin), textColor);
        const float linkX = x;
        drawUpTo(std::min(link.end, row.end), linkColor);
        if (k == hoveredLink || history.hoveredLink == LinkRef{row.message, k}) {
            const float underline = std::round(textY + geometry.fontSize);
            draw->AddLine(ImVec2(linkX, underline), ImVec2(x, underline), linkColor);
        }
        if (view.locator)
            view.locator->record("chat.link." + std::to_string(row.message) + "." + std::to_string(k),
                                 ScreenRect{linkX, textY, x, textY + geometry.fontSize});
    }
    drawUpTo(row.end, textColor);
    if (row.firstOfMessage && view.locator)
        view.locator->record("chat.text." + std::to_string(row.message),
                             ScreenRect{geometry.textX, textY, x, textY + geometry.fontSize});
}

void finishTextInput(const state::Peer& peer, ChatHistoryView& history, const TextGeometry& geometry)
{
    const ImGuiIO& io = ImGui::GetIO();
    history.hoveredLink = history.hoveredLinkNow;
    history.hoveredLinkNow = {};
    const bool valid = history.selectionMessage < peer.messages.size();
    if (history.selecting && valid) {
        const std::string& text = peer.messages[history.selectionMessage].text;
        if (io.MouseDown[ImGuiMouseButton_Left]) {
            // Dragging above or below the message selects to its start or end.
            const float rowAtMouse = std::floor((io.MousePos.y - geometry.rowsTop) / geometry.rowHeight);
            const auto rows = textRowsOf(history, history.selectionMessage);
            const auto windowRows = static_cast<float>(history.rows.size());
            if (!rows) {
                // Scrolled out of the window: only the side the mouse is on is known.
                if (history.selectionMessage < history.windowFirst && rowAtMouse >= 0.f)
                    history.selectionFocus = static_cast<std::uint32_t>(text.size());
                else if (history.selectionMessage >= history.windowEnd && rowAtMouse < windowRows)
                    history.selectionFocus = 0;
            } else if (rowAtMouse > static_cast<float>(rows->second)) {
                history.selectionFocus = static_cast<std::uint32_t>(text.size());
            } else if (rowAtMouse >= static_cast<float>(rows->first)) {
                const ChatRow& row = history.rows[static_cast<std::size_t>(rowAtMouse)];
                history.selectionFocus = offsetAtX(geometry, text, row.begin, row.end, io.MousePos.x);
            } else {
                history.selectionFocus = 0;
            }
        } else {
            history.selecting = false;
            const float threshold = io.MouseDragThreshold;
            const std::vector<LinkSpan> links = history.pressedLink.message == history.selectionMessage
                                                    ? findLinks(text)
                                                    : std::vector<LinkSpan>{};
            if (history.pressedLink.index < links.size() &&
                io.MouseDragMaxDistanceSqr[ImGuiMouseButton_Left] < threshold * threshold) {
                const LinkSpan& link = links[history.pressedLink.index];
                history.openLinkRequests.push_back(
                    linkTarget(std::string_view(text).substr(link.begin, link.end - link.begin)));
            }
            history.pressedLink = {};
        }
    } else if (!valid) {
        history.selecting = false;
    }
    // A click anywhere else (the input, the peers list) ends the selection, as in a text view; the row
    // menu's own clicks must not, or "Copy selection" would vanish under the mouse.
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left) && !history.selecting &&
        !ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows |
                                ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) &&
        !ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId | ImGuiPopupFlags_AnyPopupLevel))
        history.selectionFocus = history.selectionAnchor;

    if (!ImGui::IsWindowFocused(ImGuiFocusedFlags_ChildWindows)) return;
    const auto [selBegin, selEnd] = selectionIn(history, history.selectionMessage);
    if (io.KeyCtrl && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_C), false)) {
        // Ctrl+C copies the selected text, or the whole selected message when no text is selected.
        if (valid && selBegin < selEnd)
            ImGui::SetClipboardText(
                peer.messages[history.selectionMessage].text.substr(selBegin, selEnd - selBegin).c_str());
        else if (history.selectedMessage < peer.messages.size())
            ImGui::SetClipboardText(peer.messages[history.selectedMessage].text.c_str());
    }
    if (io.KeyCtrl && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_A), false) &&
        history.selectedMessage < peer.messages.size())
        select(history, history.selectedMessage, 0,
               static_cast<std::uint32_t>(peer.messages[history.selectedMessage].text.size()));
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false))
        history.selectionFocus = history.selectionAnchor;
}

} // namespace duet::ui
