#include "duet/ui/PeersPanel.hpp"

#include "duet/ui/Address.hpp"
#include "duet/ui/InternetPanel.hpp"
#include "duet/ui/LanPeersSection.hpp"
#include "duet/ui/Theme.hpp"
#include "duet/ui/TimeFormat.hpp"
#include "duet/ui/Widgets.hpp"
#include "imgui.h"
#include "imgui_stdlib.h"

#include <algorithm>
#include <string>

namespace duet::ui {
namespace {

constexpr std::size_t kMaxDisplayNameBytes = 64; // the wire format's limit

void drawTitleRow(ViewState& view)
{
    ImGui::PushFont(view.fonts.large ? view.fonts.large : ImGui::GetFont());
    text("Duet");
    ImGui::PopFont();
    const char* themeLabel = view.theme == Theme::Dark ? "Light theme" : "Dark theme";
    const float width = ImGui::CalcTextSize(themeLabel).x + ImGui::GetStyle().FramePadding.x * 2;
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - width);
    if (button(view, "theme.toggle", themeLabel)) {
        view.theme = view.theme == Theme::Dark ? Theme::Light : Theme::Dark;
        view.styleDirty = true;
    }
}

void drawNameField(const state::AppState& state, ViewState& view, Commands& out)
{
    if (!view.nameInputLoaded && !state.displayName().empty()) {
        view.nameInput = state.displayName();
        view.nameInputLoaded = true;
    }
    text("Your name");
    ImGui::SetNextItemWidth(-1);
    ImGui::InputTextWithHint("##name", "How others see you", &view.nameInput);
    locate(view, "name.input");
    if (ImGui::IsItemDeactivatedAfterEdit()) {
        const std::string name = truncateUtf8(trimWhitespace(view.nameInput), kMaxDisplayNameBytes);
        if (name.empty()) {
            view.nameInput = state.displayName(); // a name is required: keep the old one
        } else if (name != state.displayName()) {
            view.nameInput = name;
            out.push_back(command::SetDisplayName{name});
        }
    }
}

void drawHostSection(const state::AppState& state, ViewState& view, Commands& out)
{
    const Palette& colors = palette(view.theme);
    bool hosting = state.hosting();
    if (checkboxWrapped(view, "host.toggle", "Host: accept incoming connections", hosting))
        out.push_back(command::SetHosting{hosting});
    drawVisibleToggle(state, view, out);
    if (state.listeningPort() == 0 && state.errorCount() > 0) {
        textWrappedColored(colors.danger, "Not listening: see the error above and in the log.");
    } else if (state.listeningPort() == 0) {
        textColored(colors.muted, "Starting...");
    } else if (state.hosting()) {
        textWrappedColored(colors.success, "Listening on UDP port " + std::to_string(state.listeningPort()) +
                                               ". Others can join this computer's IP address on that port.");
    } else {
        textWrappedColored(colors.muted, "Host is off: incoming connections are refused (port " +
                                             std::to_string(state.listeningPort()) + ").");
    }
}

void drawJoinSection(ViewState& view, Commands& out)
{
    text("Join another computer");
    const float joinWidth = ImGui::CalcTextSize("Join").x + ImGui::GetStyle().FramePadding.x * 4;
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - joinWidth - ImGui::GetStyle().ItemSpacing.x);
    const bool entered = ImGui::InputTextWithHint("##join", "IP[:port], e.g. 192.168.1.20", &view.joinInput,
                                                  ImGuiInputTextFlags_EnterReturnsTrue);
    locate(view, "join.input");
    ImGui::SameLine();
    const bool clicked = button(view, "join.button", "Join", ImVec2(joinWidth, 0));
    if (entered || clicked) {
        auto parsed = parseJoinAddress(view.joinInput);
        if (auto* connect = std::get_if<command::Connect>(&parsed)) {
            view.joinError.clear();
            out.push_back(std::move(*connect));
        } else {
            view.joinError = std::get<AddressError>(parsed).message;
        }
    }
    if (!view.joinError.empty()) textWrappedColored(palette(view.theme).danger, view.joinError);
}

bool recentRow(const state::Peer& peer)
{
    return peer.phase == state::PeerPhase::Offline && peer.trust == Trust::Unverified &&
           !peer.fingerprint.empty();
}

// Right-click on a row: join an offline peer again at the address it was last reached at (always a new
// handshake: an unverified identity is shown the code again), or forget a recent unverified one.
void drawPeerMenu(const state::Peer& peer, ViewState& view, Commands& out)
{
    if (!ImGui::BeginPopupContextItem("peer.menu")) return;
    const bool offline = peer.phase == state::PeerPhase::Offline;
    if (ImGui::MenuItem("Connect again", nullptr, false, offline && !peer.address.empty())) {
        auto parsed = parseJoinAddress(peer.address);
        if (auto* connect = std::get_if<command::Connect>(&parsed)) {
            view.selectedPeer = peer.id;
            out.push_back(std::move(*connect));
        } else {
            view.joinError = std::get<AddressError>(parsed).message;
        }
    }
    locate(view, "peer.menu.connect");
    if (recentRow(peer)) {
        if (ImGui::MenuItem("Forget")) view.forgetPeers.push_back(peer.fingerprint);
        locate(view, "peer.menu.forget");
    }
    ImGui::EndPopup();
}

