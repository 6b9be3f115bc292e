#include "duet/ui/LogPanel.hpp"

#include "duet/ui/Theme.hpp"
#include "duet/ui/TimeFormat.hpp"
#include "duet/ui/Widgets.hpp"
#include "imgui.h"

#include <cstdio>
#include <deque>
#include <string>

namespace duet::ui {
namespace {
constexpr std::size_t kShownEntries = 200;
} // namespace

void drawLogPanel(const state::AppState& state, ViewState& view, float height)
{
    const Palette& colors = palette(view.theme);
    char title[48];
    std::snprintf(title, sizeof title, "Log (%zu)###log", state.log().size());
    ImGui::SetNextItemOpen(view.logOpen, ImGuiCond_Always);
    view.logOpen = ImGui::CollapsingHeader(title);
    locate(view, "log.header");
    if (!view.logOpen) return;
    ImGui::BeginChild("log", ImVec2(0, height), true);
    const bool atBottom = ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 1.f;
    // Entries wrap (the column is narrow), so rows differ in height and a list clipper does not apply;
    // showing only the newest kShownEntries bounds the work per frame instead.
    const std::deque<state::LogEntry>& log = state.log();
    const std::size_t first = log.size() > kShownEntries ? log.size() - kShownEntries : 0;
    if (first > 0) textColored(colors.muted, std::to_string(first) + " older entries not shown");
    const float clockWidth = ImGui::CalcTextSize("00:00").x + ImGui::GetStyle().ItemSpacing.x;
    for (std::size_t i = first; i < log.size(); ++i) {
        const state::LogEntry& entry = log[i];
        char clock[16];
        formatClock(entry.timeMs, clock, sizeof clock);
        textColored(colors.muted, clock);
        ImGui::SameLine(clockWidth + ImGui::GetStyle().WindowPadding.x);
        if (entry.level == state::LogLevel::Error)
            textWrappedColored(colors.danger, entry.text);
        else
            textWrapped(entry.text);
    }
    if (atBottom) ImGui::SetScrollHereY(1.0f);
    ImGui::EndChild();
}

void drawErrorBanner(const state::AppState& state, ViewState& view)
{
    if (state.errorCount() <= view.errorsSeen) return;
    const Palette& colors = palette(view.theme);
    ImGui::PushStyleColor(ImGuiCol_ChildBg, colors.bannerBackground);
    const float height = ImGui::GetFrameHeight() + ImGui::GetStyle().WindowPadding.y * 2;
    ImGui::BeginChild("error-banner", ImVec2(0, height), false, ImGuiWindowFlags_AlwaysUseWindowPadding);
    ImGui::AlignTextToFramePadding();
    const float dismissWidth = ImGui::CalcTextSize("Dismiss").x + ImGui::GetStyle().FramePadding.x * 2;
    textColored(colors.danger, "Error:");
    ImGui::SameLine();
    ImGui::PushClipRect(ImGui::GetCursorScreenPos(),
                        ImVec2(ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x - dismissWidth -
                                   ImGui::GetStyle().ItemSpacing.x,
                               ImGui::GetWindowPos().y + height),
                        true);
    text(state.lastError());
    ImGui::PopClipRect();
    locate(view, "error.banner");
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - dismissWidth);
    if (button(view, "error.dismiss", "Dismiss")) view.errorsSeen = state.errorCount();
    ImGui::EndChild();
    ImGui::PopStyleColor();
}

} // namespace duet::ui
