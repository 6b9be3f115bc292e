#include "GuiSettings.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <exception>

namespace duet::app {
namespace {

constexpr std::string_view kDownloadDirKey = "gui.download_dir";
constexpr std::string_view kPortKey = "gui.port";
constexpr std::string_view kThemeKey = "gui.theme"; // shared with GuiSettings::theme()
constexpr std::string_view kAutoAcceptKey = "gui.auto_accept_verified";
constexpr std::string_view kNotificationsKey = "gui.notifications";
constexpr std::string_view kGeometryKey = "gui.window";
// The engine's own key for the LAN visibility it saves on SetVisible ("0" off; missing means visible).
constexpr std::string_view kVisibleKey = "discovery_visible";
// The engine's own key: it reads this list when it first looks up its public address (no --stun given).
constexpr std::string_view kStunServersKey = "stun_servers";

bool flag(const std::optional<std::string>& value, bool fallback)
{
    return value ? *value == "1" : fallback;
}

} // namespace

ui::SettingsValues GuiSettings::values(const std::string& displayName, const std::string& defaultDownloadDir,
                                       std::uint16_t port)
{
    ui::SettingsValues values;
    values.displayName = displayName;
    values.downloadDir = defaultDownloadDir;
    values.port = port;
    values.lightTheme = theme() == ui::Theme::Light;
    if (!m_store) return values;
    try {
        if (auto dir = m_store->setting(kDownloadDirKey); dir && !dir->empty()) values.downloadDir = *dir;
        if (auto saved = m_store->setting(kPortKey)) {
            unsigned value = 0;
            const auto [end, ec] = std::from_chars(saved->data(), saved->data() + saved->size(), value);
            if (ec == std::errc() && end == saved->data() + saved->size() && value > 0 && value <= 65535)
                values.port = static_cast<std::uint16_t>(value);
        }
        values.autoAcceptVerified = flag(m_store->setting(kAutoAcceptKey), false);
        values.notifications = flag(m_store->setting(kNotificationsKey), true);
        values.stunServers = m_store->setting(kStunServersKey).value_or("");
        values.visibleOnLan = m_store->setting(kVisibleKey).value_or("1") != "0";
    } catch (const std::exception& e) {
        m_error = std::string("cannot read settings: ") + e.what();
    }
    return values;
}

void GuiSettings::saveValues(const ui::SettingsValues& values)
{
    if (!m_store) return;
    try {
        // The display name is saved by the engine when it handles SetDisplayName.
        m_store->setSetting(kDownloadDirKey, values.downloadDir);
        m_store->setSetting(kPortKey, std::to_string(values.port));
        m_store->setSetting(kThemeKey, values.lightTheme ? "light" : "dark");
        m_store->setSetting(kAutoAcceptKey, values.autoAcceptVerified ? "1" : "0");
        m_store->setSetting(kNotificationsKey, values.notifications ? "1" : "0");
        m_store->setSetting(kStunServersKey, values.stunServers);
    } catch (const std::exception& e) {
        m_error = std::string("cannot save settings: ") + e.what();
    }
}

std::optional<std::array<int, 4>> GuiSettings::windowGeometry()
{
    if (!m_store) return std::nullopt;
    try {
        const auto saved = m_store->setting(kGeometryKey);
        if (!saved) return std::nullopt;
        std::array<int, 4> g{};
        if (std::sscanf(saved->c_str(), "%d %d %d %d", &g[0], &g[1], &g[2], &g[3]) != 4) return std::nullopt;
        // A window of a few pixels, or one far off any screen, is worse than the default.
        if (g[2] < 200 || g[3] < 150 || g[2] > 16384 || g[3] > 16384) return std::nullopt;
        if (g[0] < -g[2] / 2 || g[1] < 0 || g[0] > 16384 || g[1] > 16384) return std::nullopt;
        return g;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

void GuiSettings::saveWindowGeometry(const std::array<int, 4>& g)
{
    if (!m_store) return;
    try {
        m_store->setSetting(kGeometryKey, std::to_string(g[0]) + " " + std::to_string(g[1]) + " " +
                                              std::to_string(g[2]) + " " + std::to_string(g[3]));
    } catch (const std::exception&) {
        // Losing the window position is harmless; everything else about the profile still works.
    }
}

} // namespace duet::app

// ---- Pictures of earlier runs (ui/RememberedPictures.hpp) ----

namespace duet::app {

ui::RememberedPictures GuiSettings::rememberedPictures(std::size_t limit)
{
    if (!m_store) return {};
    try {
        ui::PictureSelection selection = ui::selectRememberedPictures(
            m_store->settingsWithPrefix(ui::kPictureKeyPrefix), limit, [](const std::string& path) {
                std::error_code error;
                return std::filesystem::is_regular_file(path, error);
            });
        try {
            m_store->eraseSettings(selection.forgotten);
        } catch (const std::exception&) {
            // Pruning is housekeeping: the same records are tried again at the next start.
        }
        return std::move(selection.remembered);
    } catch (const std::exception& e) {
        m_error = std::string("cannot list earlier pictures: ") + e.what();
        return {};
    }
}

void GuiSettings::rememberPicture(const ui::RememberedPicture& picture)
{
    if (!m_store) return;
    try {
        m_store->setSetting(ui::pictureKey(picture), ui::encodePicture(picture));
    } catch (const std::exception&) {
        // Only the thumbnail after a restart is lost; this run still shows it.
    }
}

} // namespace duet::app
