#include "duet/ui/StatusBar.hpp"

#include "duet/ui/Settings.hpp"
#include "duet/ui/Theme.hpp"
#include "duet/ui/TransfersPanel.hpp"
#include "duet/ui/Widgets.hpp"
#include "imgui.h"

#include <algorithm>
#include <cstdio>

namespace duet::ui {
namespace {

// "You: <fingerprint>" right-aligned after whatever the line already holds. When the window is too narrow
// for all of it, the fingerprint is shortened with an ellipsis (hover shows it, a click copies it whole),
// and it is left out rather than drawn over the link statistics.
void drawOwnFingerprint(const std::string& fingerprint, ViewState& view)
{
    const Palette& colors = palette(view.theme);
    const float em = ImGui::GetFontSize();
    // SameLine() has not run yet, so the cursor is on the next line: measure from the last item's end.
    const float lineEnd = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x;
    const float right = ImGui::GetWindowContentRegionMax().x;
    const float labelWidth = ImGui::CalcTextSize("You: ").x;
    const float room = right - lineEnd - em - labelWidth;
    ImFont* mono = view.fonts.mono ? view.fonts.mono : ImGui::GetFont();
    ImGui::PushFont(mono);
    std::string shown = fingerprint;
    float width = ImGui::CalcTextSize(shown.c_str()).x;
    const char* const ellipsis = "\xE2\x80\xA6"; // U+2026, in every font we load
    for (std::size_t keep = fingerprint.size(); width > room && keep > 0; --keep) {
        shown = fingerprint.substr(0, keep - 1) + ellipsis;
        width = ImGui::CalcTextSize(shown.c_str()).x;
    }
    ImGui::PopFont();
    if (width > room || (shown != fingerprint && shown.size() < 8)) return; // nothing readable fits
    ImGui::SameLine(right - width - labelWidth);
    textColored(colors.muted, "You:");
    ImGui::SameLine();
    ImGui::PushFont(mono);
    text(shown);
    ImGui::PopFont();
    locate(view, "status.fingerprint");
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Your fingerprint (click to copy):\n%s", fingerprint.c_str());
    if (ImGui::IsItemClicked()) ImGui::SetClipboardText(fingerprint.c_str());
}

} // namespace

std::string addressSummary(const std::vector<std::string>& addresses)
{
    if (addresses.empty()) return {};
    std::string shown = addresses.front();
    if (addresses.size() > 1) shown += " +" + std::to_string(addresses.size() - 1);
    return shown;
}

void drawStatusBar(const state::AppState& state, ViewState& view)
{
    const Palette& colors = palette(view.theme);
    ImGui::Separator();
    ImGui::AlignTextToFramePadding();
    if (const std::string shown = addressSummary(state.listeningAddresses()); !shown.empty()) {
        textColored(colors.muted, shown + ",");
        locate(view, "status.addresses");
        if (ImGui::IsItemHovered()) {
            std::string all = "Others on your network join at:";
            for (const std::string& address : state.listeningAddresses())
                all += "\n" + address + ":" + std::to_string(state.listeningPort());
            ImGui::SetTooltip("%s", all.c_str());
        }
        ImGui::SameLine();
    }
    if (state.listeningPort() == 0) {
        textColored(state.errorCount() > 0 ? colors.danger : colors.muted,
                    state.errorCount() > 0 ? "Not listening" : "Starting...");
    } else {
        char port[64];
        std::snprintf(port, sizeof port, "UDP %u, %s", static_cast<unsigned>(state.listeningPort()),
                      state.hosting() ? "hosting" : "not hosting");
        textColored(state.hosting() ? colors.success : colors.muted, port);
    }
    locate(view, "status.port");
    ImGui::SameLine();
    if (ImGui::SmallButton("Settings")) openSettings(view);
    locate(view, "status.settings");

    if (const state::Peer* peer = state.findPeer(view.selectedPeer); peer && peer->link) {
        char link[96];
        std::snprintf(link, sizeof link, "%u ms, %.1f %% loss", static_cast<unsigned>(peer->link->rttMs),
                      peer->link->lossRatio * 100.0);
        std::string shown = link;
        // Throughput only while something moves: idle links would show "0 B/s" twice.
        if (peer->link->bytesInPerSec != 0 || peer->link->bytesOutPerSec != 0)
            shown += ", in " + formatSpeed(peer->link->bytesInPerSec) + ", out " +
                     formatSpeed(peer->link->bytesOutPerSec);
        ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
        textColored(colors.muted, "Link:");
        ImGui::SameLine();
        text(shown);
        locate(view, "status.link");
    }

    if (!state.ownFingerprint().empty()) drawOwnFingerprint(state.ownFingerprint(), view);
}

} // namespace duet::ui
