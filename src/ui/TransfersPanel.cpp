#include "duet/ui/TransfersPanel.hpp"

#include "duet/ui/FileBrowser.hpp"
#include "duet/ui/OfferPrompt.hpp"
#include "duet/ui/Settings.hpp"
#include "duet/ui/Theme.hpp"
#include "duet/ui/Widgets.hpp"
#include "imgui.h"

#include <algorithm>
#include <cstdio>

namespace duet::ui {
namespace {

// ImGui 1.86 names only a few keys; the GLFW backend indexes KeysDown by GLFW key codes, which equal
// ASCII for letters (GLFW_KEY_O == 'O').
constexpr int kKeyO = 'O';

std::string rowTitle(const state::TransferRow& row)
{
    std::size_t files = 0;
    const state::TransferFile* first = nullptr;
    for (const state::TransferFile& file : row.files) {
        if (file.directory) continue;
        ++files;
        if (!first) first = &file;
    }
    if (files == 0) return row.files.empty() ? std::string("(offer)") : row.files.front().path + "/";
    if (files == 1) return first->path;
    return first->path + " and " + std::to_string(files - 1) + " more";
}

// The folder to open for "show in folder": where the first finished file of a received offer landed.
std::string localFolder(const state::TransferRow& row)
{
    for (const state::TransferFile& file : row.files)
        if (file.status == state::FileStatus::Done && !file.localPath.empty())
            return parentPath(file.localPath);
    return {};
}

float fraction(std::uint64_t done, std::uint64_t total)
{
    if (total == 0) return done == 0 ? 0.f : 1.f;
    return static_cast<float>(static_cast<double>(std::min(done, total)) / static_cast<double>(total));
}

ImVec4 stateColor(const Palette& colors, TransferState state)
{
    switch (state) {
    case TransferState::Done:
        return colors.success;
    case TransferState::Failed:
    case TransferState::Rejected:
    case TransferState::Cancelled:
        return colors.danger;
    case TransferState::Paused:
    case TransferState::Waiting:
    case TransferState::Offered:
        return colors.warning;
    default:
        return colors.accent;
    }
}

void drawActions(const state::TransferRow& row, ViewState& view, Commands& out)
{
    const std::string key = "transfer." + std::to_string(row.offer.value) + ".";
    if (!row.finished() && row.state != TransferState::Offered) {
        if (row.state == TransferState::Paused) {
            if (button(view, key + "resume", "Resume"))
                out.push_back(command::ControlTransfer{row.peer, row.offer, 0, TransferAction::Resume});
        } else if (button(view, key + "pause", "Pause")) {
            out.push_back(command::ControlTransfer{row.peer, row.offer, 0, TransferAction::Pause});
        }
        ImGui::SameLine();
    }
    if (!row.finished() && !row.awaitingDecision()) {
        if (button(view, key + "cancel", "Cancel"))
            out.push_back(command::ControlTransfer{row.peer, row.offer, 0, TransferAction::Cancel});
        ImGui::SameLine();
    }
    if (const std::string folder = localFolder(row); !folder.empty()) {
        if (button(view, key + "folder", "Show in folder"))
            view.transfers.openFolderRequests.push_back(folder);
    }
}

// Two lines per row (name, peer and state; then progress and actions), the same height for every row so
// the clipper can skip what is off screen. Works in a narrow panel, unlike seven table columns.
void drawRow(const state::AppState& state, const state::TransferRow& row, ViewState& view, Commands& out)
{
    const Palette& colors = palette(view.theme);
    ImGui::PushID(static_cast<int>(row.offer.value & 0x7fffffff));
    const state::Peer* peer = state.findPeer(row.peer);
    const std::string who = peer && !peer->name.empty() ? peer->name : std::string("peer");
    const bool open = view.transfers.details == row.offer;
    const float right = ImGui::GetContentRegionMax().x;

    std::string status = state::transferStateLabel(row.state);
    if (row.state == TransferState::Active)
        status = formatSpeed(row.bytesPerSec) + "  " + formatEta(row.etaSeconds()) + "  " + status;
    const float statusWidth = ImGui::CalcTextSize(status.c_str()).x;
    const std::string title = (row.outgoing ? "To " : "From ") + who + ": " + rowTitle(row);
    ImGui::PushClipRect(ImGui::GetCursorScreenPos(),
                        ImVec2(ImGui::GetWindowPos().x + right - statusWidth - ImGui::GetFontSize(),
                               ImGui::GetCursorScreenPos().y + ImGui::GetTextLineHeightWithSpacing()),
                        true);
    if (ImGui::Selectable(title.c_str(), open, ImGuiSelectableFlags_AllowItemOverlap))
        view.transfers.details = open ? TransferId{} : row.offer;
    ImGui::PopClipRect();
    locate(view, "transfer." + std::to_string(row.offer.value) + ".row");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", title.c_str());
    ImGui::SameLine(right - statusWidth);
    textColored(stateColor(colors, row.state), status);
    if (!row.reason.empty() && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", row.reason.c_str());

    // Second line: the bar takes what the buttons leave.
    const ImGuiStyle& style = ImGui::GetStyle();
    float buttons = 0;
    const auto width = [&](const char* label) {
        return ImGui::CalcTextSize(label).x + style.FramePadding.x * 2 + style.ItemSpacing.x;
    };
    const bool controllable = !row.finished() && row.state != TransferState::Offered;
    if (controllable) buttons += width(row.state == TransferState::Paused ? "Resume" : "Pause");
    if (!row.finished() && !row.awaitingDecision()) buttons += width("Cancel");
    const std::string folder = localFolder(row);
    if (!folder.empty()) buttons += width("Show in folder");
    char overlay[64];
    std::snprintf(overlay, sizeof overlay, "%s / %s", formatSize(row.bytesDone).c_str(),
                  formatSize(row.totalBytes).c_str());
    ImGui::ProgressBar(
        fraction(row.bytesDone, row.totalBytes),
        ImVec2(std::max(ImGui::GetFontSize() * 4, ImGui::GetContentRegionAvail().x - buttons), 0), overlay);
    ImGui::SameLine();
    drawActions(row, view, out);
    ImGui::PopID();
}

// Per-file controls: pause, resume and cancel while a file is still to move; "show in folder" once it is
// on this computer.
void drawFileActions(const state::TransferRow& row, const state::TransferFile& file, ViewState& view,
                     Commands& out)
{
    const std::string key =
        "transfer." + std::to_string(row.offer.value) + ".file." + std::to_string(file.id) + ".";
    const bool running = !row.finished() && row.state != TransferState::Offered;
    if (running && file.status == state::FileStatus::Pending) {
        ImGui::SameLine();
        if (file.paused) {
            if (smallButton(view, key + "resume", "Resume"))
                out.push_back(command::ControlTransfer{row.peer, row.offer, file.id, TransferAction::Resume});
        } else if (smallButton(view, key + "pause", "Pause")) {
            out.push_back(command::ControlTransfer{row.peer, row.offer, file.id, TransferAction::Pause});
        }
        ImGui::SameLine();
        if (smallButton(view, key + "cancel", "Cancel"))
            out.push_back(command::ControlTransfer{row.peer, row.offer, file.id, TransferAction::Cancel});
    }
    if (file.status == state::FileStatus::Done && !file.localPath.empty()) {
        ImGui::SameLine();
        if (smallButton(view, key + "folder", "Show in folder"))
            view.transfers.openFolderRequests.push_back(parentPath(file.localPath));
    }
}

void drawDetails(const state::TransferRow& row, ViewState& view, float height, Commands& out)
{
    const Palette& colors = palette(view.theme);
    ImGui::BeginChild("transfer.details", ImVec2(0, height), true);
    locateWindow(view, "transfer.details");
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(row.files.size()));
    while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const state::TransferFile& file = row.files[static_cast<std::size_t>(i)];
            ImGui::PushID(i);
            const float em = ImGui::GetFontSize();
            if (file.directory) {
                textColored(colors.muted, file.path + "/");
                ImGui::PopID();
                continue;
            }
            ImGui::ProgressBar(fraction(file.bytesDone, file.size), ImVec2(em * 8, 0),
                               file.status == state::FileStatus::Done ? "done"
                               : file.paused                          ? "paused"
                                                                      : "");
            ImGui::SameLine();
            text(file.path);
            ImGui::SameLine();
            textColored(colors.muted, formatSize(file.size));
            if (file.status == state::FileStatus::Failed) {
                ImGui::SameLine();
                textColored(colors.danger, file.error);
            } else if (file.status == state::FileStatus::Skipped) {
                ImGui::SameLine();
                textColored(colors.muted, "skipped");
            }
            drawFileActions(row, file, view, out);
            ImGui::PopID();
        }
    }
    ImGui::EndChild();
}

