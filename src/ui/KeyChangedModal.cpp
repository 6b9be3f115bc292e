#include "duet/ui/KeyChangedModal.hpp"

#include "duet/ui/Theme.hpp"
#include "duet/ui/Widgets.hpp"
#include "imgui.h"

#include <algorithm>

namespace duet::ui {

bool drawKeyChangedModal(const state::AppState& state, ViewState& view, Commands& out)
{
    if (state.keyChangeAlerts().empty()) return false;
    const state::KeyChangeAlert& alert = state.keyChangeAlerts().front();
    if (!ImGui::IsPopupOpen(kKeyChangedPopupName)) ImGui::OpenPopup(kKeyChangedPopupName);

    const Palette& colors = palette(view.theme);
    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    const float em = ImGui::GetFontSize();
    ImGui::SetNextWindowPos(viewport->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(std::min(viewport->WorkSize.x * 0.92f, em * 34), 0), ImGuiCond_Always);
    const ImVec4 red(0.75f, 0.08f, 0.08f, 1.f);
    ImGui::PushStyleColor(ImGuiCol_TitleBg, red);
    ImGui::PushStyleColor(ImGuiCol_TitleBgActive, red);
    ImGui::PushStyleColor(ImGuiCol_Border, red);
    ImGui::PushStyleColor(ImGuiCol_PopupBg, colors.dangerBackground);
    ImGui::PushStyleColor(ImGuiCol_ModalWindowDimBg, ImVec4(0.35f, 0.f, 0.f, 0.6f));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 3.f);
    const bool open = ImGui::BeginPopupModal(kKeyChangedPopupName, nullptr,
                                             ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                                 ImGuiWindowFlags_NoSavedSettings);
    ImGui::PopStyleVar();
    ImGui::PopStyleColor(5);
    if (!open) return true;
    locateWindow(view, "keychange.window");

    const std::string who = alert.name.empty() ? alert.address : alert.name;
    ImGui::PushFont(view.fonts.large ? view.fonts.large : ImGui::GetFont());
    textWrappedColored(colors.danger, "The identity of " + who + " has changed!");
    ImGui::PopFont();
    ImGui::Spacing();
    textWrapped("The computer at " + alert.address + " presented a different identity key than the one you " +
                "confirmed for " + who + " before. Someone could be eavesdropping on you right now (a " +
                "man-in-the-middle attack). It is also possible that " + who +
                " reinstalled Duet or lost their profile.");
    ImGui::Spacing();
    textWrapped("Duet refused the connection. Ask " + who +
                " through another channel (in person, by phone) whether their identity really changed.");
    ImGui::Spacing();
    textColored(colors.muted, "Fingerprint you confirmed before");
    ImGui::PushFont(view.fonts.mono ? view.fonts.mono : ImGui::GetFont());
    textWrapped(alert.pinnedFingerprint);
    ImGui::PopFont();
    textColored(colors.muted, "Fingerprint presented now");
    ImGui::PushFont(view.fonts.mono ? view.fonts.mono : ImGui::GetFont());
    textWrappedColored(colors.danger, alert.presentedFingerprint);
    ImGui::PopFont();
    ImGui::Separator();

    ImGui::PushStyleColor(ImGuiCol_Button, red);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImVec4(0.88f, 0.15f, 0.15f, 1.f));
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, ImVec4(0.60f, 0.05f, 0.05f, 1.f));
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.f, 1.f, 1.f, 1.f));
    if (button(view, "keychange.disconnect", "Disconnect", ImVec2(-1, ImGui::GetFrameHeight() * 1.4f))) {
        out.push_back(command::Disconnect{alert.peer});
        ImGui::CloseCurrentPopup();
    }
    ImGui::PopStyleColor(4);
    ImGui::EndPopup();
    return true;
}

} // namespace duet::ui
