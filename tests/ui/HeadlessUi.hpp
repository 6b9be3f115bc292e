#pragma once
// Drives drawApp() without a window: an ImGui context with a built font atlas and synthetic input.
// Input follows ImGui 1.86's frame model: a click spans four frames (layout, hover, press, release).
// Commands are applied to `state` with applyLocal, exactly as the app does before posting them.
#include "duet/state/AppState.hpp"
#include "duet/ui/ItemLocator.hpp"
#include "duet/ui/Ui.hpp"
#include "duet/ui/ViewState.hpp"
#include "imgui.h"

#include <string>
#include <string_view>

namespace duet::ui::test {

class HeadlessUi {
public:
    explicit HeadlessUi(float width = 1100.f, float height = 720.f);
    ~HeadlessUi();
    HeadlessUi(const HeadlessUi&) = delete;
    HeadlessUi& operator=(const HeadlessUi&) = delete;

    // Renders one frame; returns (and applies) the commands it produced, except LoadHistory and SetTyping.
    Commands frame();
    // Clicks the centre of the widget recorded under `key` (fails the test if it was not drawn).
    Commands click(std::string_view key);
    Commands clickAt(float x, float y, int button = 0);
    // Types UTF-8 text into the focused widget.
    Commands type(std::string_view text);
    // Presses and releases one key, optionally with Shift held.
    Commands press(ImGuiKey key, bool shift = false);
    // Ctrl+key.
    Commands pressCtrl(ImGuiKey key);
    // Left button down at `from`, through the midpoint to `to`, up there: five frames.
    Commands drag(ImVec2 from, ImVec2 to);
    // What the app last put on ImGui's clipboard.
    static std::string clipboard();
    bool has(std::string_view key) const { return locator.find(key).has_value(); }
    // Draws `frames` frames and returns the mean wall time of one, in milliseconds.
    double millisecondsPerFrame(int frames);

    state::AppState state;
    ViewState view;
    ItemLocator locator;
    std::int64_t nowMs = 1'800'000'000'000;

private:
    Commands run(int frames);
    ImGuiContext* m_context = nullptr;
};

} // namespace duet::ui::test
