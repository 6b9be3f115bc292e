#pragma once
// The GUI's view of the profile: the display name to start with, the theme, and where imgui.ini lives.
// Reads and writes the profile database through a second, UI-thread ProfileStore (WAL lets it share the
// file with the engine's). When the profile cannot be opened, defaults are used and error() says why.
// Thread: main thread.
#include "duet/profile/ProfileStore.hpp"
#include "duet/ui/ViewState.hpp"

#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace duet::app {

class GuiSettings {
public:
    explicit GuiSettings(const std::filesystem::path& profileDir);

    // The same order the engine uses: the command line's name, the saved one, the host name, "Duet user"
    // (never $USER: the name goes out in every beacon).
    std::string initialDisplayName(const std::string& fromCommandLine);
    ui::Theme theme();
    void saveTheme(ui::Theme theme);
    // Always inside the profile, never the working directory.
    const std::string& imguiIniPath() const { return m_iniPath; }
    const std::string& error() const { return m_error; }

    // GuiSettingsValues.cpp: the settings window's values and the window geometry, kept in the profile.
    ui::SettingsValues values(const std::string& displayName, const std::string& defaultDownloadDir,
                              std::uint16_t port);
    void saveValues(const ui::SettingsValues& values);
    // Pinned (verified) peers, most recently seen first, at most `limit`: listed Offline at start so
    // their stored conversations open before they are back. Empty when the profile cannot be read.
    std::vector<profile::KnownPeer> rememberedPeers(std::size_t limit);
    // Unverified peers of earlier runs, most recently seen first, at most `limit`; older unverified rows are
    // deleted from the profile (pinned ones are never touched). Empty when the profile cannot be read.
    std::vector<profile::KnownPeer> recentPeers(std::size_t limit);
    // Deletes this identity from the profile if, and only if, it is stored unverified.
    void forgetUnverifiedPeer(const std::string& fingerprint);
    // x, y, width, height of the window when it was last closed, if saved and plausible.
    std::optional<std::array<int, 4>> windowGeometry();
    void saveWindowGeometry(const std::array<int, 4>& geometry);
    // Pictures exchanged in earlier runs whose file is still there, the newest `limit`, oldest first;
    // rememberPicture() keeps one more (replacing the same offer and file).
    ui::RememberedPictures rememberedPictures(std::size_t limit);
    void rememberPicture(const ui::RememberedPicture& picture);

private:
    std::unique_ptr<profile::ProfileStore> m_store;
    std::string m_iniPath;
    std::string m_error;
};

} // namespace duet::app
