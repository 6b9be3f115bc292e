#include "GuiSettings.hpp"

#include "duet/discovery/DefaultName.hpp"
#include "duet/profile/Paths.hpp"
#include "duet/state/TextSanitize.hpp"

#include <exception>

namespace duet::app {
namespace {

constexpr std::string_view kDisplayNameKey = "display_name"; // the key the engine saves the name under
constexpr std::string_view kThemeKey = "gui.theme";
constexpr std::size_t kMaxNameBytes = 64;

bool usableName(const std::string& name)
{
    return !name.empty() && name.size() <= kMaxNameBytes && state::sanitizeLine(name) == name;
}

} // namespace

GuiSettings::GuiSettings(const std::filesystem::path& profileDir)
    : m_iniPath((profileDir / profile::kImguiIniFile).string())
{
    try {
        m_store = profile::ProfileStore::open(profileDir);
    } catch (const std::exception& e) {
        m_error = std::string("settings are not saved: ") + e.what();
    }
}

std::string GuiSettings::initialDisplayName(const std::string& fromCommandLine)
{
    if (usableName(fromCommandLine)) return fromCommandLine;
    if (m_store) {
        try {
            if (auto saved = m_store->setting(kDisplayNameKey); saved && usableName(*saved)) return *saved;
        } catch (const std::exception&) {
            // Fall through to the defaults; the engine reports database trouble itself.
        }
    }
    // The host name, never the account name: the name goes out in every beacon and Hello.
    return discovery::defaultDisplayName();
}

ui::Theme GuiSettings::theme()
{
    if (!m_store) return ui::Theme::Dark;
    try {
        return m_store->setting(kThemeKey).value_or("dark") == "light" ? ui::Theme::Light : ui::Theme::Dark;
    } catch (const std::exception&) {
        return ui::Theme::Dark;
    }
}

void GuiSettings::saveTheme(ui::Theme theme)
{
    if (!m_store) return;
    try {
        m_store->setSetting(kThemeKey, theme == ui::Theme::Light ? "light" : "dark");
    } catch (const std::exception& e) {
        m_error = std::string("cannot save the theme: ") + e.what();
    }
}

std::vector<profile::KnownPeer> GuiSettings::rememberedPeers(std::size_t limit)
{
    std::vector<profile::KnownPeer> peers;
    if (!m_store) return peers;
    try {
        for (profile::KnownPeer& peer : m_store->knownPeers()) {
            if (peers.size() >= limit) break;
            if (peer.verified) peers.push_back(std::move(peer));
        }
    } catch (const std::exception& e) {
        m_error = std::string("cannot list known peers: ") + e.what();
    }
    return peers;
}

std::vector<profile::KnownPeer> GuiSettings::recentPeers(std::size_t limit)
{
    std::vector<profile::KnownPeer> recent;
    if (!m_store) return recent;
    try {
        // Only the last few unverified contacts are kept; nothing was pinned for them.
        m_store->pruneUnverifiedPeers(limit);
        for (profile::KnownPeer& peer : m_store->knownPeers())
            if (!peer.verified && recent.size() < limit) recent.push_back(std::move(peer));
    } catch (const std::exception& e) {
        m_error = std::string("cannot list recent peers: ") + e.what();
    }
    return recent;
}

void GuiSettings::forgetUnverifiedPeer(const std::string& fingerprint)
{
    if (!m_store) return;
    try {
        // Checked by the store, not only by the UI: Forget must never unpin a verified key.
        m_store->forgetUnverifiedPeer(fingerprint);
    } catch (const std::exception& e) {
        m_error = std::string("cannot forget the peer: ") + e.what();
    }
}

} // namespace duet::app
