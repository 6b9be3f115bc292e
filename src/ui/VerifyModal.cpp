#include "duet/ui/VerifyModal.hpp"

#include "duet/ui/Theme.hpp"
#include "duet/ui/Widgets.hpp"
#include "imgui.h"

#include <algorithm>

namespace duet::ui {

void drawVerifyModal(const state::AppState& state, ViewState& view, Commands& out)
{
    const state::Peer* peer = state.peerNeedingVerification();
    if (!peer) return;
    if (!ImGui::IsPopupOpen(kVerifyPopupName)) ImGui::OpenPopup(kVerifyPopupName);

    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    const float em = ImGui::GetFontSize();
    ImGui::SetNextWindowPos(viewport->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(std::min(viewport->WorkSize.x * 0.9f, em * 30), 0), ImGuiCond_Always);
    if (!ImGui::BeginPopupModal(kVerifyPopupName, nullptr,
                                ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                    ImGuiWindowFlags_NoSavedSettings))
        return;
    locateWindow(view, "verify.window");
    const Palette& colors = palette(view.theme);
    const std::string_view name =
        peer->name.empty() ? std::string_view("This computer") : std::string_view(peer->name);

    textColored(colors.peerName, name);
    ImGui::SameLine();
    text(peer->outgoing ? "answered your call from" : "wants to connect from");
    ImGui::SameLine();
    text(peer->address);
    ImGui::Spacing();
    textWrapped(
        "Check that the other screen shows exactly this code. Compare it in person or over the phone, "
        "not through this chat.");
    ImGui::Spacing();

    ImGui::PushFont(view.fonts.large ? view.fonts.large : ImGui::GetFont());
    const std::string code = formatVerificationCode(peer->code);
    const float codeWidth = ImGui::CalcTextSize(code.c_str()).x;
    ImGui::SetCursorPosX(
        (ImGui::GetWindowContentRegionMax().x + ImGui::GetWindowContentRegionMin().x - codeWidth) * 0.5f);
    textColored(colors.accent, code);
    locate(view, "verify.code");
    ImGui::PopFont();
    ImGui::Spacing();

    textColored(colors.muted, "Their fingerprint");
    ImGui::PushFont(view.fonts.mono ? view.fonts.mono : ImGui::GetFont());
    textWrapped(peer->fingerprint);
    ImGui::PopFont();
    ImGui::Spacing();
    textWrappedColored(colors.warning,
                       "If the codes differ, someone may be intercepting the connection: reject it.");
    ImGui::Separator();

    const ImGuiStyle& style = ImGui::GetStyle();
    const float buttonWidth = (ImGui::GetContentRegionAvail().x - style.ItemSpacing.x) * 0.5f;
    const float buttonHeight = ImGui::GetFrameHeight() * 1.4f;
    if (button(view, "verify.confirm", "The codes match: Confirm", ImVec2(buttonWidth, buttonHeight))) {
        out.push_back(command::ConfirmPeer{peer->id});
        ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (button(view, "verify.reject", "Reject", ImVec2(buttonWidth, buttonHeight))) {
        out.push_back(command::RejectPeer{peer->id});
        ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
}

} // namespace duet::ui