const state::Peer* onlinePeer(const state::AppState& state, const ViewState& view)
{
    const state::Peer* peer = state.findPeer(view.selectedPeer);
    return peer && peer->phase == state::PeerPhase::Online ? peer : nullptr;
}

} // namespace

std::string formatSpeed(std::uint64_t bytesPerSec)
{
    return formatSize(bytesPerSec) + "/s";
}

std::string formatEta(double seconds)
{
    if (seconds < 0) return "\xE2\x80\x94"; // em dash: unknown
    const auto total = static_cast<long long>(seconds + 0.5);
    char text[32];
    if (total >= 3600)
        std::snprintf(text, sizeof text, "%lldh %02lldm", total / 3600, (total / 60) % 60);
    else if (total >= 60)
        std::snprintf(text, sizeof text, "%lldm %02llds", total / 60, total % 60);
    else
        std::snprintf(text, sizeof text, "%llds", total);
    return text;
}

float transfersPanelHeight(const state::AppState& state, const ViewState& view, float available)
{
    const float em = ImGui::GetFontSize();
    const std::vector<state::TransferRow>& rows = state.transfers().rows();
    const bool online = onlinePeer(state, view) != nullptr;
    if (rows.empty())
        return online ? ImGui::GetFrameHeightWithSpacing() + ImGui::GetStyle().WindowPadding.y * 2 + 2 : 0.f;
    return std::clamp(available * 0.4f, em * 9, em * 22);
}

