#include "GuiHooks.hpp"

#include "duet/state/EventText.hpp"

#include <cstdlib>
#include <glad/gl.h>
#include <stb_image_write.h>
#include <string>
#include <vector>

namespace duet::app {

GuiHooks GuiHooks::fromEnvironment()
{
    GuiHooks hooks;
    if (const char* path = std::getenv("DUET_GUI_EVENT_LOG"); path && *path) {
        hooks.m_eventLog = std::fopen(path, "a");
        if (!hooks.m_eventLog) std::fprintf(stderr, "duet: cannot open DUET_GUI_EVENT_LOG file %s\n", path);
    }
    if (const char* dir = std::getenv("DUET_SCREENSHOT_DIR"); dir && *dir) {
        std::error_code error;
        std::filesystem::create_directories(dir, error);
        if (error)
            std::fprintf(stderr, "duet: cannot create DUET_SCREENSHOT_DIR %s: %s\n", dir,
                         error.message().c_str());
        else
            hooks.m_screenshotDir = dir;
    }
    if (const char* file = std::getenv("DUET_GUI_WIDGETS"); file && *file) {
        hooks.m_widgetFile = file;
        hooks.m_locator = std::make_unique<ui::ItemLocator>();
    }
    return hooks;
}

GuiHooks::GuiHooks(GuiHooks&& other) noexcept
    : m_eventLog(other.m_eventLog), m_screenshotDir(std::move(other.m_screenshotDir)),
      m_screenshotCount(other.m_screenshotCount), m_locator(std::move(other.m_locator)),
      m_widgetFile(std::move(other.m_widgetFile)), m_lastWidgetMap(std::move(other.m_lastWidgetMap))
{
    other.m_eventLog = nullptr;
}

GuiHooks::~GuiHooks()
{
    if (m_eventLog) std::fclose(m_eventLog);
}

void GuiHooks::writeLine(std::string_view line)
{
    if (!m_eventLog) return;
    const bool ok = std::fwrite(line.data(), 1, line.size(), m_eventLog) == line.size() &&
                    std::fputc('\n', m_eventLog) != EOF && std::fflush(m_eventLog) == 0;
    if (!ok) {
        std::fprintf(stderr, "duet: writing DUET_GUI_EVENT_LOG failed; event log off\n");
        std::fclose(m_eventLog);
        m_eventLog = nullptr;
    }
}

void GuiHooks::event(const Event& event)
{
    if (m_eventLog) writeLine(state::describeEvent(event));
}

void GuiHooks::note(std::string_view line)
{
    if (m_eventLog) writeLine(std::string("gui ").append(line));
}

void GuiHooks::writeScreenshot(int width, int height)
{
    if (m_screenshotDir.empty() || width <= 0 || height <= 0) return;
    std::vector<unsigned char> pixels(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
    char name[32];
    std::snprintf(name, sizeof name, "screenshot-%03d.png", ++m_screenshotCount);
    const std::filesystem::path path = m_screenshotDir / name;
    stbi_flip_vertically_on_write(1); // GL rows run bottom-up
    if (stbi_write_png(path.c_str(), width, height, 3, pixels.data(), width * 3) == 0) {
        std::fprintf(stderr, "duet: cannot write %s\n", path.c_str());
        return;
    }
    note("screenshot path=" + state::quoteForLog(path.string()));
}

void GuiHooks::writeWidgetMap()
{
    if (!m_locator) return;
    std::string map = m_locator->describe();
    if (map == m_lastWidgetMap) return;
    // Written beside the target and renamed over it, so a reader never sees half a file.
    std::filesystem::path temporary = m_widgetFile;
    temporary += ".tmp";
    std::FILE* file = std::fopen(temporary.c_str(), "w");
    const bool ok = file && std::fwrite(map.data(), 1, map.size(), file) == map.size();
    if (file) std::fclose(file);
    std::error_code error;
    if (ok) std::filesystem::rename(temporary, m_widgetFile, error);
    if (!ok || error) {
        std::fprintf(stderr, "duet: cannot write DUET_GUI_WIDGETS file %s; widget map off\n",
                     m_widgetFile.c_str());
        m_locator.reset();
        return;
    }
    m_lastWidgetMap = std::move(map);
}

} // namespace duet::app
