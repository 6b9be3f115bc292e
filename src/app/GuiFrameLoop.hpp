#pragma once
// The frame loop: sleeps in glfwWaitEventsTimeout, folds engine events into AppState, draws a frame only
// when something changed (input, events, a resize) plus a short settle period for ImGui's multi-frame
// interactions, and hands the commands the UI returns to AppState and the engine.
// Thread: main thread. Runs until the window is closed.
#include "GuiDrop.hpp"
#include "GuiFonts.hpp"
#include "GuiGlyphs.hpp"
#include "GuiHooks.hpp"
#include "GuiImages.hpp"
#include "GuiSettings.hpp"
#include "GuiWindow.hpp"
#include "duet/core/Clock.hpp"
#include "duet/net/Engine.hpp"
#include "duet/state/AppState.hpp"
#include "duet/ui/ViewState.hpp"

#include <chrono>
#include <future>

namespace duet::app {

class GuiFrameLoop {
public:
    GuiFrameLoop(GuiWindow& window, net::Engine& engine, GuiHooks& hooks, GuiSettings& settings,
                 PreparedFonts& fonts, state::AppState& state, ui::ViewState& view);
    ~GuiFrameLoop();
    GuiFrameLoop(const GuiFrameLoop&) = delete;
    GuiFrameLoop& operator=(const GuiFrameLoop&) = delete;

    void run(std::chrono::steady_clock::time_point launched);

private:
    struct Drained {
        bool changed = false; // AppState shows something new
        bool settle = false;  // an event other than link statistics: may open a modal or scroll
    };
    Drained drainEngine(std::int64_t nowMs);
    // A picture that finished moving stays in its conversation after a restart or "Clear finished".
    void rememberPicture(const event::TransferFileDone& done);
    void updateScale();
    // The full glyph set, baked on a worker after the first frame (GlyphSet), replaces the start-up atlas.
    void startFullFonts();
    bool needsFullSetNow(); // text on screen needs glyphs the start-up atlas lacks
    bool fullFontsReady() const;
    void adoptFullFonts();
    void renderFrame(std::int64_t nowMs);
    void handleCommands(ui::Commands& commands, std::int64_t nowMs);
    // GuiDropFrame.cpp: dropped files, "show in folder", links, saved settings, title and attention.
    void desktopGlue(std::int64_t nowMs);

    GuiWindow& m_window;
    net::Engine& m_engine;
    GuiHooks& m_hooks;
    GuiSettings& m_settings;
    PreparedFonts& m_prepared; // owns the atlas the ImGui context draws with
    FontFiles m_fontFiles;
    std::future<PreparedFonts> m_fullFonts;
    bool m_fullSet = false; // the atlas holds GlyphSet::Full
    state::AppState& m_state;
    ui::ViewState& m_view;
    SystemClock m_clock;
    float m_scale = 0.f;   // fonts and style were built for this content scale
    bool m_pending = true; // something changed that the screen does not show yet
    GuiDrop m_drop;
    std::string m_shownTitle;
    std::size_t m_unseenNotified = 0; // unseen count when we last asked for attention
    GuiImages m_images;               // picture thumbnails and previews (view.images.source)
    GuiGlyphs m_glyphs;               // characters beyond the base font ranges that text on screen uses
};

} // namespace duet::app
