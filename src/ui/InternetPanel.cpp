#include "duet/ui/InternetPanel.hpp"

#include "duet/ui/Theme.hpp"
#include "duet/ui/Widgets.hpp"
#include "imgui_stdlib.h"

namespace duet::ui {
namespace {

std::string stageLabel(const std::string& stage)
{
    if (stage == "mapping") return "Asking the router for a port mapping";
    if (stage == "stun") return "Finding the public address";
    if (stage == "punching") return "Punching through the NATs";
    if (stage == "connecting") return "Connecting";
    if (stage == "connected") return "Connected";
    if (stage == "failed") return "Failed";
    return stage;
}

void drawMyCode(const state::AppState& state, ViewState& view)
{
    const Palette& colors = palette(view.theme);
    text("1. Send your code to the other person (by message or phone):");
    if (state.natCode().empty()) {
        textColored(colors.muted, "Finding how this computer can be reached...");
    } else {
        std::string shown = state.natCode();
        const float copyWidth = ImGui::CalcTextSize("Copy").x + ImGui::GetStyle().FramePadding.x * 4;
        ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - copyWidth -
                                ImGui::GetStyle().ItemSpacing.x);
        if (view.fonts.mono != nullptr) ImGui::PushFont(view.fonts.mono);
        ImGui::InputText("##mycode", &shown, ImGuiInputTextFlags_ReadOnly);
        if (view.fonts.mono != nullptr) ImGui::PopFont();
        locate(view, "internet.mycode");
        ImGui::SameLine();
        if (button(view, "internet.copy", "Copy", ImVec2(copyWidth, 0))) {
            ImGui::SetClipboardText(state.natCode().c_str());
            view.internet.copied = true;
        }
        if (view.internet.copied) textColored(colors.success, "Copied to the clipboard.");
    }
    if (const auto& reach = state.reachability()) {
        std::string line =
            "Public address: " + (reach->publicAddress.empty() ? "unknown" : reach->publicAddress) +
            "   NAT: " + reach->natType;
        line += reach->mapped.empty()
                    ? "   Port mapping: none"
                    : "   Port mapping: " + reach->mapped + " (" + reach->mappingMethod + ")";
        textWrappedColored(colors.muted, line);
    }
}

void drawTheirCode(ViewState& view, Commands& out)
{
    text("2. Paste their code and connect:");
    const float connectWidth = ImGui::CalcTextSize("Connect").x + ImGui::GetStyle().FramePadding.x * 4;
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - connectWidth -
                            ImGui::GetStyle().ItemSpacing.x);
    const bool entered = ImGui::InputTextWithHint("##theircode", "their code", &view.internet.theirCode,
                                                  ImGuiInputTextFlags_EnterReturnsTrue);
    locate(view, "internet.theircode");
    ImGui::SameLine();
    const bool clicked = button(view, "internet.connect", "Connect", ImVec2(connectWidth, 0));
    const std::string code(trimWhitespace(view.internet.theirCode));
    if ((entered || clicked) && !code.empty()) out.push_back(command::ConnectNatCode{code});
}

void drawProgress(const state::AppState& state, ViewState& view)
{
    const auto& progress = state.natProgress();
    if (!progress) return;
    const Palette& colors = palette(view.theme);
    const ImVec4 color = progress->stage == "failed"      ? colors.danger
                         : progress->stage == "connected" ? colors.success
                                                          : colors.muted;
    textColored(color, stageLabel(progress->stage));
    if (!progress->detail.empty()) textWrappedColored(color, progress->detail);
}

void drawHostingNote(const state::AppState& state, ViewState& view)
{
    const Palette& colors = palette(view.theme);
    if (state.hosting()) {
        textWrappedColored(
            colors.success,
            view.internet.hostingTurnedOn
                ? "Hosting was turned on for this: the other side may be the one that connects."
                : "Hosting is on: the other side may be the one that connects.");
    } else {
        textWrappedColored(colors.warning,
                           "Hosting is off: only a connection this computer starts can work.");
    }
    locate(view, "internet.hosting");
}

} // namespace

void drawInternetButton(const state::AppState& state, ViewState& view, Commands& out)
{
    if (button(view, "internet.open", "Connect over the internet...")) {
        view.internet.open = true;
        view.internet.copied = false;
        // Exactly one side dials; the other must accept, and neither user should have to know which.
        if (!state.hosting()) {
            out.push_back(command::SetHosting{true});
            view.internet.hostingTurnedOn = true;
        }
        // Learning our endpoints takes a few seconds; start as soon as the window opens.
        out.push_back(command::ShowNatCode{});
    }
}

void drawInternetWindow(const state::AppState& state, ViewState& view, Commands& out)
{
    if (!view.internet.open) return;
    // Tall enough for the whole of a failure reason under both codes; sized in text lines so it scales.
    const float em = ImGui::GetFontSize();
    ImGui::SetNextWindowSize(ImVec2(35.f * em, 27.f * em), ImGuiCond_FirstUseEver);
    if (ImGui::Begin("Connect over the internet", &view.internet.open, ImGuiWindowFlags_NoCollapse)) {
        locateWindow(view, "internet.window");
        textWrapped("Both of you open this window, exchange codes, and press Connect within a few seconds of "
                    "each other. The code also proves who you reach: nobody else can answer in its place.");
        drawHostingNote(state, view);
        ImGui::Spacing();
        drawMyCode(state, view);
        ImGui::Separator();
        drawTheirCode(view, out);
        ImGui::Separator();
        drawProgress(state, view);
    }
    ImGui::End();
}

} // namespace duet::ui
