#include "duet/ui/StatusBar.hpp"

#include "duet/ui/Settings.hpp"
#include "duet/ui/Theme.hpp"
#include "duet/ui/Widgets.hpp"
#include "imgui.h"

#include <algorithm>
#include <cstdio>

namespace duet::ui {

void drawStatusBar(const state::AppState& state, ViewState& view)
{
    const Palette& colors = palette(view.theme);
    ImGui::Separator();
    ImGui::AlignTextToFramePadding();
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
        ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
        textColored(colors.muted, "Link:");
        ImGui::SameLine();
        text(link);
        locate(view, "status.link");
    }

    if (!state.ownFingerprint().empty()) {
        ImFont* mono = view.fonts.mono ? view.fonts.mono : ImGui::GetFont();
        ImGui::PushFont(mono);
        const float fingerprintWidth = ImGui::CalcTextSize(state.ownFingerprint().c_str()).x;
        ImGui::PopFont();
        const float labelWidth = ImGui::CalcTextSize("You: ").x;
        const float x = ImGui::GetWindowContentRegionMax().x - fingerprintWidth - labelWidth;
        ImGui::SameLine(std::max(x, ImGui::GetCursorPosX() + ImGui::GetFontSize()));
        textColored(colors.muted, "You:");
        ImGui::SameLine();
        ImGui::PushFont(mono);
        text(state.ownFingerprint());
        ImGui::PopFont();
        locate(view, "status.fingerprint");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("Your fingerprint. Click to copy.");
        if (ImGui::IsItemClicked()) ImGui::SetClipboardText(state.ownFingerprint().c_str());
    }
}

} // namespace duet::ui
