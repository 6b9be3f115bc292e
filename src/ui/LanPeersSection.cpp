#include "duet/ui/LanPeersSection.hpp"

#include "duet/ui/Address.hpp"
#include "duet/ui/Theme.hpp"
#include "duet/ui/Widgets.hpp"
#include "imgui.h"

#include <algorithm>
#include <string>

namespace duet::ui {
namespace {

ImVec4 badgeColor(const Palette& colors, LanBadge badge)
{
    switch (badge) {
    case LanBadge::Verified:
        return colors.success;
    case LanBadge::Connecting:
    case LanBadge::KnownKeyUnproven:
        return colors.warning;
    case LanBadge::Unverified:
        break;
    }
    return colors.muted;
}

void connectTo(const state::LanPeer& peer, Commands& out)
{
    // Only the beacon's source address (with its claimed port) is ever dialled.
    if (peer.addresses.empty()) return;
    auto parsed = parseJoinAddress(peer.addresses.front());
    if (auto* connect = std::get_if<command::Connect>(&parsed)) out.push_back(std::move(*connect));
}

std::string joinedAddresses(const state::LanPeer& peer)
{
    std::string text;
    for (const std::string& address : peer.addresses) {
        if (!text.empty()) text += ", ";
        text += address;
    }
    return text;
}

} // namespace

LanBadge lanBadgeFor(const state::AppState& state, const state::LanPeer& peer)
{
    if (const state::Peer* proven = state.provenPeerFor(peer))
        return proven->phase == state::PeerPhase::Online ? LanBadge::Verified : LanBadge::Connecting;
    return peer.matchesPinnedPeer ? LanBadge::KnownKeyUnproven : LanBadge::Unverified;
}

std::string_view lanBadgeLabel(LanBadge badge)
{
    switch (badge) {
    case LanBadge::Verified:
        return "verified, online";
    case LanBadge::Connecting:
        return "connecting";
    case LanBadge::KnownKeyUnproven:
        return "known key (unproven)";
    case LanBadge::Unverified:
        break;
    }
    return "unverified";
}

void drawVisibleToggle(const state::AppState& state, ViewState& view, Commands& out)
{
    if (!state.discoveryAvailable()) {
        textColored(palette(view.theme).muted, "LAN discovery is off.");
        return;
    }
    bool visible = state.visibleOnLan();
    if (checkboxWrapped(view, "lan.visible", "Visible: announce this computer on the LAN", visible))
        out.push_back(command::SetVisible{visible});
}

void drawLanPeers(const state::AppState& state, ViewState& view, Commands& out)
{
    if (!state.discoveryAvailable()) return;
    const Palette& colors = palette(view.theme);
    text("On this network");
    if (state.lanPeers().empty()) {
        textWrappedColored(colors.muted, "Nobody found on the LAN yet.");
        ImGui::Separator();
        return;
    }
    const float line = ImGui::GetTextLineHeight();
    const float rowHeight = line * 2 + ImGui::GetStyle().ItemSpacing.y;
    const float listHeight =
        std::min(rowHeight * static_cast<float>(state.lanPeers().size()) + line, rowHeight * 4.5f);
    ImGui::BeginChild("lanpeers", ImVec2(0, listHeight));
    const float connectWidth = ImGui::CalcTextSize("Connect").x + ImGui::GetStyle().FramePadding.x * 2;
    for (std::size_t i = 0; i < state.lanPeers().size(); ++i) {
        const state::LanPeer& peer = state.lanPeers()[i];
        ImGui::PushID(peer.key.c_str());
        const ImVec2 origin = ImGui::GetCursorScreenPos();
        const float rowWidth = ImGui::GetContentRegionAvail().x;
        ImGui::Selectable("##lanpeer", false,
                          ImGuiSelectableFlags_AllowDoubleClick | ImGuiSelectableFlags_AllowItemOverlap,
                          ImVec2(rowWidth - connectWidth - ImGui::GetStyle().ItemSpacing.x, rowHeight));
        locate(view, "lan.peer." + std::to_string(i));
        if (ImGui::IsItemHovered() && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left))
            connectTo(peer, out);
        if (ImGui::IsItemHovered()) {
            ImGui::BeginTooltip();
            text("Fingerprint claimed by its beacon (proven only by connecting)");
            ImGui::PushFont(view.fonts.mono ? view.fonts.mono : ImGui::GetFont());
            text(peer.fingerprintHint);
            ImGui::PopFont();
            ImGui::EndTooltip();
        }
        const LanBadge badge = lanBadgeFor(state, peer);
        ImDrawList* draw = ImGui::GetWindowDrawList();
        const std::string title = peer.name.empty() ? std::string("(no name)") : peer.name;
        draw->AddText(ImVec2(origin.x, origin.y), ImGui::GetColorU32(ImGuiCol_Text), title.c_str());
        const std::string badgeText = "  " + std::string(lanBadgeLabel(badge));
        draw->AddText(ImVec2(origin.x + ImGui::CalcTextSize(title.c_str()).x, origin.y),
                      ImGui::GetColorU32(badgeColor(colors, badge)), badgeText.c_str());
        const std::string addresses = joinedAddresses(peer);
        draw->AddText(ImVec2(origin.x, origin.y + line), ImGui::GetColorU32(colors.muted), addresses.c_str());
        ImGui::SameLine();
        if (button(view, "lan.connect." + std::to_string(i), "Connect")) connectTo(peer, out);
        ImGui::PopID();
    }
    ImGui::EndChild();
    ImGui::Separator();
}

} // namespace duet::ui