void drawTransfersPanel(const state::AppState& state, ViewState& view, float height, Commands& out)
{
    ImGui::BeginChild("transfers", ImVec2(0, height), true);
    locateWindow(view, "transfers.panel");
    const Palette& colors = palette(view.theme);
    const std::vector<state::TransferRow>& rows = state.transfers().rows();

    const bool online = onlinePeer(state, view) != nullptr;
    ImGui::BeginDisabled(!online);
    if (button(view, "transfers.send", "Send files... (Ctrl+O)")) startSendFiles(state, view);
    ImGui::EndDisabled();
    ImGui::SameLine();
    textColored(colors.muted, rows.empty() ? std::string("or drop files on this window")
                                           : "Transfers (" + std::to_string(rows.size()) + ")");
    // Done, failed, rejected and cancelled rows leave the list (and the engine's resume records).
    const bool anyFinished =
        std::any_of(rows.begin(), rows.end(), [](const state::TransferRow& row) { return row.finished(); });
    if (anyFinished) {
        ImGui::SameLine();
        if (smallButton(view, "transfers.clear", "Clear finished"))
            out.push_back(command::ForgetTransfers{PeerId{}, TransferId{}});
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("Removes finished, failed and cancelled transfers from this list.\n"
                              "Received files stay where they are.");
    }

    for (const state::TransferRow& row : rows)
        if (row.awaitingDecision()) drawOfferPrompt(state, row, view, out);

    const state::TransferRow* details = state.transfers().find(view.transfers.details);
    const float em = ImGui::GetFontSize();
    const float detailsHeight = details ? std::min(em * 7, ImGui::GetContentRegionAvail().y * 0.4f) : 0.f;
    const float listHeight = ImGui::GetContentRegionAvail().y - detailsHeight;
    if (!rows.empty() && listHeight > em * 2) {
        ImGui::BeginChild("transfers.list", ImVec2(0, listHeight), false);
        ImGuiListClipper clipper;
        clipper.Begin(static_cast<int>(rows.size()));
        while (clipper.Step())
            for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i)
                drawRow(state, rows[rows.size() - 1 - static_cast<std::size_t>(i)], view,
                        out); // newest first
        ImGui::EndChild();
    }
    if (details) drawDetails(*details, view, detailsHeight, out);
    ImGui::EndChild();
}

void startSendFiles(const state::AppState& state, ViewState& view)
{
    const state::Peer* peer = onlinePeer(state, view);
    if (!peer) return;
    openFileBrowser(view.transfers.browser, BrowserPurpose::SendFiles, peer->id, "");
}

void drawTransferOverlays(const state::AppState& state, ViewState& view, Commands& out)
{
    const ImGuiIO& io = ImGui::GetIO();
    if (io.KeyCtrl && ImGui::IsKeyPressed(kKeyO, false) && !view.transfers.browser.open)
        startSendFiles(state, view);
    drawFileBrowser(view.transfers.browser, view, out);
    drawSettingsWindow(state, view, out);
}

} // namespace duet::ui
