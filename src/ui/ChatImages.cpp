#include "duet/ui/ChatImages.hpp"

#include "duet/state/AppState.hpp"
#include "duet/ui/FileBrowser.hpp"
#include "duet/ui/ImageDecoder.hpp"
#include "duet/ui/RememberedPictures.hpp"
#include "duet/ui/Theme.hpp"
#include "duet/ui/ViewState.hpp"
#include "duet/ui/Widgets.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <utility>

namespace duet::ui {
namespace {

constexpr const char* kPreviewPopup = "Picture###image-preview";

std::string imageKey(const ChatImage& image)
{
    return "image." + std::to_string(image.offer.value) + "." + std::to_string(image.fileId);
}

std::string baseName(const std::string& path)
{
    const std::size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The largest rectangle of the picture's aspect ratio that fits in `box`, centred. Small pictures are
// not blown up past `maxZoom`.
void fitRect(const ImageTexture& image, ImVec2 min, ImVec2 max, float maxZoom, ImVec2& outMin, ImVec2& outMax)
{
    const float boxWidth = max.x - min.x, boxHeight = max.y - min.y;
    const float width = image.sourceWidth > 0 ? static_cast<float>(image.sourceWidth) : image.width;
    const float height = image.sourceHeight > 0 ? static_cast<float>(image.sourceHeight) : image.height;
    float zoom =
        std::min(maxZoom, std::min(boxWidth / std::max(width, 1.f), boxHeight / std::max(height, 1.f)));
    const ImVec2 size(std::max(1.f, width * zoom), std::max(1.f, height * zoom));
    outMin = ImVec2(min.x + (boxWidth - size.x) * 0.5f, min.y + (boxHeight - size.y) * 0.5f);
    outMax = ImVec2(outMin.x + size.x, outMin.y + size.y);
}

} // namespace

std::vector<ChatImage> collectChatImages(const state::TransferList& transfers, PeerId peer)
{
    return collectChatImages(transfers, [peer](PeerId candidate) { return candidate == peer; });
}

std::vector<ChatImage> collectChatImages(const state::TransferList& transfers,
                                         const std::function<bool(PeerId)>& inConversation)
{
    std::vector<ChatImage> images;
    for (const state::TransferRow& row : transfers.rows()) {
        if (!inConversation(row.peer)) continue;
        for (const state::TransferFile& file : row.files) {
            if (file.directory || file.status != state::FileStatus::Done || file.localPath.empty()) continue;
            if (!isImageFileName(file.localPath)) continue;
            images.push_back(ChatImage{row.offer, file.id, row.outgoing, file.localPath, baseName(file.path),
                                       file.doneMs});
        }
    }
    std::stable_sort(images.begin(), images.end(),
                     [](const ChatImage& a, const ChatImage& b) { return a.timeMs < b.timeMs; });
    return images;
}

void updateChatImages(const state::AppState& state, ViewState& view)
{
    ChatImagesView& images = view.images;
    const std::uint64_t revision = state.transfers().revision();
    const std::uint64_t remembered = view.rememberedPictures.revision;
    // Earlier connections of the same identity resolve to the same conversation entry.
    const state::Peer* conversation = state.findPeer(view.selectedPeer);
    const std::string& fingerprint = conversation ? conversation->fingerprint : images.fingerprint;
    if (images.peer == view.selectedPeer && images.transfersRevision == revision &&
        images.rememberedRevision == remembered && images.fingerprint == fingerprint)
        return;
    images.peer = view.selectedPeer;
    images.transfersRevision = revision;
    images.rememberedRevision = remembered;
    images.fingerprint = conversation ? conversation->fingerprint : std::string();
    images.images = conversation
                        ? collectChatImages(state.transfers(),
                                            [&](PeerId peer) { return state.findPeer(peer) == conversation; })
                        : std::vector<ChatImage>{};
    if (!conversation || conversation->fingerprint.empty()) return;
    // Pictures of earlier runs, and of rows cleared from the transfer list, once each.
    std::set<std::pair<std::uint64_t, std::uint64_t>> shown;
    for (const ChatImage& image : images.images)
        shown.emplace(image.offer.value, image.fileId);
    bool added = false;
    for (const RememberedPicture& picture : view.rememberedPictures.pictures) {
        if (picture.fingerprint != conversation->fingerprint) continue;
        if (!shown.emplace(picture.image.offer.value, picture.image.fileId).second) continue;
        images.images.push_back(picture.image);
        added = true;
    }
    if (added)
        std::stable_sort(images.images.begin(), images.images.end(),
                         [](const ChatImage& a, const ChatImage& b) { return a.timeMs < b.timeMs; });
}

void drawPictureSlice(ViewState& view, const ChatImage& image, std::uint32_t slice, std::uint32_t slices,
                      float width, float rowHeight)
{
    const Palette& colors = palette(view.theme);
    ImGui::PushID(imageKey(image).c_str());
    ImGui::PushID(static_cast<int>(slice));
    const bool clicked = ImGui::InvisibleButton("slice", ImVec2(width, rowHeight));
    const bool hovered = ImGui::IsItemHovered();
    ImGui::PopID();
    const ImVec2 rowMin = ImGui::GetItemRectMin(), rowMax = ImGui::GetItemRectMax();
    const ImVec2 min(rowMin.x, rowMin.y - static_cast<float>(slice) * rowHeight);
    const ImVec2 max(rowMax.x, min.y + static_cast<float>(slices) * rowHeight);
    ImDrawList& list = *ImGui::GetWindowDrawList();
    if (view.locator) {
        // The visible part of the whole thumbnail, whichever slice is drawn first.
        const ImVec2 clipMin = list.GetClipRectMin(), clipMax = list.GetClipRectMax();
        const std::string key = imageKey(image);
        if (!view.locator->find(key))
            view.locator->record(
                key, ScreenRect{min.x, std::max(min.y, clipMin.y), max.x, std::min(max.y, clipMax.y)});
    }
    list.PushClipRect(rowMin, rowMax, true);
    const ImageTexture texture = view.images.source->image(image.localPath);
    const float em = ImGui::GetFontSize();
    const auto centred = [&](const char* label, const ImVec4& color) {
        const ImVec2 size = ImGui::CalcTextSize(label);
        list.AddText(ImVec2((min.x + max.x - size.x) * 0.5f, (min.y + max.y - size.y) * 0.5f),
                     ImGui::GetColorU32(color), label);
    };
    list.AddRectFilled(min, max, ImGui::GetColorU32(ImGuiCol_FrameBg), em * 0.2f);
    if (texture.status == ImageTexture::Status::Ready) {
        ImVec2 imageMin, imageMax;
        fitRect(texture, ImVec2(min.x + 3, min.y + 3), ImVec2(max.x - 3, max.y - 3), 8.f, imageMin, imageMax);
        list.AddImage(texture.texture, imageMin, imageMax);
    } else if (texture.status == ImageTexture::Status::Loading) {
        centred("...", colors.muted);
    } else {
        centred("?", colors.danger);
    }
    list.AddRect(min, max, ImGui::GetColorU32(hovered ? ImGuiCol_ButtonHovered : ImGuiCol_Border), em * 0.2f);
    list.PopClipRect();
    if (hovered) {
        std::string tip = (image.outgoing ? "Sent: " : "Received: ") + image.name;
        if (texture.status == ImageTexture::Status::Failed)
            tip += "\n" + texture.error;
        else
            tip += "\nClick to enlarge";
        ImGui::SetTooltip("%s", tip.c_str());
    }
    if (clicked) {
        view.images.preview = image;
        view.images.previewOpening = true;
    }
    ImGui::PopID();
}

void drawImagePreview(ViewState& view)
{
    ChatImagesView& images = view.images;
    if (images.previewOpening) {
        ImGui::OpenPopup(kPreviewPopup);
        images.previewOpening = false;
    }
    if (!images.source || images.preview.localPath.empty()) return;
    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(viewport->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(viewport->WorkSize.x * 0.85f, viewport->WorkSize.y * 0.85f));
    if (!ImGui::BeginPopupModal(kPreviewPopup, nullptr,
                                ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoResize))
        return;
    locateWindow(view, "image.preview");
    const Palette& colors = palette(view.theme);
    const ImageTexture texture = images.source->image(images.preview.localPath);
    text(images.preview.name);
    if (texture.status == ImageTexture::Status::Ready) {
        char size[48];
        std::snprintf(size, sizeof size, "%d x %d", texture.sourceWidth, texture.sourceHeight);
        ImGui::SameLine();
        textColored(colors.muted, size);
    }
    const ImGuiStyle& style = ImGui::GetStyle();
    const float buttonsHeight = ImGui::GetFrameHeightWithSpacing() + style.ItemSpacing.y;
    const ImVec2 available = ImGui::GetContentRegionAvail();
    const ImVec2 boxMin = ImGui::GetCursorScreenPos();
    const ImVec2 boxSize(available.x, std::max(1.f, available.y - buttonsHeight));
    ImGui::Dummy(boxSize);
    locate(view, "image.preview.picture");
    const ImVec2 boxMax(boxMin.x + boxSize.x, boxMin.y + boxSize.y);
    if (texture.status == ImageTexture::Status::Ready) {
        ImVec2 imageMin, imageMax;
        fitRect(texture, boxMin, boxMax, 4.f, imageMin, imageMax);
        images.source->drawPreview(*ImGui::GetWindowDrawList(), images.preview.localPath, imageMin, imageMax);
    } else {
        const char* label =
            texture.status == ImageTexture::Status::Loading ? "Loading..." : texture.error.c_str();
        const ImVec2 size = ImGui::CalcTextSize(label);
        ImGui::GetWindowDrawList()->AddText(
            ImVec2(boxMin.x + (boxSize.x - size.x) * 0.5f, boxMin.y + (boxSize.y - size.y) * 0.5f),
            ImGui::GetColorU32(texture.status == ImageTexture::Status::Loading ? colors.muted
                                                                               : colors.danger),
            label);
    }
    ImGui::Spacing();
    if (button(view, "image.preview.folder", "Show in folder"))
        view.transfers.openFolderRequests.push_back(parentPath(images.preview.localPath));
    ImGui::SameLine();
    if (button(view, "image.preview.close", "Close") ||
        ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) {
        images.preview = ChatImage{};
        ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
}

} // namespace duet::ui
