#include "duet/profile/Paths.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <pwd.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace duet::profile {

namespace fs = std::filesystem;

namespace {

// user-dirs.dirs is a few hundred bytes; anything far larger is not one and is not worth reading.
constexpr std::streamsize kMaxUserDirsFileSize = 64 * 1024;

// The XDG spec says a relative value in an XDG_*_HOME variable is invalid and must be ignored.
fs::path xdgBaseDir(const char* variable, const char* fallbackUnderHome)
{
    const char* value = std::getenv(variable);
    if (value != nullptr && value[0] == '/') return fs::path(value);
    return homeDirectory() / fallbackUnderHome;
}

std::string_view trimLeft(std::string_view text)
{
    std::size_t start = text.find_first_not_of(" \t");
    return start == std::string_view::npos ? std::string_view() : text.substr(start);
}

// The value after '=' as the shell would read it: a double-quoted string with backslash escapes, or a bare
// word ending at the first blank (so a trailing "# comment" is not part of it).
std::optional<std::string> unquote(std::string_view value)
{
    if (value.empty() || value.front() != '"')
        return std::string(value.substr(0, value.find_first_of(" \t\r")));
    std::string out;
    for (std::size_t i = 1; i < value.size(); ++i) {
        char c = value[i];
        if (c == '"') return out;
        if (c == '\\' && i + 1 < value.size()) c = value[++i];
        out.push_back(c);
    }
    return std::nullopt; // no closing quote
}

std::optional<fs::path> expandHome(std::string_view value, const fs::path& home)
{
    constexpr std::string_view kHome = "$HOME";
    if (value.starts_with(kHome)) {
        std::string_view rest = value.substr(kHome.size());
        if (rest.empty()) return home;
        if (rest.front() != '/') return std::nullopt; // "$HOMEx" is not $HOME
        std::size_t relativeStart = rest.find_first_not_of('/');
        if (relativeStart == std::string_view::npos) return home;
        return home / rest.substr(relativeStart);
    }
    if (value.starts_with('/')) return fs::path(value);
    return std::nullopt;
}

std::optional<fs::path> parseDownloadLine(std::string_view line, const fs::path& home)
{
    constexpr std::string_view kKey = "XDG_DOWNLOAD_DIR";
    line = trimLeft(line);
    if (!line.starts_with(kKey)) return std::nullopt;
    line = trimLeft(line.substr(kKey.size()));
    if (!line.starts_with('=')) return std::nullopt;
    std::optional<std::string> value = unquote(trimLeft(line.substr(1)));
    if (!value) return std::nullopt;
    return expandHome(*value, home);
}

std::string osError(const fs::path& path, const char* what, int error)
{
    return std::string(what) + " '" + path.string() + "': " + std::strerror(error);
}

} // namespace

fs::path homeDirectory()
{
    const char* home = std::getenv("HOME");
    if (home != nullptr && home[0] != '\0') return fs::path(home);

    long suggested = sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buffer(suggested > 0 ? static_cast<std::size_t>(suggested) : 16384);
    passwd entry{};
    passwd* found = nullptr;
    if (getpwuid_r(getuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr &&
        found->pw_dir != nullptr && found->pw_dir[0] != '\0')
        return fs::path(found->pw_dir);
    throw std::runtime_error(
        "cannot find the home directory: HOME is unset and the user has no passwd entry");
}

fs::path defaultProfileDir()
{
    return xdgBaseDir("XDG_DATA_HOME", ".local/share") / "duet";
}

fs::path defaultDownloadDir()
{
    fs::path home = homeDirectory();
    std::ifstream file(xdgBaseDir("XDG_CONFIG_HOME", ".config") / "user-dirs.dirs", std::ios::binary);
    if (file) {
        std::string text(static_cast<std::size_t>(kMaxUserDirsFileSize), '\0');
        file.read(text.data(), kMaxUserDirsFileSize);
        text.resize(static_cast<std::size_t>(file.gcount()));
        if (std::optional<fs::path> dir = parseDownloadDir(text, home)) return *dir;
    }
    return home / "Downloads";
}

std::optional<fs::path> parseDownloadDir(std::string_view userDirsText, const fs::path& home)
{
    std::optional<fs::path> result;
    while (!userDirsText.empty()) {
        std::size_t end = userDirsText.find('\n');
        std::string_view line = userDirsText.substr(0, end);
        userDirsText = end == std::string_view::npos ? std::string_view() : userDirsText.substr(end + 1);
        // Later assignments override earlier ones, as when the shell sources the file.
        if (std::optional<fs::path> dir = parseDownloadLine(line, home)) result = std::move(dir);
    }
    return result;
}

bool ensurePrivateDirectory(const fs::path& dir, std::string* reason)
{
    auto failWith = [&](std::string message) {
        if (reason != nullptr) *reason = std::move(message);
        return false;
    };
    if (dir.empty()) return failWith("cannot create a directory with an empty path");

    // Walk up to the first existing ancestor, then create the missing ones top-down.
    std::vector<fs::path> missing;
    std::error_code error;
    for (fs::path current = dir; !current.empty(); current = current.parent_path()) {
        fs::file_status status = fs::status(current, error);
        if (fs::is_directory(status)) break;
        if (fs::exists(status)) return failWith("'" + current.string() + "' exists and is not a directory");
        missing.push_back(current);
        if (current == current.parent_path()) break;
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        if (::mkdir(it->c_str(), 0700) != 0) {
            int mkdirError = errno;
            // Another instance may have created it in the meantime; that is fine.
            if (mkdirError == EEXIST && fs::is_directory(*it, error)) continue;
            return failWith(osError(*it, "cannot create directory", mkdirError));
        }
        // mkdir's mode is filtered by the umask; set it exactly.
        if (::chmod(it->c_str(), 0700) != 0) return failWith(osError(*it, "cannot set mode 0700 on", errno));
    }
    return true;
}

} // namespace duet::profile
