#include "duet/ui/Settings.hpp"

#include "duet/ui/FileBrowser.hpp"
#include "duet/ui/StunServers.hpp"
#include "duet/ui/Theme.hpp"
#include "duet/ui/Widgets.hpp"
#include "imgui.h"
#include "imgui_stdlib.h"

#include <algorithm>

namespace duet::ui {
namespace {

constexpr const char* kWindowName = "Settings###settings";
constexpr std::size_t kMaxNameBytes = 64;

// "All networks", or a tick per interface. A chosen interface that is gone (a VPN that is down) stays
// listed so the choice is not lost silently.
void drawDiscoveryInterfaces(const state::AppState& state, ViewState& view, SettingsValues& draft)
{
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("Find peers on");
    ImGui::SameLine();
    bool all = draft.discoveryInterfaces.empty();
    if (ImGui::Checkbox("All networks", &all)) {
        draft.discoveryInterfaces.clear();
        if (!all) draft.discoveryInterfaces = state.machineInterfaces();
    }
    locate(view, "settings.interfaces.all");
    if (all) return;
    std::vector<std::string> names = state.machineInterfaces();
    for (const std::string& chosen : draft.discoveryInterfaces)
        if (std::find(names.begin(), names.end(), chosen) == names.end()) names.push_back(chosen);
    ImGui::Indent();
    for (const std::string& name : names) {
        auto found = std::find(draft.discoveryInterfaces.begin(), draft.discoveryInterfaces.end(), name);
        bool ticked = found != draft.discoveryInterfaces.end();
        const bool present = std::find(state.machineInterfaces().begin(), state.machineInterfaces().end(),
                                       name) != state.machineInterfaces().end();
        const std::string label = present ? name : name + " (not present now)";
        // The last tick cannot go: no interface at all would mean "every interface" to the engine.
        if (ImGui::Checkbox(label.c_str(), &ticked)) {
            if (ticked)
                draft.discoveryInterfaces.push_back(name);
            else if (draft.discoveryInterfaces.size() > 1)
                draft.discoveryInterfaces.erase(found);
        }
        locate(view, "settings.interface." + name);
    }
    ImGui::Unindent();
}

// The STUN servers field; false while its text is not a usable list (Save then keeps the window open).
bool drawStunServers(ViewState& view, SettingsValues& draft, float labelWidth)
{
    const Palette& colors = palette(view.theme);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("STUN servers");
    ImGui::SameLine(labelWidth);
    ImGui::SetNextItemWidth(-1);
    ImGui::InputTextWithHint("##stun", "empty: public defaults (host[:port], comma-separated)",
                             &draft.stunServers);
    locate(view, "settings.stun");
    const StunServerList parsed = parseStunServerList(draft.stunServers);
    if (!parsed.error.empty()) {
        textWrappedColored(colors.danger, "STUN servers: " + parsed.error);
        return false;
    }
    if (draft.stunFromCommandLine)
        textWrappedColored(colors.warning, "--stun on the command line is used instead while Duet runs.");
    else
        textWrappedColored(colors.muted, "Used to learn this computer's public address for internet "
                                         "connections; a change applies from the next start of Duet.");
    return true;
}

} // namespace

void openSettings(ViewState& view)
{
    view.transfers.draft = view.transfers.settings;
    view.transfers.settingsRequested = true;
}

Commands settingsCommands(const SettingsValues& before, const SettingsValues& after)
{
    Commands out;
    if (after.displayName != before.displayName && !after.displayName.empty())
        out.push_back(command::SetDisplayName{after.displayName});
    if (after.downloadDir != before.downloadDir && !after.downloadDir.empty())
        out.push_back(command::SetDownloadDir{after.downloadDir});
    if (after.autoAcceptVerified != before.autoAcceptVerified)
        out.push_back(command::SetAutoAccept{after.autoAcceptVerified});
    if (after.visibleOnLan != before.visibleOnLan) out.push_back(command::SetVisible{after.visibleOnLan});
    if (after.discoveryInterfaces != before.discoveryInterfaces)
        out.push_back(command::SetDiscoveryInterfaces{after.discoveryInterfaces});
    if (after.readReceipts != before.readReceipts || after.typingIndicator != before.typingIndicator)
        out.push_back(command::SetChatOptions{after.readReceipts, after.typingIndicator});
    return out;
}

void drawSettingsWindow(const state::AppState& state, ViewState& view, Commands& out)
{
    TransfersView& tv = view.transfers;
    if (tv.settingsRequested) {
        // Discovery's settings live in the engine; the window starts from what is in force. With discovery
        // off nothing is in force, so the saved choice (read at start, updated on Save) is shown instead.
        if (state.discoveryAvailable()) tv.settings.visibleOnLan = state.visibleOnLan();
        tv.settings.discoveryInterfaces = state.discoveryInterfaces();
        tv.draft.visibleOnLan = tv.settings.visibleOnLan;
        tv.draft.discoveryInterfaces = tv.settings.discoveryInterfaces;
        tv.settings.readReceipts = tv.draft.readReceipts = state.chatOptions().readReceipts;
        tv.settings.typingIndicator = tv.draft.typingIndicator = state.chatOptions().typingIndicator;
        ImGui::OpenPopup(kWindowName);
        tv.settingsRequested = false;
        tv.settingsOpen = true;
    }
    // The download folder comes back from the file browser, which closes before this popup reopens.
    if (tv.choosingDownloadDir && !tv.browser.open) {
        tv.choosingDownloadDir = false;
        if (tv.browser.chosenFolder) tv.draft.downloadDir = *tv.browser.chosenFolder;
        tv.browser.chosenFolder.reset();
        ImGui::OpenPopup(kWindowName);
        tv.settingsOpen = true;
    }
    if (!tv.settingsOpen) return;
    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    const float em = ImGui::GetFontSize();
    ImGui::SetNextWindowPos(viewport->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    // Height fits the content every frame: the interface list grows and shrinks while the window is open.
    ImGui::SetNextWindowSize(ImVec2(em * 30, 0), ImGuiCond_Always);
    bool keepOpen = true;
    if (!ImGui::BeginPopupModal(kWindowName, &keepOpen, ImGuiWindowFlags_NoSavedSettings)) {
        if (!tv.choosingDownloadDir) tv.settingsOpen = false;
        return;
    }
    locateWindow(view, "settings.window");
    SettingsValues& draft = tv.draft;
    const Palette& colors = palette(view.theme);
    const float labelWidth = em * 11;

    const auto label = [&](const char* name) {
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(name);
        ImGui::SameLine(labelWidth);
        ImGui::SetNextItemWidth(-1);
    };
    label("Your name");
    ImGui::InputText("##name", &draft.displayName);
    locate(view, "settings.name");
    if (draft.displayName.size() > kMaxNameBytes)
        draft.displayName = truncateUtf8(draft.displayName, kMaxNameBytes);

    label("Download folder");
    ImGui::SetNextItemWidth(-em * 6);
    ImGui::InputText("##downloads", &draft.downloadDir);
    locate(view, "settings.downloads");
    ImGui::SameLine();
    if (button(view, "settings.browse", "Browse...", ImVec2(-1, 0))) {
        tv.choosingDownloadDir = true;
        openFileBrowser(tv.browser, BrowserPurpose::ChooseFolder, PeerId{}, draft.downloadDir);
        keepOpen = false;
    }

    label("Port");
    int port = draft.port;
    if (ImGui::InputInt("##port", &port, 0, 0))
        draft.port = static_cast<std::uint16_t>(std::clamp(port, 1, 65535));
    locate(view, "settings.port");

    label("Theme");
    int theme = draft.lightTheme ? 1 : 0;
    ImGui::RadioButton("Dark", &theme, 0);
    locate(view, "settings.dark");
    ImGui::SameLine();
    ImGui::RadioButton("Light", &theme, 1);
    locate(view, "settings.light");
    draft.lightTheme = theme == 1;

    ImGui::Spacing();
    ImGui::Checkbox("Accept files from verified peers without asking", &draft.autoAcceptVerified);
    locate(view, "settings.autoaccept");
    ImGui::Checkbox("Get my attention on new messages and offers", &draft.notifications);
    locate(view, "settings.notifications");
    ImGui::Checkbox("Let others see when I have read their messages", &draft.readReceipts);
    locate(view, "settings.readreceipts");
    ImGui::Checkbox("Show and send typing indicators", &draft.typingIndicator);
    locate(view, "settings.typing");
    ImGui::Checkbox("Visible to computers on this network", &draft.visibleOnLan);
    locate(view, "settings.visible");
    drawDiscoveryInterfaces(state, view, draft);
    const bool stunValid = drawStunServers(view, draft, labelWidth);
    if (draft.port != tv.settings.port)
        textWrappedColored(colors.warning, "The new port is used the next time Duet starts.");

    ImGui::Separator();
    if (button(view, "settings.cancel", "Cancel", ImVec2(em * 7, 0))) keepOpen = false;
    ImGui::SameLine();
    if (button(view, "settings.save", "Save", ImVec2(em * 7, 0)) && stunValid) {
        draft.stunServers = joinStunServers(parseStunServerList(draft.stunServers).servers);
        for (Command& command : settingsCommands(tv.settings, draft))
            out.push_back(std::move(command));
        if (draft.lightTheme != (view.theme == Theme::Light)) {
            view.theme = draft.lightTheme ? Theme::Light : Theme::Dark;
            view.styleDirty = true;
        }
        tv.settingsToSave = draft;
        tv.settings = draft;
        keepOpen = false;
    }
    if (!keepOpen) {
        if (!tv.choosingDownloadDir) tv.settingsOpen = false;
        ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
}

} // namespace duet::ui
