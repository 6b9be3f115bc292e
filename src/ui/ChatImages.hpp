#pragma once
// Pictures in the conversation: every image file that finished moving to or from the selected peer (a
// TransferFileDone whose name ends in .png/.jpg/.jpeg/.bmp/.gif) appears as a thumbnail inside the history,
// at the time it finished (ChatHistory lays it out); a click opens a larger preview. Pixels come from an
// ImageSource the front end provides (decoded off the UI thread, uploaded as GL textures); without one,
// no pictures are shown.
// Thread: UI thread, inside an ImGui frame.
#include "duet/core/Ids.hpp"
#include "duet/state/Transfers.hpp"
#include "imgui.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace duet::state {
class AppState;
}

namespace duet::ui {

struct ViewState;

struct ImageTexture {
    enum class Status : std::uint8_t { Loading, Ready, Failed };
    Status status = Status::Loading;
    ImTextureID texture = nullptr;
    float width = 0, height = 0; // of the texture, in pixels (aspect ratio of the picture)
    int sourceWidth = 0, sourceHeight = 0;
    std::string error; // Failed: why, for a tooltip
};

// The front end's texture cache. image() starts decoding a path it has not seen and reports Loading until
// the pixels are on the GPU; it may evict textures not asked for in the latest frames.
class ImageSource {
public:
    virtual ~ImageSource() = default;
    virtual ImageTexture image(const std::string& path) = 0;
    // Draws the picture scaled into [min, max] (screen pixels) over a checkerboard that shows
    // transparency.
    virtual void drawPreview(ImDrawList& list, const std::string& path, ImVec2 min, ImVec2 max) = 0;
};

struct ChatImage {
    TransferId offer;
    std::uint64_t fileId = 0;
    bool outgoing = false;
    std::string localPath;   // where the file is on this computer
    std::string name;        // its name in the offer (sanitized)
    std::int64_t timeMs = 0; // when it finished (local wall clock): its place in the conversation
    bool operator==(const ChatImage&) const = default;
};

struct ChatImagesView {
    ImageSource* source = nullptr; // owned by the front end; null in tests that do not care
    // The selected conversation's pictures, oldest first, rebuilt when the peer or the transfers change.
    PeerId peer;
    std::uint64_t transfersRevision = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t rememberedRevision = std::numeric_limits<std::uint64_t>::max();
    // The conversation's identity when the list was built: a peer selected while still connecting has
    // none yet, and its remembered pictures join once the handshake names it.
    std::string fingerprint;
    std::vector<ChatImage> images;
    // The picture shown in the preview window (empty path: none).
    ChatImage preview;
    bool previewOpening = false;
};

// Finished image files exchanged with `peer`, in the order they finished.
std::vector<ChatImage> collectChatImages(const state::TransferList& transfers, PeerId peer);
// The same for every connection of one conversation (`inConversation` says which peer ids belong).
std::vector<ChatImage> collectChatImages(const state::TransferList& transfers,
                                         const std::function<bool(PeerId)>& inConversation);

// Refreshes view.images for view.selectedPeer, including earlier connections of the same identity and
// the remembered pictures of its fingerprint (view.rememberedPictures; cheap when nothing changed).
void updateChatImages(const state::AppState& state, ViewState& view);
// Draws one slice (one history row of `rowHeight`) of a thumbnail `slices` rows tall: each row draws the
// whole picture clipped to itself, so the list clipper may skip any of them. A click opens the preview.
void drawPictureSlice(ViewState& view, const ChatImage& image, std::uint32_t slice, std::uint32_t slices,
                      float width, float rowHeight);
// The preview window; call once per frame at the top level of the main window.
void drawImagePreview(ViewState& view);

} // namespace duet::ui
