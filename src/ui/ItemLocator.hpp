#pragma once
// Where named widgets were drawn in the last frame, so tests can click real widgets by name
// ("join.button") instead of guessing coordinates. Drawing code records only when ViewState::locator is
// set: by the headless UI tests, and by the app only under its DUET_GUI_WIDGETS test hook.
// Thread: UI thread only.
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace duet::ui {

struct ScreenRect {
    float minX = 0, minY = 0, maxX = 0, maxY = 0;
    float centerX() const { return (minX + maxX) * 0.5f; }
    float centerY() const { return (minY + maxY) * 0.5f; }
};

class ItemLocator {
public:
    // Forgets the previous frame's widgets (call before NewFrame).
    void beginFrame() { m_items.clear(); }
    void record(std::string_view key, ScreenRect rect);
    std::optional<ScreenRect> find(std::string_view key) const;
    // Keys starting with `prefix`, sorted.
    std::vector<std::string> keysWithPrefix(std::string_view prefix) const;
    // One line per widget, sorted by key: "<key> <minX> <minY> <maxX> <maxY>" in whole pixels.
    std::string describe() const;

private:
    std::unordered_map<std::string, ScreenRect> m_items;
};

} // namespace duet::ui
