// Drawing the file browser modal. The listing arrives from the lister thread; this file never touches
// the file system itself.
#include "duet/ui/FileBrowser.hpp"

#include "duet/ui/Theme.hpp"
#include "duet/ui/ViewState.hpp"
#include "duet/ui/Widgets.hpp"
#include "imgui.h"
#include "imgui_stdlib.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>

namespace duet::ui {
namespace {

constexpr const char* kPopupName = "Choose files###file-browser";
constexpr std::size_t kMaxRecent = 5;

std::string modifiedText(std::int64_t seconds)
{
    if (seconds <= 0) return "";
    const std::time_t time = static_cast<std::time_t>(seconds);
    std::tm local{};
    localtime_r(&time, &local);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &local);
    return text;
}

void drawPlaces(FileBrowserState& browser, const ViewState& view)
{
    const char* home = std::getenv("HOME");
    const std::string homePath = home && home[0] == '/' ? home : "/";
    struct Place {
        const char* key;
        const char* label;
        std::string path;
    };
    const Place places[] = {
        {"browser.place.home", "Home", homePath},
        {"browser.place.desktop", "Desktop", joinPath(homePath, "Desktop")},
        {"browser.place.downloads", "Downloads", joinPath(homePath, "Downloads")},
        {"browser.place.documents", "Documents", joinPath(homePath, "Documents")},
        {"browser.place.root", "Computer (/)", "/"},
    };
    for (const Place& place : places) {
        if (ImGui::Selectable(place.label, browser.path == place.path)) navigateTo(browser, place.path);
        locate(view, place.key);
    }
    if (!browser.recent.empty()) {
        ImGui::Spacing();
        textColored(palette(view.theme).muted, "Recent");
        for (std::size_t i = 0; i < browser.recent.size(); ++i) {
            ImGui::PushID(static_cast<int>(i));
            const std::string& folder = browser.recent[i];
            const std::size_t slash = folder.rfind('/');
            const std::string label =
                slash == std::string::npos || folder.size() == 1 ? folder : folder.substr(slash + 1);
            if (ImGui::Selectable(label.c_str(), browser.path == folder)) navigateTo(browser, folder);
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", folder.c_str());
            ImGui::PopID();
        }
    }
}

void drawBreadcrumb(FileBrowserState& browser, const ViewState& view)
{
    const std::vector<std::string> folders = breadcrumbFolders(browser.path);
    if (button(view, "browser.up", "Up")) navigateTo(browser, parentPath(browser.path));
    for (std::size_t i = 0; i < folders.size(); ++i) {
        ImGui::SameLine(0, i == 0 ? -1.f : 2.f);
        const std::string& folder = folders[i];
        const std::string name = i == 0 ? "/" : folder.substr(folder.rfind('/') + 1);
        ImGui::PushID(static_cast<int>(i));
        if (ImGui::SmallButton(name.c_str())) navigateTo(browser, folder);
        ImGui::PopID();
        locate(view, "browser.crumb." + std::to_string(i));
    }
}

void openEntry(FileBrowserState& browser, const DirEntry& entry)
{
    if (entry.directory) navigateTo(browser, joinPath(browser.path, entry.name));
}

void handleKeys(FileBrowserState& browser)
{
    if (!ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows) || ImGui::GetIO().WantTextInput)
        return;
    const int count = static_cast<int>(browser.visible.size());
    const int page = 10;
    auto moveTo = [&](int index) {
        if (count == 0) return;
        browser.cursor = std::clamp(index, 0, count - 1);
        browser.scrollToCursor = true;
    };
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_DownArrow))) moveTo(browser.cursor + 1);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_UpArrow))) moveTo(browser.cursor - 1);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_PageDown))) moveTo(browser.cursor + page);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_PageUp))) moveTo(browser.cursor - page);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Home))) moveTo(0);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_End))) moveTo(count - 1);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Backspace), false)) {
        navigateTo(browser, parentPath(browser.path));
        return;
    }
    const bool onRow = browser.cursor >= 0 && browser.cursor < count;
    if (onRow) {
        const DirEntry& entry =
            browser.listing.entries[browser.visible[static_cast<std::size_t>(browser.cursor)]];
        if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false))
            toggleSelected(browser, joinPath(browser.path, entry.name));
        else if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false))
            openEntry(browser, entry);
    }
    if (ImGui::GetIO().KeyCtrl && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_A), false)) {
        for (const std::uint32_t index : browser.visible) {
            const std::string full = joinPath(browser.path, browser.listing.entries[index].name);
            if (!isSelected(browser, full)) browser.selected.push_back(full);
        }
    }
}

