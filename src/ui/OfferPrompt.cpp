#include "duet/ui/OfferPrompt.hpp"

#include "duet/ui/FileBrowser.hpp"
#include "duet/ui/Theme.hpp"
#include "duet/ui/Widgets.hpp"
#include "imgui.h"

#include <algorithm>

namespace duet::ui {
namespace {

std::string offerKey(const state::TransferRow& row, std::string_view what)
{
    return "offer." + std::to_string(row.offer.value) + "." + std::string(what);
}

std::string summary(const state::AppState& state, const state::TransferRow& row)
{
    const state::Peer* peer = state.findPeer(row.peer);
    const std::string name = peer && !peer->name.empty() ? peer->name : std::string("The peer");
    std::size_t files = 0;
    for (const state::TransferFile& file : row.files)
        files += file.directory ? 0 : 1;
    std::string text = name + " offers " + std::to_string(files) + (files == 1 ? " file" : " files") + " (" +
                       formatSize(row.offeredBytes) + ")";
    return text;
}

void drawChooser(const state::TransferRow& row, ViewState& view)
{
    std::vector<std::uint64_t>& unticked = view.transfers.unticked[row.offer];
    const float em = ImGui::GetFontSize();
    const float height =
        std::min(em * 10, (static_cast<float>(row.files.size()) + 0.5f) * ImGui::GetFrameHeightWithSpacing());
    ImGui::BeginChild("choose", ImVec2(0, height), true);
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(row.files.size()));
    while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const state::TransferFile& file = row.files[static_cast<std::size_t>(i)];
            if (file.directory) {
                textColored(palette(view.theme).muted, file.path + "/");
                continue;
            }
            ImGui::PushID(i);
            const auto it = std::find(unticked.begin(), unticked.end(), file.id);
            bool ticked = it == unticked.end();
            if (ImGui::Checkbox("##pick", &ticked)) {
                if (ticked)
                    unticked.erase(it);
                else
                    unticked.push_back(file.id);
            }
            locate(view, offerKey(row, "file." + std::to_string(file.id)));
            ImGui::SameLine();
            text(file.path);
            ImGui::SameLine();
            textColored(palette(view.theme).muted, formatSize(file.size));
            ImGui::PopID();
        }
    }
    ImGui::EndChild();
}

} // namespace

void drawOfferPrompt(const state::AppState& state, const state::TransferRow& row, ViewState& view,
                     Commands& out)
{
    const Palette& colors = palette(view.theme);
    ImGui::PushID(static_cast<int>(row.offer.value & 0x7fffffff));
    ImGui::PushStyleColor(ImGuiCol_ChildBg, ImGui::GetStyleColorVec4(ImGuiCol_FrameBg));
    const bool choosing = view.transfers.choosing == row.offer;
    const float em = ImGui::GetFontSize();
    const float chooserHeight = choosing ? std::min(em * 10, (static_cast<float>(row.files.size()) + 0.5f) *
                                                                 ImGui::GetFrameHeightWithSpacing()) +
                                               ImGui::GetStyle().ItemSpacing.y
                                         : 0.f;
    const float height = ImGui::GetTextLineHeightWithSpacing() * 2 + ImGui::GetFrameHeightWithSpacing() +
                         chooserHeight + ImGui::GetStyle().WindowPadding.y * 2;
    ImGui::BeginChild("offer", ImVec2(0, height), true, ImGuiWindowFlags_NoScrollbar);
    locateWindow(view, offerKey(row, "card"));
    textColored(colors.accent, summary(state, row));
    // The first names, so the user knows what it is without opening the list.
    std::string names;
    for (const state::TransferFile& file : row.files) {
        if (file.directory) continue;
        if (!names.empty()) names += ", ";
        names += file.path;
        if (names.size() > 120) {
            names = truncateUtf8(names, 120) + "...";
            break;
        }
    }
    textColored(colors.muted, names);

    std::vector<std::uint64_t>& unticked = view.transfers.unticked[row.offer];
    if (choosing) drawChooser(row, view);
    const bool noneTicked =
        choosing && std::all_of(row.files.begin(), row.files.end(), [&](const auto& f) {
            return f.directory || std::find(unticked.begin(), unticked.end(), f.id) != unticked.end();
        });
    ImGui::BeginDisabled(noneTicked);
    if (button(view, offerKey(row, "accept"), choosing ? "Accept selected" : "Accept")) {
        command::AcceptOffer accept{row.peer, row.offer, {}};
        if (choosing && !unticked.empty())
            for (const state::TransferFile& file : row.files)
                if (std::find(unticked.begin(), unticked.end(), file.id) == unticked.end())
                    accept.fileIds.push_back(file.id);
        out.push_back(std::move(accept));
        view.transfers.unticked.erase(row.offer);
        view.transfers.choosing = TransferId{};
    }
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (button(view, offerKey(row, "reject"), "Reject")) {
        out.push_back(command::RejectOffer{row.peer, row.offer, "rejected by the user"});
        view.transfers.unticked.erase(row.offer);
        view.transfers.choosing = TransferId{};
    }
    ImGui::SameLine();
    if (button(view, offerKey(row, "choose"), choosing ? "Hide files" : "Choose files..."))
        view.transfers.choosing = choosing ? TransferId{} : row.offer;
    ImGui::EndChild();
    ImGui::PopStyleColor();
    ImGui::PopID();
}

} // namespace duet::ui
