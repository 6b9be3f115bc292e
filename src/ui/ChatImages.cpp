#include "duet/ui/ChatImages.hpp"

#include "duet/state/AppState.hpp"
#include "duet/ui/FileBrowser.hpp"
#include "duet/ui/ImageDecoder.hpp"
#include "duet/ui/Theme.hpp"
#include "duet/ui/ViewState.hpp"
#include "duet/ui/Widgets.hpp"

#include <algorithm>
#include <cstdio>

namespace duet::ui {
namespace {

constexpr float kThumbnailEms = 5.f;
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

void drawThumbnail(ViewState& view, const ChatImage& image, float side)
{
    const Palette& colors = palette(view.theme);
    ImGui::PushID(imageKey(image).c_str());
    const bool clicked = ImGui::InvisibleButton("thumb", ImVec2(side, side));
    locate(view, imageKey(image));
    const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
    ImDrawList& list = *ImGui::GetWindowDrawList();
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
        fitRect(texture, ImVec2(min.x + 2, min.y + 2), ImVec2(max.x - 2, max.y - 2), 8.f, imageMin, imageMax);
        list.AddImage(texture.texture, imageMin, imageMax);
    } else if (texture.status == ImageTexture::Status::Loading) {
        centred("...", colors.muted);
    } else {
        centred("?", colors.danger);
    }
    const bool hovered = ImGui::IsItemHovered();
    list.AddRect(min, max, ImGui::GetColorU32(hovered ? ImGuiCol_ButtonHovered : ImGuiCol_Border), em * 0.2f);
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

} // namespace

std::vector<ChatImage> collectChatImages(const state::TransferList& transfers, PeerId peer)
{
    std::vector<ChatImage> images;
    for (const state::TransferRow& row : transfers.rows()) {
        if (row.peer != peer) continue;
        for (const state::TransferFile& file : row.files) {
            if (file.directory || file.status != state::FileStatus::Done || file.localPath.empty()) continue;
            if (!isImageFileName(file.localPath)) continue;
            images.push_back(
                ChatImage{row.offer, file.id, row.outgoing, file.localPath, baseName(file.path)});
        }
    }
    return images;
}

void updateChatImages(const state::AppState& state, ViewState& view)
{
    ChatImagesView& images = view.images;
    const std::uint64_t revision = state.transfers().revision();
    if (images.peer == view.selectedPeer && images.transfersRevision == revision) return;
    if (images.peer != view.selectedPeer) images.imagesSeen = 0;
    images.peer = view.selectedPeer;
    images.transfersRevision = revision;
    images.images = collectChatImages(state.transfers(), view.selectedPeer);
}

float chatImagesHeight(const ViewState& view)
{
    if (!view.images.source || view.images.images.empty()) return 0.f;
    const ImGuiStyle& style = ImGui::GetStyle();
    return ImGui::GetFontSize() * kThumbnailEms + style.ScrollbarSize + style.WindowPadding.y * 2 +
           style.ItemSpacing.y;
}

void drawChatImages(ViewState& view)
{
    const float height = chatImagesHeight(view);
    if (height <= 0) return;
    ChatImagesView& images = view.images;
    const float side = ImGui::GetFontSize() * kThumbnailEms;
    ImGui::BeginChild("chat.images", ImVec2(0, height - ImGui::GetStyle().ItemSpacing.y), false,
                      ImGuiWindowFlags_HorizontalScrollbar);
    locateWindow(view, "chat.images");
    // Only the thumbnails in view ask for pixels, so a long history never decodes everything.
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float scroll = ImGui::GetScrollX(), visible = ImGui::GetWindowWidth();
    for (std::size_t i = 0; i < images.images.size(); ++i) {
        if (i > 0) ImGui::SameLine();
        const float x = static_cast<float>(i) * (side + spacing);
        if (x + side < scroll - side || x > scroll + visible + side) {
            ImGui::Dummy(ImVec2(side, side));
            continue;
        }
        drawThumbnail(view, images.images[i], side);
    }
    if (images.images.size() > images.imagesSeen) ImGui::SetScrollHereX(1.f); // show the newest
    images.imagesSeen = images.images.size();
    ImGui::EndChild();
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