void drawListing(FileBrowserState& browser, const ViewState& view, float height)
{
    const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                                  ImGuiTableFlags_BordersOuter | ImGuiTableFlags_Resizable;
    if (!ImGui::BeginTable("browser.table", 3, flags, ImVec2(0, height))) return;
    locateWindow(view, "browser.table");
    const float em = ImGui::GetFontSize();
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("Name", ImGuiTableColumnFlags_DefaultSort | ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("Size", ImGuiTableColumnFlags_WidthFixed, em * 6);
    ImGui::TableSetupColumn("Modified", ImGuiTableColumnFlags_WidthFixed, em * 9);
    ImGui::TableHeadersRow();
    if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsDirty) {
        if (specs->SpecsCount > 0) {
            browser.sort =
                static_cast<BrowserSort>(std::clamp(static_cast<int>(specs->Specs[0].ColumnIndex), 0, 2));
            browser.ascending = specs->Specs[0].SortDirection != ImGuiSortDirection_Descending;
        }
        specs->SpecsDirty = false;
        browser.visibleDirty = true;
        refreshListing(browser);
    }

    const Palette& colors = palette(view.theme);
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(browser.visible.size()));
    if (browser.scrollToCursor && browser.cursor >= 0)
        clipper.ForceDisplayRangeByIndices(browser.cursor, browser.cursor + 1);
    while (clipper.Step()) {
        for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
            const DirEntry& entry = browser.listing.entries[browser.visible[static_cast<std::size_t>(row)]];
            const std::string full = joinPath(browser.path, entry.name);
            const bool selected = isSelected(browser, full);
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::PushID(row);
            if (row == browser.cursor)
                ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1,
                                       ImGui::GetColorU32(ImGuiCol_HeaderHovered, 0.5f));
            const std::string label = entry.directory ? entry.name + "/" : entry.name;
            if (ImGui::Selectable(label.c_str(), selected,
                                  ImGuiSelectableFlags_SpanAllColumns |
                                      ImGuiSelectableFlags_AllowDoubleClick)) {
                browser.cursor = row;
                if (ImGui::IsMouseDoubleClicked(0) && entry.directory) {
                    ImGui::PopID();
                    openEntry(browser, entry);
                    ImGui::EndTable();
                    return;
                }
                if (!ImGui::GetIO().KeyCtrl && !ImGui::GetIO().KeyShift) {
                    // A plain click picks this one entry in this folder; Ctrl adds to the selection.
                    std::erase_if(browser.selected, [&](const std::string& path) {
                        return parentPath(path) == browser.path && path != full;
                    });
                    if (!selected) browser.selected.push_back(full);
                } else {
                    toggleSelected(browser, full);
                }
            }
            // Recorded over the name only: the row's centre is on a column border (a resize handle).
            if (view.locator && row < 200) {
                const ImVec2 min = ImGui::GetItemRectMin();
                const ImVec2 max = ImGui::GetItemRectMax();
                view.locator->record("browser.row." + entry.name,
                                     ScreenRect{min.x, min.y, std::min(max.x, min.x + em * 6), max.y});
            }
            if (row == browser.cursor && browser.scrollToCursor) {
                ImGui::SetScrollHereY();
                browser.scrollToCursor = false;
            }
            ImGui::TableNextColumn();
            if (!entry.directory) textColored(colors.muted, formatSize(entry.size));
            ImGui::TableNextColumn();
            textColored(colors.muted, modifiedText(entry.modifiedSec));
            ImGui::PopID();
        }
    }
    ImGui::EndTable();
}

