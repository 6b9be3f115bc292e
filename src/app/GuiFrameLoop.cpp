#include "GuiFrameLoop.hpp"

#include "duet/state/TextSanitize.hpp"
#include "duet/ui/Theme.hpp"
#include "duet/ui/Ui.hpp"

#include <glad/gl.h>
#define GLFW_INCLUDE_NONE
#include "backends/imgui_impl_glfw.h"
#include "backends/imgui_impl_opengl3.h"
#include "imgui.h"

#include <GLFW/glfw3.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <unistd.h>

namespace duet::app {
namespace {

constexpr double kIdleWaitSeconds = 0.5;   // sleep this long when nothing happens
constexpr double kFrameSeconds = 1.0 / 60; // frame cap while something changes (vsync is not guaranteed)
constexpr double kSettleSeconds = 0.3;     // keep drawing briefly after a change: clicks, modal fade-in
constexpr double kIdleRedrawSeconds = 30;  // "Today" labels and the like stay current

// Milliseconds since this process was exec'd (its start time in /proc, 10 ms resolution), or -1. Counts
// what a stopwatch in main() cannot see: the dynamic loader and static initialisers.
double millisecondsSinceExec()
{
    std::FILE* file = std::fopen("/proc/self/stat", "r");
    if (!file) return -1;
    char buffer[1024] = {};
    const std::size_t size = std::fread(buffer, 1, sizeof buffer - 1, file);
    std::fclose(file);
    // Field 22 (starttime, clock ticks since boot) counts from after the ")" that ends the command name.
    const char* field = std::strrchr(buffer, ')');
    if (!field || size == 0) return -1;
    for (int i = 0; i < 20 && field; ++i)
        field = std::strchr(field + 1, ' ');
    timespec now{};
    const long ticks = sysconf(_SC_CLK_TCK);
    if (!field || ticks <= 0 || clock_gettime(CLOCK_BOOTTIME, &now) != 0) return -1;
    const double started = std::strtod(field + 1, nullptr) * 1000.0 / static_cast<double>(ticks);
    return static_cast<double>(now.tv_sec) * 1000.0 + static_cast<double>(now.tv_nsec) / 1e6 - started;
}

// The values the settings window opened with, for the event log: end-to-end tests read back what a
// restart restored without parsing pixels.
std::string describeSettings(const ui::SettingsValues& values)
{
    const auto flag = [](bool on) { return on ? "1" : "0"; };
    return std::string("settings-shown name=\"") + state::sanitizeLine(values.displayName) +
           "\" downloads=\"" + state::sanitizeLine(values.downloadDir) +
           "\" port=" + std::to_string(values.port) + " theme=" + (values.lightTheme ? "light" : "dark") +
           " auto-accept=" + flag(values.autoAcceptVerified) +
           " notifications=" + flag(values.notifications) + " visible=" + flag(values.visibleOnLan);
}

} // namespace

GuiFrameLoop::GuiFrameLoop(GuiWindow& window, net::Engine& engine, GuiHooks& hooks, GuiSettings& settings,
                           PreparedFonts& fonts, state::AppState& state, ui::ViewState& view)
    : m_window(window), m_engine(engine), m_hooks(hooks), m_settings(settings), m_prepared(fonts),
      m_fontFiles(fonts.files), m_fullSet(fonts.set == GlyphSet::Full), m_state(state), m_view(view),
      m_drop(window.handle()),
      m_images(&GuiWindow::wakeFromAnyThread, [&hooks](std::string_view line) { hooks.note(line); })
{
    m_view.images.source = &m_images;
    // The atlas baked during start-up serves when the window has the scale it was made for.
    m_scale = fonts.scale;
    m_view.fonts = fonts.fonts;
    std::size_t extra = 0; // the first screen's names beyond the start-up ranges
    for (std::size_t i = 0; i + 1 < fonts.extraRanges.size(); i += 2)
        extra += static_cast<std::size_t>(fonts.extraRanges[i + 1] - fonts.extraRanges[i]) + 1;
    char note[96];
    std::snprintf(note, sizeof note, "fonts ms=%lld scale=%.2f extra-glyphs=%zu (during start-up)",
                  fonts.milliseconds, fonts.scale, extra);
    m_hooks.note(note);
}

GuiFrameLoop::~GuiFrameLoop()
{
    m_view.images.source = nullptr;
}

void GuiFrameLoop::run(std::chrono::steady_clock::time_point launched)
{
    double lastFrame = -1e9;
    double settleUntil = 0;
    bool firstFrame = true;
    while (!m_window.shouldClose()) {
        double now = glfwGetTime();
        double timeout = kIdleWaitSeconds;
        if (!m_window.iconified()) {
            if (m_pending || now < settleUntil)
                timeout = lastFrame + kFrameSeconds - now;
            else
                timeout = std::min(kIdleWaitSeconds, lastFrame + kIdleRedrawSeconds - now);
        }
        m_window.waitEvents(timeout);

        const std::int64_t wallMs = m_clock.wallMillis();
        // Events are applied even while iconified, so nothing is lost or delayed when the window returns.
        const Drained drained = drainEngine(wallMs);
        const bool input = m_window.takeActivity();
        if (input || drained.changed || m_view.transfers.browser.resultWaiting() || GuiDrop::hasDropped() ||
            m_images.resultsWaiting() || hasLinkFailures() || (m_view.find.open && m_view.find.scanning) ||
            m_view.history.measuring || m_view.history.copying || m_view.history.autoScrolling ||
            fullFontsReady())
            m_pending = true;
        if (input || drained.settle) settleUntil = glfwGetTime() + kSettleSeconds;
        now = glfwGetTime();
        if (m_window.iconified() || now - lastFrame < kFrameSeconds) continue;
        if (!m_pending && now >= settleUntil && now - lastFrame < kIdleRedrawSeconds) continue;

        m_pending = false;
        renderFrame(wallMs);
        lastFrame = now;
        if (firstFrame) {
            firstFrame = false;
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - launched);
            // DUET_PRINT_STARTUP_MS=1: launch-to-first-frame (the first swap) on stderr, for benchmarks.
            if (const char* print = std::getenv("DUET_PRINT_STARTUP_MS"); print && *print == '1')
                std::fprintf(stderr, "duet: startup ms=%.0f (exec to first swap), %lld from runGui\n",
                             millisecondsSinceExec(), static_cast<long long>(ms.count()));
            startFullFonts();
            m_window.setIcon();
            // Last, so a test that waits for this note finds the icon set.
            m_hooks.note("first-frame ms=" + std::to_string(ms.count()));
        }
    }
}