void drawPeerTooltip(const state::Peer& peer, ViewState& view, std::int64_t nowMs)
{
    ImGui::BeginTooltip();
    text("Fingerprint");
    ImGui::PushFont(view.fonts.mono ? view.fonts.mono : ImGui::GetFont());
    text(peer.fingerprint);
    ImGui::PopFont();
    if (peer.recent && peer.lastSeenMs > 0) {
        char day[64];
        char clock[16];
        formatDay(peer.lastSeenMs, nowMs, day, sizeof day);
        formatClock(peer.lastSeenMs, clock, sizeof clock);
        text(std::string("Last seen ") + day + ", " + clock);
    }
    ImGui::EndTooltip();
}

void drawPeerList(const state::AppState& state, ViewState& view, float reserveBottom, std::int64_t nowMs,
                  Commands& out)
{
    const Palette& colors = palette(view.theme);
    text("Conversations");
    // Never squeezed to nothing on a short window: the column scrolls instead.
    const float minimum = ImGui::GetTextLineHeight() * 4.5f;
    ImGui::BeginChild("peers",
                      ImVec2(0, std::max(minimum, ImGui::GetContentRegionAvail().y - reserveBottom)));
    if (state.peers().empty())
        textWrappedColored(colors.muted, "Nobody yet. Host, or join someone who hosts.");
    const float rowHeight = ImGui::GetTextLineHeight() * 2 + ImGui::GetStyle().ItemSpacing.y;
    // An automatic redial shows on the known peer's own row ("reconnecting") rather than as a row of its
    // own, until it proves who answers (then it merges into that row) or fails (then it goes).
    const auto redialing = [&](const state::Peer& known) {
        return std::any_of(state.peers().begin(), state.peers().end(), [&](const state::Peer& other) {
            return other.redial && other.phase == state::PeerPhase::Connecting &&
                   other.address == known.address;
        });
    };
    for (const state::Peer& peer : state.peers()) {
        if (peer.redial && peer.phase == state::PeerPhase::Connecting) continue;
        ImGui::PushID(static_cast<int>(peer.id.value));
        const ImVec2 origin = ImGui::GetCursorScreenPos();
        if (ImGui::Selectable("##peer", view.selectedPeer == peer.id, ImGuiSelectableFlags_None,
                              ImVec2(0, rowHeight)))
            view.selectedPeer = peer.id;
        if (view.locator) locate(view, "peer." + std::to_string(peer.id.value));
        // Read before the menu, whose items become the last item while it is open.
        const bool hovered = ImGui::IsItemHovered();
        drawPeerMenu(peer, view, out);
        if (hovered && !peer.fingerprint.empty()) drawPeerTooltip(peer, view, nowMs);
        ImDrawList* draw = ImGui::GetWindowDrawList();
        const float line = ImGui::GetTextLineHeight();
        const float radius = line * 0.25f;
        draw->AddCircleFilled(ImVec2(origin.x + radius + 2, origin.y + line * 0.5f), radius,
                              ImGui::GetColorU32(phaseColor(view.theme, peer)));
        const std::string_view name =
            peer.name.empty() ? std::string_view(peer.address) : std::string_view(peer.name);
        const float textX = origin.x + radius * 2 + line * 0.5f;
        draw->AddText(ImVec2(textX, origin.y), ImGui::GetColorU32(ImGuiCol_Text), name.data(),
                      name.data() + name.size());
        if (peer.unread > 0) {
            const std::string badge = std::to_string(peer.unread) + " new";
            const float badgeWidth = ImGui::CalcTextSize(badge.c_str()).x;
            draw->AddText(ImVec2(origin.x + ImGui::GetContentRegionAvail().x - badgeWidth, origin.y),
                          ImGui::GetColorU32(colors.accent), badge.c_str());
        }
        const bool reconnecting = peer.phase == state::PeerPhase::Offline && redialing(peer);
        draw->AddText(ImVec2(textX, origin.y + line), ImGui::GetColorU32(phaseColor(view.theme, peer)),
                      reconnecting ? "offline, reconnecting..." : phaseLabel(peer));
        if (!peer.fingerprint.empty()) {
            const bool verified = peer.trust == Trust::Verified;
            const char* badge = verified ? "verified" : "unverified";
            const float badgeX = origin.x + ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize(badge).x;
            draw->AddText(ImVec2(badgeX, origin.y + line),
                          ImGui::GetColorU32(verified ? colors.success : colors.warning), badge);
            if (view.locator)
                view.locator->record(std::string("peer.") + badge + "." + std::to_string(peer.id.value),
                                     ScreenRect{badgeX, origin.y + line,
                                                origin.x + ImGui::GetContentRegionAvail().x,
                                                origin.y + line * 2});
        }
        ImGui::PopID();
    }
    ImGui::EndChild();
}

} // namespace

void drawPeersPanel(const state::AppState& state, ViewState& view, float reserveBottom, std::int64_t nowMs,
                    Commands& out)
{
    drawTitleRow(view);
    ImGui::Spacing();
    drawNameField(state, view, out);
    ImGui::Separator();
    drawHostSection(state, view, out);
    ImGui::Separator();
    drawJoinSection(view, out);
    drawInternetButton(state, view, out);
    drawInternetWindow(state, view, out);
    ImGui::Separator();
    drawLanPeers(state, view, out);
    drawPeerList(state, view, reserveBottom, nowMs, out);
}

} // namespace duet::ui
