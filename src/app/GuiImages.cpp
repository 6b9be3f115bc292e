#include "GuiImages.hpp"

#include <algorithm>
#include <vector>

namespace duet::app {
namespace {

ImTextureID textureId(GLuint texture)
{
    return reinterpret_cast<ImTextureID>(static_cast<std::uintptr_t>(texture));
}

} // namespace

GuiImages::GuiImages(std::function<void()> wake, std::function<void(std::string_view)> note)
    : m_note(std::move(note)), m_decoder(ui::ImageLimits{}, std::move(wake))
{
}

GuiImages::~GuiImages()
{
    for (auto& [path, entry] : m_entries)
        if (entry.texture) glDeleteTextures(1, &entry.texture);
}

ui::ImageTexture GuiImages::image(const std::string& path)
{
    Entry& entry = m_entries[path];
    entry.lastUsedFrame = m_frame;
    // A full queue is not an error: the thumbnail asks again next frame.
    if (!entry.queued) entry.queued = m_decoder.request(path);
    return entry.view;
}

void GuiImages::drawPreview(ImDrawList& list, const std::string& path, ImVec2 min, ImVec2 max)
{
    const auto it = m_entries.find(path);
    if (it == m_entries.end() || !it->second.texture) return;
    it->second.lastUsedFrame = m_frame;
    if (!m_shader) {
        m_shader = std::make_unique<PreviewShader>();
        if (!m_shader->ok() && m_note) m_note("shader " + m_shader->error());
    }
    m_shader->add(list, it->second.texture, min, max);
}

bool GuiImages::beginFrame()
{
    ++m_frame;
    if (m_shader) m_shader->beginFrame();
    bool changed = false;
    for (ui::DecodedImage& image : m_decoder.takeResults()) {
        const auto it = m_entries.find(image.path);
        if (it == m_entries.end()) continue; // evicted while decoding
        upload(it->second, image);
        changed = true;
    }
    evict();
    return changed;
}

void GuiImages::upload(Entry& entry, const ui::DecodedImage& image)
{
    if (!image.ok()) {
        entry.view.status = ui::ImageTexture::Status::Failed;
        entry.view.error = image.error;
        if (m_note) m_note("image failed " + image.error + ": " + image.path);
        return;
    }
    if (!entry.texture) glGenTextures(1, &entry.texture);
    glBindTexture(GL_TEXTURE_2D, entry.texture);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, image.width, image.height, 0, GL_RGBA, GL_UNSIGNED_BYTE,
                 image.rgba.data());
    // Mipmaps keep 80-pixel thumbnails of large pictures smooth instead of shimmering.
    glGenerateMipmap(GL_TEXTURE_2D);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR_MIPMAP_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glBindTexture(GL_TEXTURE_2D, 0);
    entry.view.status = ui::ImageTexture::Status::Ready;
    entry.view.texture = textureId(entry.texture);
    entry.view.width = static_cast<float>(image.width);
    entry.view.height = static_cast<float>(image.height);
    entry.view.sourceWidth = image.sourceWidth;
    entry.view.sourceHeight = image.sourceHeight;
    if (m_note)
        m_note("image ready " + std::to_string(image.sourceWidth) + "x" + std::to_string(image.sourceHeight) +
               " texture=" + std::to_string(image.width) + "x" + std::to_string(image.height) + " " +
               image.path);
}

void GuiImages::evict()
{
    std::vector<std::pair<std::uint64_t, std::string>> textured, failed;
    // Requests the full decoder queue turned away, for thumbnails no longer on screen.
    std::erase_if(m_entries, [&](const auto& item) {
        return !item.second.queued && item.second.lastUsedFrame + 1 < m_frame;
    });
    for (const auto& [path, entry] : m_entries) {
        if (entry.texture)
            textured.emplace_back(entry.lastUsedFrame, path);
        else if (entry.view.status == ui::ImageTexture::Status::Failed)
            failed.emplace_back(entry.lastUsedFrame, path);
    }
    const auto dropOldest = [&](std::vector<std::pair<std::uint64_t, std::string>>& list, std::size_t keep) {
        if (list.size() <= keep) return;
        std::sort(list.begin(), list.end());
        for (std::size_t i = 0; i + keep < list.size(); ++i) {
            Entry& entry = m_entries[list[i].second];
            // Never what the last frame drew: that would flicker between decode and eviction.
            if (entry.lastUsedFrame + 1 >= m_frame) continue;
            if (entry.texture) glDeleteTextures(1, &entry.texture);
            m_entries.erase(list[i].second);
        }
    };
    dropOldest(textured, kMaxTextures);
    dropOldest(failed, kMaxFailures);
}

} // namespace duet::app
