#include "duet/ui/Theme.hpp"

namespace duet::ui {

const Palette& palette(Theme theme)
{
    // Chosen for at least 4.5:1 contrast against each theme's window background.
    static const Palette kDark{
        .accent = ImVec4(0.45f, 0.72f, 1.00f, 1.f),
        .peerName = ImVec4(0.98f, 0.72f, 0.38f, 1.f),
        .success = ImVec4(0.40f, 0.85f, 0.50f, 1.f),
        .warning = ImVec4(1.00f, 0.80f, 0.30f, 1.f),
        .danger = ImVec4(1.00f, 0.42f, 0.40f, 1.f),
        .muted = ImVec4(0.62f, 0.64f, 0.68f, 1.f),
        .bannerBackground = ImVec4(0.45f, 0.10f, 0.10f, 1.f),
        .dangerBackground = ImVec4(0.28f, 0.04f, 0.04f, 1.f),
    };
    static const Palette kLight{
        .accent = ImVec4(0.05f, 0.35f, 0.75f, 1.f),
        .peerName = ImVec4(0.62f, 0.30f, 0.00f, 1.f),
        .success = ImVec4(0.05f, 0.48f, 0.15f, 1.f),
        .warning = ImVec4(0.58f, 0.40f, 0.00f, 1.f),
        .danger = ImVec4(0.75f, 0.05f, 0.05f, 1.f),
        .muted = ImVec4(0.38f, 0.40f, 0.44f, 1.f),
        .bannerBackground = ImVec4(1.00f, 0.86f, 0.86f, 1.f),
        .dangerBackground = ImVec4(1.00f, 0.93f, 0.93f, 1.f),
    };
    return theme == Theme::Dark ? kDark : kLight;
}

void applyTheme(Theme theme, float scale)
{
    ImGuiStyle style;
    if (theme == Theme::Dark) {
        ImGui::StyleColorsDark(&style);
        style.Colors[ImGuiCol_WindowBg] = ImVec4(0.11f, 0.12f, 0.14f, 1.f);
        style.Colors[ImGuiCol_ChildBg] = ImVec4(0.09f, 0.10f, 0.12f, 1.f);
        style.Colors[ImGuiCol_PopupBg] = ImVec4(0.13f, 0.14f, 0.17f, 1.f);
        style.Colors[ImGuiCol_Text] = ImVec4(0.92f, 0.93f, 0.95f, 1.f);
        style.Colors[ImGuiCol_TextDisabled] = ImVec4(0.55f, 0.57f, 0.60f, 1.f);
    } else {
        ImGui::StyleColorsLight(&style);
        style.Colors[ImGuiCol_WindowBg] = ImVec4(0.97f, 0.97f, 0.98f, 1.f);
        style.Colors[ImGuiCol_ChildBg] = ImVec4(1.f, 1.f, 1.f, 1.f);
        style.Colors[ImGuiCol_Text] = ImVec4(0.08f, 0.09f, 0.11f, 1.f);
        style.Colors[ImGuiCol_TextDisabled] = ImVec4(0.40f, 0.42f, 0.45f, 1.f);
        style.Colors[ImGuiCol_FrameBg] = ImVec4(0.90f, 0.91f, 0.93f, 1.f); // inputs stand out from white
        style.Colors[ImGuiCol_Border] = ImVec4(0.75f, 0.77f, 0.80f, 1.f);
    }
    // The modal's dimming must make the rest clearly inactive.
    style.Colors[ImGuiCol_ModalWindowDimBg] = ImVec4(0.f, 0.f, 0.f, theme == Theme::Dark ? 0.65f : 0.45f);
    style.WindowRounding = 6.f;
    style.ChildRounding = 4.f;
    style.FrameRounding = 4.f;
    style.PopupRounding = 6.f;
    style.GrabRounding = 4.f;
    style.FramePadding = ImVec2(8.f, 5.f);
    style.ItemSpacing = ImVec2(8.f, 6.f);
    style.WindowPadding = ImVec2(12.f, 10.f);
    style.ScrollbarSize = 14.f;
    style.WindowBorderSize = 0.f;
    style.PopupBorderSize = 1.f;
    style.ScaleAllSizes(scale);
    ImGui::GetStyle() = style;
}

} // namespace duet::ui
