#pragma once
// The GUI's ImageSource: decodes pictures on ImageDecoder's worker thread, uploads them as mipmapped GL
// textures on the UI thread, and keeps at most kMaxTextures of them (least recently drawn go first).
// The preview is drawn with our own shader (GuiPreviewShader), compiled when first needed.
// Thread: UI thread with the GL context current; destroy it before the context.
#include "GuiPreviewShader.hpp"
#include "duet/ui/ChatImages.hpp"
#include "duet/ui/ImageDecoder.hpp"

#include <cstdint>
#include <functional>
#include <glad/gl.h>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace duet::app {

class GuiImages final : public ui::ImageSource {
public:
    static constexpr std::size_t kMaxTextures = 32;  // ~4 MB each at most (1024 x 1024 RGBA)
    static constexpr std::size_t kMaxFailures = 256; // remembered so a broken file is not decoded again

    // `wake` is called from the decoder thread when a picture is ready; `note` receives one line per
    // finished decode for the test event log.
    GuiImages(std::function<void()> wake, std::function<void(std::string_view)> note);
    ~GuiImages() override;
    GuiImages(const GuiImages&) = delete;
    GuiImages& operator=(const GuiImages&) = delete;

    ui::ImageTexture image(const std::string& path) override;
    void drawPreview(ImDrawList& list, const std::string& path, ImVec2 min, ImVec2 max) override;

    // Before ImGui::NewFrame(): uploads finished decodes and evicts old textures. True when a picture
    // became ready (or failed), i.e. the screen should be redrawn.
    bool beginFrame();
    bool resultsWaiting() const { return m_decoder.resultsWaiting(); }

private:
    struct Entry {
        ui::ImageTexture view;
        GLuint texture = 0;
        bool queued = false; // the decoder has it (or finished it)
        std::uint64_t lastUsedFrame = 0;
    };
    void upload(Entry& entry, const ui::DecodedImage& image);
    void evict();

    std::function<void(std::string_view)> m_note;
    std::unordered_map<std::string, Entry> m_entries;
    std::uint64_t m_frame = 0;
    std::unique_ptr<PreviewShader> m_shader;
    ui::ImageDecoder m_decoder; // last: its thread stops before the members above go away
};

} // namespace duet::app