GuiFrameLoop::Drained GuiFrameLoop::drainEngine(std::int64_t nowMs)
{
    const std::uint64_t revision = m_state.revision();
    Drained drained;
    for (const Event& event : m_engine.drainEvents()) {
        m_hooks.event(event);
        m_state.apply(event, nowMs);
        if (const auto* done = std::get_if<event::TransferFileDone>(&event)) rememberPicture(*done);
        drained.settle = drained.settle || !std::holds_alternative<event::LinkStats>(event);
    }
    drained.changed = m_state.revision() != revision;
    return drained;
}

void GuiFrameLoop::rememberPicture(const event::TransferFileDone& done)
{
    const state::Peer* peer = m_state.findPeer(done.peer);
    if (!peer) return;
    std::optional<ui::RememberedPicture> picture =
        ui::pictureForFinishedFile(m_state.transfers(), peer->fingerprint, done.offer, done.fileId);
    if (!picture) return;
    m_hooks.note("picture remembered " + ui::pictureKey(*picture));
    m_settings.rememberPicture(*picture);
    m_view.rememberedPictures.add(std::move(*picture));
}

void GuiFrameLoop::updateScale()
{
    const float scale = m_window.contentScale();
    const bool newGlyphs = m_glyphs.scan(m_state, m_view);
    if (!m_fullSet && needsFullSetNow()) {
        // Text the start-up atlas cannot draw (a Greek name found on the LAN, Cyrillic history) is about
        // to show: wait for the full set (tens of ms, already under way after the first frame) rather than
        // draw fallback boxes until it comes.
        startFullFonts();
        const auto started = std::chrono::steady_clock::now();
        m_fullFonts.wait();
        m_hooks.note("fonts-full waited ms=" +
                     std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - started)
                                        .count()));
    }
    if (scale != m_scale || newGlyphs) {
        const auto started = std::chrono::steady_clock::now();
        m_scale = scale;
        m_view.fonts = buildFonts(*ImGui::GetIO().Fonts, m_fontFiles, scale, m_glyphs.ranges());
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        ImGui_ImplOpenGL3_CreateFontsTexture();
        m_view.styleDirty = true;
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        char note[96];
        std::snprintf(note, sizeof note, "fonts ms=%lld scale=%.2f extra-glyphs=%zu",
                      static_cast<long long>(ms.count()), scale, m_glyphs.count());
        m_hooks.note(note);
        m_fullSet = true;
        m_glyphs.stopWatchingFirstFrame();
    } else {
        adoptFullFonts();
    }
    if (m_view.styleDirty) {
        ui::applyTheme(m_view.theme, m_scale);
        m_view.styleDirty = false;
    }
}

bool GuiFrameLoop::needsFullSetNow()
{
    bool missing = false;
    for (const ImWchar codepoint : m_glyphs.takeBeyondFirstFrame())
        missing = missing || !m_view.fonts.body || !m_view.fonts.body->FindGlyphNoFallback(codepoint);
    return missing;
}

