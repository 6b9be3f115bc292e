#pragma once
// Hooks for end-to-end tests and bug reports, off unless their environment variable is set:
//   DUET_GUI_EVENT_LOG=<file>   append every engine event applied to AppState as one line
//                               ("event ChatReceived peer=2 ... text=\"hi\""), plus "gui ..." notes
//                               such as "gui first-frame ms=312"; flushed per line.
//   DUET_SCREENSHOT_DIR=<dir>   F12 writes the window to <dir>/screenshot-NNN.png (and notes the path).
//   DUET_GUI_WIDGETS=<file>     after each frame whose layout changed, rewrites <file> (atomically) with
//                               "<key> <minX> <minY> <maxX> <maxY>" per named widget, in window pixels,
//                               so a test can click "join.button" wherever the layout puts it.
// Thread: main thread. I/O errors are reported once to stderr and the hook turns itself off.
#include "duet/core/EngineApi.hpp"
#include "duet/ui/ItemLocator.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace duet::app {

class GuiHooks {
public:
    static GuiHooks fromEnvironment();
    GuiHooks() = default;
    ~GuiHooks();
    GuiHooks(GuiHooks&& other) noexcept;
    GuiHooks& operator=(GuiHooks&&) = delete;
    GuiHooks(const GuiHooks&) = delete;
    GuiHooks& operator=(const GuiHooks&) = delete;

    void event(const Event& event);
    void note(std::string_view line);
    bool screenshotsEnabled() const { return !m_screenshotDir.empty(); }
    // Reads the current GL back buffer (call after rendering, before swapping) and writes a PNG.
    void writeScreenshot(int width, int height);
    // Null unless DUET_GUI_WIDGETS is set.
    ui::ItemLocator* locator() { return m_locator.get(); }
    void writeWidgetMap();

private:
    void writeLine(std::string_view line);

    std::FILE* m_eventLog = nullptr;
    std::filesystem::path m_screenshotDir;
    int m_screenshotCount = 0;
    std::unique_ptr<ui::ItemLocator> m_locator;
    std::filesystem::path m_widgetFile;
    std::string m_lastWidgetMap;
};

} // namespace duet::app
