#include "duet/ui/ChatPanel.hpp"

#include "duet/ui/ChatFind.hpp"
#include "duet/ui/ChatHistory.hpp"
#include "duet/ui/ChatImages.hpp"
#include "duet/ui/ChatInput.hpp"
#include "duet/ui/Theme.hpp"
#include "duet/ui/Widgets.hpp"
#include "imgui.h"

namespace duet::ui {
namespace {

constexpr std::uint32_t kHistoryPage = 50;

std::uint64_t nextMessageId(ViewState& view)
{
    std::uint64_t id = 0;
    while (id == 0)
        id = view.messageIds();
    return id;
}

void drawHeader(const state::Peer& peer, ViewState& view, std::int64_t nowMs, Commands& out)
{
    const Palette& colors = palette(view.theme);
    const float disconnectWidth = ImGui::CalcTextSize("Disconnect").x + ImGui::GetStyle().FramePadding.x * 2;
    const float historyWidth = ImGui::CalcTextSize("History").x + ImGui::GetStyle().FramePadding.x * 2 +
                               ImGui::GetStyle().ItemSpacing.x;
    const bool online = peer.phase != state::PeerPhase::Offline;
    const float buttonsStart =
        ImGui::GetWindowContentRegionMax().x - historyWidth - (online ? disconnectWidth : 0.f);
    ImGui::AlignTextToFramePadding();
    textColored(colors.peerName,
                peer.name.empty() ? std::string_view(peer.address) : std::string_view(peer.name));
    // In a narrow window the state matters more than the address; what does not fit moves to a tooltip.
    bool shortened = false;
    const auto textIfItFits = [&](const ImVec4& color, std::string_view text) {
        if (shortened) return;
        ImGui::SameLine();
        const float textEnd =
            ImGui::GetCursorPosX() + ImGui::CalcTextSize(text.data(), text.data() + text.size()).x;
        if (textEnd + ImGui::GetStyle().ItemSpacing.x > buttonsStart) {
            shortened = true;
            return;
        }
        textColored(color, text);
    };
    textIfItFits(phaseColor(view.theme, peer), phaseLabel(peer));
    textIfItFits(colors.muted, peer.address);
    if (shortened && ImGui::IsItemHovered())
        ImGui::SetTooltip("%s, %s", peer.address.c_str(), phaseLabel(peer));
    ImGui::SameLine(buttonsStart);
    drawHistoryMenu(peer, view, nowMs, out);
    if (online) {
        ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - disconnectWidth);
        if (button(view, "chat.disconnect", "Disconnect")) out.push_back(command::Disconnect{peer.id});
    }
    ImGui::Separator();
}

std::string footerNotice(const state::Peer& peer)
{
    switch (peer.phase) {
    case state::PeerPhase::Connecting:
        return "Securing the connection...";
    case state::PeerPhase::Verifying:
        if (peer.needsVerification()) return "Compare the verification code to start chatting.";
        return "Waiting for " + (peer.name.empty() ? std::string("the other side") : peer.name) +
               " to confirm the code...";
    case state::PeerPhase::Offline:
        if (peer.remembered && peer.trust == Trust::Unverified)
            return "Offline, not verified. Right-click it in the list for Connect again: you will compare "
                   "the "
                   "verification code before chatting.";
        if (peer.remembered)
            return "Offline. Duet reconnects by itself when " +
                   (peer.name.empty() ? std::string("this peer") : peer.name) +
                   " is reachable; messages they queued arrive then.";
        return peer.disconnectReason.empty()
                   ? "Disconnected. Join again to continue."
                   : "Disconnected: " + peer.disconnectReason + ". Join again to continue.";
    case state::PeerPhase::Online:
        break;
    }
    return {};
}

} // namespace

void drawChatPanel(const state::Peer& peer, ViewState& view, std::int64_t nowMs, Commands& out)
{
    drawHeader(peer, view, nowMs, out);
    drawChatFind(peer, view);
    // The conversation opens on the newest page of its stored history; scrolling to the top loads more.
    if (!peer.historyRequested && !peer.fingerprint.empty())
        out.push_back(command::LoadHistory{peer.id, peer.fingerprint, kHistoryPage, command::kNewestRow});

    const ImGuiStyle& style = ImGui::GetStyle();
    const float lineHeight = ImGui::GetTextLineHeight();
    const bool online = peer.phase == state::PeerPhase::Online;
    const float inputHeight = lineHeight * 3 + style.FramePadding.y * 2;
    const float footerHeight = online ? inputHeight + style.ItemSpacing.y * 2 + lineHeight
                                      : ImGui::GetFrameHeightWithSpacing() + style.ItemSpacing.y;
    drawChatHistory(peer, view, nowMs, -footerHeight);
    if (view.history.wantOlder && view.history.layout.peer == peer.id && peer.oldestRow > 0)
        out.push_back(command::LoadHistory{peer.id, peer.fingerprint, kHistoryPage, peer.oldestRow});

    if (!online) {
        ImGui::Spacing();
        textWrappedColored(phaseColor(view.theme, peer), footerNotice(peer));
        return;
    }

    const float sendWidth = ImGui::CalcTextSize("Send").x + style.FramePadding.x * 4;
    std::string& draft = view.drafts[peer.id];
    const std::size_t draftSizeBefore = draft.size();
    std::string text;
    bool send =
        chatInput("##chat-input", draft, text,
                  ImVec2(ImGui::GetContentRegionAvail().x - sendWidth - style.ItemSpacing.x, inputHeight));
    locate(view, "chat.input");
    // Every edit says "typing" (the engine sends at most one notice per 3 s); emptying the box says stop.
    if (draft.size() != draftSizeBefore && !send)
        out.push_back(command::SetTyping{peer.id, peer.fingerprint, !draft.empty()});
    ImGui::SameLine();
    if (button(view, "chat.send", "Send", ImVec2(sendWidth, inputHeight))) {
        const std::string_view trimmed = trimWhitespace(draft);
        if (!trimmed.empty()) {
            text = std::string(trimmed);
            draft.clear();
            send = true;
        }
    }
    if (peer.typing) {
        textColored(palette(view.theme).accent,
                    (peer.name.empty() ? std::string("The other side") : peer.name) + " is typing...");
        locate(view, "chat.typing");
    } else {
        textColored(palette(view.theme).muted, "Enter sends, Shift+Enter adds a line");
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip(
                "Drag over a message to select part of it (double-click: a word); Ctrl+C copies "
                "the selection, or the whole message after a click. Click a link to open it in "
                "your browser; right-click a message for more.");
    }
    if (send) {
        out.push_back(command::SendChat{peer.id, nextMessageId(view), std::move(text), peer.fingerprint});
        view.history.scrollToBottom = true;
    }
}

} // namespace duet::ui