void GuiFrameLoop::startFullFonts()
{
    if (m_fullSet || m_fullFonts.valid()) return;
    std::vector<ImWchar> extra;
    if (const ImWchar* ranges = m_glyphs.ranges()) {
        for (; *ranges != 0; ++ranges)
            extra.push_back(*ranges);
        extra.push_back(0);
    }
    // The worker owns its atlas alone; the one thing it shares with this thread is ImGui's allocation
    // counter (IO.MetricsActiveAllocations, a debug statistic that MemAlloc bumps without a lock), which
    // may come out slightly wrong. Baking here instead would stall a frame for ~30 ms.
    m_fullFonts = std::async(std::launch::async, [files = m_fontFiles, scale = m_scale, extra]() mutable {
        PreparedFonts full = bakeFonts(std::move(files), scale, GlyphSet::Full, std::move(extra));
        GuiWindow::wakeFromAnyThread();
        return full;
    });
}

bool GuiFrameLoop::fullFontsReady() const
{
    return m_fullFonts.valid() && m_fullFonts.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

void GuiFrameLoop::adoptFullFonts()
{
    if (!fullFontsReady()) return;
    PreparedFonts full = m_fullFonts.get();
    // A rebuild on this thread (new scale or glyphs) already baked the full set, at the scale now in use.
    if (m_fullSet || full.scale != m_scale) return;
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui::GetIO().Fonts = full.atlas.get(); // between frames: NewFrame picks the new default font
    ImGui_ImplOpenGL3_CreateFontsTexture();
    m_view.fonts = full.fonts;
    m_prepared.fonts = full.fonts;
    m_prepared.atlas = std::move(full.atlas); // frees the start-up atlas, which nothing points at any more
    m_prepared.extraRanges = std::move(full.extraRanges);
    m_prepared.set = GlyphSet::Full;
    m_fullSet = true;
    m_glyphs.stopWatchingFirstFrame();
    m_hooks.note("fonts-full ms=" + std::to_string(full.milliseconds) + " (baked after the first frame)");
}

void GuiFrameLoop::renderFrame(std::int64_t nowMs)
{
    const ui::Theme themeBefore = m_view.theme;
    updateScale();
    m_images.beginFrame(); // uploads pictures decoded since the last frame, before anything draws them
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    if (ui::ItemLocator* locator = m_hooks.locator()) locator->beginFrame();
    m_view.locator = m_hooks.locator();
    ImGui::NewFrame();
    const bool screenshot = m_hooks.screenshotsEnabled() && ImGui::IsKeyPressed(GLFW_KEY_F12, false);
    const bool settingsWereOpen = m_view.transfers.settingsOpen;
    ui::Commands commands = ui::drawApp(m_state, m_view, nowMs);
    if (!settingsWereOpen && m_view.transfers.settingsOpen)
        m_hooks.note(describeSettings(m_view.transfers.draft));
    ImGui::Render();

    int width = 0, height = 0;
    glfwGetFramebufferSize(m_window.handle(), &width, &height);
    glViewport(0, 0, width, height);
    const ImVec4 clear = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
    glClearColor(clear.x, clear.y, clear.z, 1.f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (screenshot) m_hooks.writeScreenshot(width, height);
    glfwSwapBuffers(m_window.handle());
    m_hooks.writeWidgetMap();

    handleCommands(commands, nowMs);
    for (const std::string& fingerprint : m_view.forgetPeers) {
        if (!m_state.forgetRecentPeer(fingerprint)) continue;
        m_settings.forgetUnverifiedPeer(fingerprint);
        m_hooks.note("peer forgotten " + fingerprint);
    }
    m_view.forgetPeers.clear();
    if (m_window.focused() && m_view.selectedPeer) {
        // The user sees the conversation: the engine marks it read and tells the peer (read receipts).
        const state::Peer* shown = m_state.findPeer(m_view.selectedPeer);
        if (shown && shown->unread != 0 && !shown->fingerprint.empty())
            m_engine.post(command::MarkRead{shown->id, shown->fingerprint});
        m_state.markRead(m_view.selectedPeer);
    }
    desktopGlue(nowMs);
    if (m_view.theme != themeBefore) m_settings.saveTheme(m_view.theme);
}

void GuiFrameLoop::handleCommands(ui::Commands& commands, std::int64_t nowMs)
{
    for (Command& command : commands) {
        m_state.applyLocal(command, nowMs);
        if (const auto* rename = std::get_if<command::SetDisplayName>(&command))
            m_window.setTitle(windowTitle(rename->name));
        m_engine.post(std::move(command));
        m_pending = true;
    }
}

} // namespace duet::app
