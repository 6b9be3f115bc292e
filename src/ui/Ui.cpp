#include "duet/ui/Ui.hpp"

#include "duet/ui/ChatImages.hpp"
#include "duet/ui/ChatPanel.hpp"
#include "duet/ui/KeyChangedModal.hpp"
#include "duet/ui/LogPanel.hpp"
#include "duet/ui/PeersPanel.hpp"
#include "duet/ui/StatusBar.hpp"
#include "duet/ui/Theme.hpp"
#include "duet/ui/TransfersPanel.hpp"
#include "duet/ui/VerifyModal.hpp"
#include "duet/ui/Widgets.hpp"
#include "imgui.h"

#include <algorithm>

namespace duet::ui {
namespace {

// Keeps a sensible conversation selected: the newest live peer when nothing (valid) is selected, and a
// newly arrived peer when the current one has gone offline. An automatic redial of a known peer is not
// followed while it connects: it joins that peer's own row if it succeeds, and vanishes if not.
void followPeers(const state::AppState& state, ViewState& view)
{
    const auto& peers = state.peers();
    const state::Peer* selected = state.findPeer(view.selectedPeer);
    // The selected entry merged with a new connection of its identity: follow it to its current id.
    if (selected && selected->id != view.selectedPeer) view.selectedPeer = selected->id;
    const bool arrived = peers.size() > view.peersSeen;
    view.peersSeen = peers.size();
    if (peers.empty() || (selected && !(arrived && selected->phase == state::PeerPhase::Offline))) return;
    for (auto it = peers.rbegin(); it != peers.rend(); ++it) {
        if (it->phase != state::PeerPhase::Offline &&
            !(it->redial && it->phase == state::PeerPhase::Connecting)) {
            view.selectedPeer = it->id;
            return;
        }
    }
    if (!selected) view.selectedPeer = peers.back().id;
}

void drawWelcome(ViewState& view)
{
    const Palette& colors = palette(view.theme);
    const float em = ImGui::GetFontSize();
    ImGui::Dummy(ImVec2(0, em));
    ImGui::Indent(em);
    ImGui::PushFont(view.fonts.large ? view.fonts.large : ImGui::GetFont());
    textWrapped("Chat with another computer, privately.");
    ImGui::PopFont();
    ImGui::Spacing();
    const char* steps[] = {
        "1.",
        "On one computer, tick Host. Its port is shown at the bottom left of its window.",
        "2.",
        "On the other, type the first computer's IP address in Join (add :port when that port is not "
        "55555) and press Join.",
        "3.",
        "Both screens then show the same 6-digit code. Compare them (in person or by phone) and confirm.",
    };
    for (int i = 0; i < 3; ++i) {
        textColored(colors.accent, steps[i * 2]);
        ImGui::SameLine();
        textWrapped(steps[i * 2 + 1]);
        ImGui::Spacing();
    }
    ImGui::Spacing();
    textWrappedColored(colors.muted, "Everything between the two computers is encrypted. After the first "
                                     "confirmation the other side's identity is remembered; if it ever "
                                     "changes, Duet stops and warns you.");
    ImGui::Unindent(em);
}

} // namespace

Commands drawApp(const state::AppState& state, ViewState& view, std::int64_t nowMs)
{
    Commands out;
    followPeers(state, view);
    // Set again by the conversation when it is drawn: a hidden one must not keep the app drawing frames.
    view.history.measuring = false;
    view.history.copying = false;

    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(viewport->WorkPos);
    ImGui::SetNextWindowSize(viewport->WorkSize);
    ImGui::Begin("Duet###main", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoBringToFrontOnFocus);
    drawErrorBanner(state, view);

    const ImGuiStyle& style = ImGui::GetStyle();
    const float em = ImGui::GetFontSize();
    const float statusHeight = ImGui::GetFrameHeight() + style.ItemSpacing.y * 2 + 1;
    const float leftWidth = std::min(em * 20, ImGui::GetContentRegionAvail().x * 0.45f);
    const float columnHeight = ImGui::GetContentRegionAvail().y - statusHeight;
    const float logHeight = view.logOpen ? std::clamp(columnHeight * 0.25f, em * 4, em * 8) : 0.f;

    ImGui::BeginChild("left", ImVec2(leftWidth, -statusHeight), true);
    locateWindow(view, "left.panel");
    drawPeersPanel(state, view, logHeight + ImGui::GetFrameHeightWithSpacing() + style.ItemSpacing.y, nowMs,
                   out);
    drawLogPanel(state, view, logHeight);
    ImGui::EndChild();

    ImGui::SameLine();
    // The conversation on top, the transfers panel (when there is something to show) below it.
    const float transfersHeight = transfersPanelHeight(state, view, columnHeight);
    ImGui::BeginGroup();
    updateChatImages(state, view);
    ImGui::BeginChild("right",
                      ImVec2(0, transfersHeight > 0 ? columnHeight - transfersHeight : -statusHeight), true);
    if (const state::Peer* peer = state.findPeer(view.selectedPeer))
        drawChatPanel(*peer, view, nowMs, out);
    else
        drawWelcome(view);
    ImGui::EndChild();
    if (transfersHeight > 0) drawTransfersPanel(state, view, transfersHeight - style.ItemSpacing.y, out);
    ImGui::EndGroup();

    drawStatusBar(state, view);

    // One modal at a time; the key-change warning outranks everything.
    if (!drawKeyChangedModal(state, view, out)) drawVerifyModal(state, view, out);
    drawTransferOverlays(state, view, out);
    drawImagePreview(view);
    ImGui::End();
    return out;
}

} // namespace duet::ui