void remember(FileBrowserState& browser)
{
    std::erase(browser.recent, browser.path);
    browser.recent.insert(browser.recent.begin(), browser.path);
    if (browser.recent.size() > kMaxRecent) browser.recent.resize(kMaxRecent);
}

} // namespace

void drawFileBrowser(FileBrowserState& browser, const ViewState& view, Commands& out)
{
    if (browser.openRequested) {
        ImGui::OpenPopup(kPopupName);
        browser.openRequested = false;
        browser.open = true;
    }
    if (!browser.open) return;
    refreshListing(browser);

    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(viewport->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(viewport->WorkSize.x * 0.9f, viewport->WorkSize.y * 0.9f),
                             ImGuiCond_Appearing);
    bool keepOpen = true;
    if (!ImGui::BeginPopupModal(kPopupName, &keepOpen, ImGuiWindowFlags_NoSavedSettings)) {
        browser.open = false;
        return;
    }
    locateWindow(view, "browser.window");
    const float em = ImGui::GetFontSize();
    const Palette& colors = palette(view.theme);
    handleKeys(browser);

    drawBreadcrumb(browser, view);
    ImGui::SetNextItemWidth(em * 14);
    if (ImGui::InputTextWithHint("##filter", "Filter names", &browser.filter)) browser.visibleDirty = true;
    locate(view, "browser.filter");
    ImGui::SameLine();
    if (ImGui::Checkbox("Show hidden", &browser.showHidden)) browser.visibleDirty = true;
    locate(view, "browser.hidden");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-1);
    if (ImGui::InputText("##path", &browser.pathInput, ImGuiInputTextFlags_EnterReturnsTrue))
        navigateTo(browser, browser.pathInput);
    locate(view, "browser.path");
    refreshListing(browser);

    const float footer = ImGui::GetFrameHeightWithSpacing() * 2;
    const float bodyHeight = ImGui::GetContentRegionAvail().y - footer;
    ImGui::BeginChild("browser.places", ImVec2(em * 10, bodyHeight), true);
    drawPlaces(browser, view);
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginGroup();
    if (browser.loading)
        textColored(colors.muted, "Reading folder...");
    else if (!browser.listing.error.empty())
        textColored(colors.danger, "Cannot read this folder: " + browser.listing.error);
    else
        textColored(colors.muted, std::to_string(browser.visible.size()) + " items" +
                                      (browser.listing.truncated ? " (list truncated)" : ""));
    drawListing(browser, view, bodyHeight - ImGui::GetTextLineHeightWithSpacing());
    ImGui::EndGroup();

    const bool choosingFolder = browser.purpose == BrowserPurpose::ChooseFolder;
    if (choosingFolder)
        text("Folder: " + browser.path);
    else
        text(std::to_string(browser.selected.size()) + " selected" +
             (browser.selected.empty() ? "" : ": " + browser.selected.back()));
    const float buttonWidth = em * 8;
    ImGui::SetCursorPosX(ImGui::GetWindowContentRegionMax().x - buttonWidth * 2 -
                         ImGui::GetStyle().ItemSpacing.x);
    if (button(view, "browser.cancel", "Cancel", ImVec2(buttonWidth, 0)) ||
        ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false))
        keepOpen = false;
    ImGui::SameLine();
    if (choosingFolder) {
        if (button(view, "browser.confirm", "Use this folder", ImVec2(buttonWidth, 0))) {
            browser.chosenFolder = browser.path;
            keepOpen = false;
        }
    } else {
        ImGui::BeginDisabled(browser.selected.empty() || !browser.peer);
        if (button(view, "browser.confirm", "Send", ImVec2(buttonWidth, 0))) {
            out.push_back(command::SendFiles{browser.peer, browser.selected});
            remember(browser);
            browser.selected.clear();
            keepOpen = false;
        }
        ImGui::EndDisabled();
    }
    if (!keepOpen) {
        browser.open = false;
        ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
}

} // namespace duet::ui
