#pragma once
// Where a profile and received files live by default, following the XDG base directory spec.
// Thread: any (reads the environment, so do not race with setenv). Errors: see each function.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace duet::profile {

// The files inside a profile directory.
inline constexpr std::string_view kIdentityKeyFile = "identity.key"; // written by duet::crypto
inline constexpr std::string_view kImguiIniFile = "imgui.ini";
inline constexpr std::string_view kDatabaseFile = "duet.db";

// $HOME, or the passwd entry when HOME is unset. Throws std::runtime_error when neither exists.
std::filesystem::path homeDirectory();

// $XDG_DATA_HOME/duet, else ~/.local/share/duet. Settings live in this directory's database too, not
// under $XDG_CONFIG_HOME: one directory then holds a whole profile, so copying, backing up or running a
// second instance with another profile means pointing at one other folder. Throws like homeDirectory().
std::filesystem::path defaultProfileDir();

// XDG_DOWNLOAD_DIR from $XDG_CONFIG_HOME/user-dirs.dirs (else ~/.config/user-dirs.dirs), else ~/Downloads.
// Does not create the directory. Throws like homeDirectory().
std::filesystem::path defaultDownloadDir();

// The XDG_DOWNLOAD_DIR value in the text of a user-dirs.dirs file: "$HOME/x" (expanded with `home`) or an
// absolute path, quoted or not, with backslash escapes inside quotes. The last valid line wins;
// relative or malformed values are ignored. std::nullopt when there is none.
std::optional<std::filesystem::path> parseDownloadDir(std::string_view userDirsText,
                                                      const std::filesystem::path& home);

// Makes sure `dir` is a directory, creating it and any missing parents with mode 0700 (exactly, whatever
// the umask). An existing directory is left as it is. Returns true when `dir` is a directory on return;
// false otherwise, with the reason (path and OS error) in `*reason` when given.
bool ensurePrivateDirectory(const std::filesystem::path& dir, std::string* reason = nullptr);

} // namespace duet::profile
