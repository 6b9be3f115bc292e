#include "duet/ui/ChatText.hpp"

#include "duet/ui/ChatCopy.hpp"
#include "duet/ui/ChatSelection.hpp"
#include "duet/ui/Links.hpp"
#include "duet/ui/Theme.hpp"
#include "imgui_internal.h"

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <optional>
#include <string>

namespace duet::ui {
namespace {

// A long copy's share of a frame: with measuring (3 ms) and drawing, the frame stays well under 16 ms.
constexpr auto kCopyBudget = std::chrono::microseconds(4000);

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

// The text point under the mouse while dragging: rows above a message's text (its day, sender, pictures)
// mean its start, places above or below the laid-out window its first or last message.
std::optional<TextPoint> pointAtMouse(const state::Peer& peer, const ChatHistoryView& history,
                                      const TextGeometry& geometry, ImVec2 mouse)
{
    const std::vector<state::ChatMessage>& messages = peer.messages;
    const std::size_t windowEnd = std::min(history.windowEnd, messages.size());
    if (history.rows.empty() || history.windowFirst >= windowEnd) return std::nullopt;
    const float rowAtMouse = std::floor((mouse.y - geometry.rowsTop) / geometry.rowHeight);
    if (rowAtMouse < 0.f) return pointIn(messages, history.windowFirst, 0);
    if (rowAtMouse >= static_cast<float>(history.rows.size())) return endOf(messages, windowEnd - 1);
    const auto local = static_cast<std::uint32_t>(rowAtMouse);
    const auto next = std::upper_bound(history.entryRows.begin(), history.entryRows.end(), local);
    const std::size_t entry =
        history.windowFirst + static_cast<std::size_t>(next - history.entryRows.begin()) - 1;
    if (entry >= messages.size()) return endOf(messages, messages.size() - 1);
    const ChatRow& row = history.rows[local];
    if (row.kind != ChatRow::Kind::Text || row.picture) return pointIn(messages, entry, 0);
    const std::string& text = messages[entry].text;
    return TextPoint{messages[entry].id, entry, offsetAtX(geometry, text, row.begin, row.end, mouse.x)};
}

// While a drag is held above or below the list, scrolls towards the mouse, faster the farther it is.
void autoScroll(ChatHistoryView& history, const TextGeometry& geometry, ImVec2 mouse)
{
    const ImGuiWindow* window = ImGui::GetCurrentWindow();
    const float above = window->InnerRect.Min.y - mouse.y;
    const float below = mouse.y - window->InnerRect.Max.y;
    const float beyond = std::max(above, below);
    history.autoScrolling = beyond > 0.f;
    if (!history.autoScrolling) return;
    const float step = std::clamp(beyond * 0.5f, geometry.rowHeight * 0.25f, geometry.rowHeight * 4.f);
    ImGui::SetScrollY(ImGui::GetScrollY() + (above > 0.f ? -step : step));
}

} // namespace

std::span<const LinkSpan> messageLinks(const ChatHistoryView& history, std::size_t message)
{
    if (message < history.windowFirst || message >= history.windowEnd) return {};
    const std::size_t local = message - history.windowFirst;
    const std::size_t begin = history.firstLinks[local];
    return std::span<const LinkSpan>(history.links).subspan(begin, history.firstLinks[local + 1] - begin);
}

std::pair<std::uint32_t, std::uint32_t> selectionIn(const ChatHistoryView& history, std::size_t message,
                                                    std::size_t textSize)
{
    return rangeIn(history.selection, message, textSize);
}

void drawTextRow(ViewState& view, const TextGeometry& geometry, std::size_t rowIndex,
                 const state::ChatMessage& message)
{
    ChatHistoryView& history = view.history;
    const std::string_view text = message.text;
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
            const bool extend = clicks == 1 && ImGui::GetIO().KeyShift && history.selection.set;
            history.pressedLink = clicks == 1 && !extend ? link : LinkRef{};
            history.selecting = clicks == 1;
            const auto at = [&](std::uint32_t byte) { return TextPoint{message.id, row.message, byte}; };
            if (extend) {
                extendTo(history.selection, at(offset));
            } else if (clicks == 1) {
                placeCaret(history.selection, at(offset));
            } else if (clicks == 2) {
                const auto [begin, end] = wordAt(links, text, offset);
                selectRange(history.selection, at(begin), at(end));
            } else {
                selectRange(history.selection, at(0), at(static_cast<std::uint32_t>(text.size())));
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
    const auto [selBegin, selEnd] = selectionIn(history, row.message, text.size());
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

void runCopy(ChatHistoryView& history, const std::vector<state::ChatMessage>& messages)
{
    // Handing megabytes to the clipboard copies them, as long as a slice: a text that took a share of
    // this frame goes over in the next one, a short one at once.
    const bool ready = history.copy.complete;
    const auto start = std::chrono::steady_clock::now();
    if (ready || (continueCopyFor(history.copy, messages, kCopyBudget) &&
                  std::chrono::steady_clock::now() - start < kCopyBudget / 4)) {
        ImGui::SetClipboardText(history.copy.text.c_str());
        history.copy = {};
    }
    history.copying = history.copy.active;
}

void finishTextInput(const state::Peer& peer, ChatHistoryView& history, const TextGeometry& geometry,
                     std::int64_t nowMs)
{
    const ImGuiIO& io = ImGui::GetIO();
    const std::vector<state::ChatMessage>& messages = peer.messages;
    history.hoveredLink = history.hoveredLinkNow;
    history.hoveredLinkNow = {};
    history.autoScrolling = false;
    const bool valid = history.selection.set && history.selection.focus.index < messages.size();
    if (history.selecting && valid) {
        if (io.MouseDown[ImGuiMouseButton_Left]) {
            if (const auto point = pointAtMouse(peer, history, geometry, io.MousePos))
                history.selection.focus = *point;
            autoScroll(history, geometry, io.MousePos);
        } else {
            history.selecting = false;
            const float threshold = io.MouseDragThreshold;
            const std::size_t pressed = history.pressedLink.message;
            const std::vector<LinkSpan> links =
                pressed < messages.size() ? findLinks(messages[pressed].text) : std::vector<LinkSpan>{};
            if (history.pressedLink.index < links.size() &&
                io.MouseDragMaxDistanceSqr[ImGuiMouseButton_Left] < threshold * threshold) {
                const LinkSpan& link = links[history.pressedLink.index];
                history.openLinkRequests.push_back(linkTarget(
                    std::string_view(messages[pressed].text).substr(link.begin, link.end - link.begin)));
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
        collapse(history.selection);

    if (!ImGui::IsWindowFocused(ImGuiFocusedFlags_ChildWindows)) return;
    if (io.KeyCtrl && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_C), false)) {
        // Ctrl+C copies the selected text, or the whole selected message when no text is selected.
        if (valid && !history.selection.empty()) {
            startCopy(history.copy, messages, history.selection, nowMs);
            runCopy(history, messages);
        } else if (history.selectedMessage < messages.size())
            ImGui::SetClipboardText(messages[history.selectedMessage].text.c_str());
    }
    if (io.KeyCtrl && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_A), false))
        selectAll(history.selection, messages);
    for (const int direction : {-1, +1}) {
        const ImGuiKey key = direction < 0 ? ImGuiKey_UpArrow : ImGuiKey_DownArrow;
        if (!io.KeyShift || io.KeyCtrl || !ImGui::IsKeyPressed(ImGui::GetKeyIndex(key), true)) continue;
        // With no caret yet, the selected message is the start: Shift+Down takes it from its start.
        if (!history.selection.set && history.selectedMessage < messages.size())
            placeCaret(history.selection, direction > 0 ? pointIn(messages, history.selectedMessage, 0)
                                                        : endOf(messages, history.selectedMessage));
        if (extendByMessage(history.selection, messages, direction))
            history.reveal = history.selection.focus.index;
    }
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) collapse(history.selection);
}

} // namespace duet::ui
