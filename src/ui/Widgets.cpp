#include "duet/ui/Widgets.hpp"

#include "duet/ui/Theme.hpp"

namespace duet::ui {

void locate(const ViewState& view, std::string_view key)
{
    if (!view.locator) return;
    const ImVec2 min = ImGui::GetItemRectMin();
    const ImVec2 max = ImGui::GetItemRectMax();
    view.locator->record(key, ScreenRect{min.x, min.y, max.x, max.y});
}

void locateWindow(const ViewState& view, std::string_view key)
{
    if (!view.locator) return;
    const ImVec2 pos = ImGui::GetWindowPos();
    const ImVec2 size = ImGui::GetWindowSize();
    view.locator->record(key, ScreenRect{pos.x, pos.y, pos.x + size.x, pos.y + size.y});
}

bool button(const ViewState& view, std::string_view key, const char* label, ImVec2 size)
{
    const bool pressed = ImGui::Button(label, size);
    locate(view, key);
    return pressed;
}

bool smallButton(const ViewState& view, std::string_view key, const char* label)
{
    const bool pressed = ImGui::SmallButton(label);
    locate(view, key);
    return pressed;
}

bool checkboxWrapped(const ViewState& view, std::string_view key, const char* label, bool& value)
{
    ImGui::PushID(label);
    bool changed = ImGui::Checkbox("##box", &value);
    locate(view, key);
    ImGui::SameLine(0, ImGui::GetStyle().ItemInnerSpacing.x);
    // The label wraps under itself (a long one in a narrow column stays readable) and toggles too. SameLine
    // keeps the box's text baseline, so the first line sits where Checkbox would put its label.
    ImGui::PushTextWrapPos(0.f);
    ImGui::TextUnformatted(label);
    ImGui::PopTextWrapPos();
    if (view.locator) locate(view, std::string(key) + ".label");
    if (ImGui::IsItemClicked()) {
        value = !value;
        changed = true;
    }
    ImGui::PopID();
    return changed;
}

void text(std::string_view value)
{
    ImGui::TextUnformatted(value.data(), value.data() + value.size());
}

void textColored(const ImVec4& color, std::string_view value)
{
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    text(value);
    ImGui::PopStyleColor();
}

void textWrapped(std::string_view value, float wrapWidth)
{
    ImGui::PushTextWrapPos(wrapWidth > 0.f ? ImGui::GetCursorPosX() + wrapWidth : 0.f);
    text(value);
    ImGui::PopTextWrapPos();
}

void textWrappedColored(const ImVec4& color, std::string_view value)
{
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    textWrapped(value);
    ImGui::PopStyleColor();
}

std::string formatVerificationCode(std::string_view code)
{
    if (code.size() == 6 && code.find_first_not_of("0123456789") == std::string_view::npos)
        return std::string(code.substr(0, 3)) + " " + std::string(code.substr(3));
    return std::string(code);
}

const char* phaseLabel(const state::Peer& peer)
{
    switch (peer.phase) {
    case state::PeerPhase::Connecting:
        return "securing connection...";
    case state::PeerPhase::Verifying:
        if (peer.trust == Trust::Unverified && !peer.confirmedLocally) return "compare the code";
        return "waiting for the other side to confirm";
    case state::PeerPhase::Online:
        return "online, verified";
    case state::PeerPhase::Offline:
        return "offline";
    }
    return "";
}

ImVec4 phaseColor(Theme theme, const state::Peer& peer)
{
    const Palette& colors = palette(theme);
    switch (peer.phase) {
    case state::PeerPhase::Online:
        return colors.success;
    case state::PeerPhase::Offline:
        return colors.muted;
    default:
        return colors.warning;
    }
}

std::string_view trimWhitespace(std::string_view text)
{
    constexpr std::string_view kSpace = " \t\r\n";
    const auto first = text.find_first_not_of(kSpace);
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(kSpace);
    return text.substr(first, last - first + 1);
}

} // namespace duet::ui
