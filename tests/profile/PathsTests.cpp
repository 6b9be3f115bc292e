#include "TestSupport.hpp"
#include "duet/profile/Paths.hpp"

#include <doctest/doctest.h>
#include <fstream>
#include <sys/stat.h>

using namespace duet::profile;
using duet::profile::test::EnvOverride;
using duet::profile::test::TempDir;
namespace fs = std::filesystem;

namespace {

void writeFile(const fs::path& file, const std::string& text)
{
    fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out << text;
    REQUIRE(out.good());
}

unsigned modeOf(const fs::path& path)
{
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    return info.st_mode & 07777;
}

// Restores the process umask at scope end.
class UmaskOverride {
public:
    explicit UmaskOverride(mode_t mask) : m_old(::umask(mask)) {}
    ~UmaskOverride() { ::umask(m_old); }

private:
    mode_t m_old;
};

} // namespace

TEST_CASE("parseDownloadDir expands $HOME inside quotes")
{
    const fs::path home = "/home/ann";
    CHECK(parseDownloadDir("XDG_DOWNLOAD_DIR=\"$HOME/Downloads\"\n", home) ==
          fs::path("/home/ann/Downloads"));
    CHECK(parseDownloadDir("XDG_DOWNLOAD_DIR=\"$HOME/My Files/dl\"", home) ==
          fs::path("/home/ann/My Files/dl"));
    CHECK(parseDownloadDir("XDG_DOWNLOAD_DIR=\"$HOME\"", home) == fs::path("/home/ann"));
    CHECK(parseDownloadDir("XDG_DOWNLOAD_DIR=\"$HOME/\"", home) == fs::path("/home/ann"));
}

TEST_CASE("parseDownloadDir reads a whole xdg-user-dirs file with comments and other keys")
{
    const std::string file = "# This file is written by xdg-user-dirs-update\n"
                             "# If you want to change or add directories, just edit the line you're\n"
                             "XDG_DESKTOP_DIR=\"$HOME/Desktop\"\n"
                             "  XDG_DOWNLOAD_DIR = \"$HOME/T\xC3\xA9l\xC3\xA9\x63hargements\"  # French\r\n"
                             "XDG_MUSIC_DIR=\"$HOME/Music\"\n";
    CHECK(parseDownloadDir(file, "/home/ann") == fs::path("/home/ann/T\xC3\xA9l\xC3\xA9\x63hargements"));
}

TEST_CASE("parseDownloadDir accepts absolute paths, unquoted values and escapes")
{
    const fs::path home = "/home/ann";
    CHECK(parseDownloadDir("XDG_DOWNLOAD_DIR=\"/data/dl\"", home) == fs::path("/data/dl"));
    CHECK(parseDownloadDir("XDG_DOWNLOAD_DIR=$HOME/plain", home) == fs::path("/home/ann/plain"));
    CHECK(parseDownloadDir("XDG_DOWNLOAD_DIR=/bare/word # comment\r", home) == fs::path("/bare/word"));
    CHECK(parseDownloadDir(R"(XDG_DOWNLOAD_DIR="$HOME/say \"hi\" \\ there")", home) ==
          fs::path(R"(/home/ann/say "hi" \ there)"));
}

TEST_CASE("parseDownloadDir ignores invalid values and lets the last valid line win")
{
    const fs::path home = "/home/ann";
    CHECK_FALSE(parseDownloadDir("", home).has_value());
    CHECK_FALSE(parseDownloadDir("XDG_DOWNLOAD_DIR=\"Downloads\"", home).has_value()); // relative
    CHECK_FALSE(parseDownloadDir("XDG_DOWNLOAD_DIR=\"$HOMEX/dl\"", home).has_value());
    CHECK_FALSE(parseDownloadDir("XDG_DOWNLOAD_DIR=\"$HOME/unterminated", home).has_value());
    CHECK_FALSE(parseDownloadDir("# XDG_DOWNLOAD_DIR=\"$HOME/commented\"", home).has_value());
    CHECK_FALSE(parseDownloadDir("XDG_DOWNLOAD_DIRX=\"$HOME/other\"", home).has_value());
    CHECK_FALSE(parseDownloadDir("XDG_DOWNLOAD_DIR \"$HOME/no-equals\"", home).has_value());
    CHECK(parseDownloadDir("XDG_DOWNLOAD_DIR=\"$HOME/first\"\nXDG_DOWNLOAD_DIR=\"$HOME/second\"\n", home) ==
          fs::path("/home/ann/second"));
    CHECK(parseDownloadDir("XDG_DOWNLOAD_DIR=\"$HOME/good\"\nXDG_DOWNLOAD_DIR=\"relative\"\n", home) ==
          fs::path("/home/ann/good"));
}

TEST_CASE("defaultDownloadDir reads $XDG_CONFIG_HOME/user-dirs.dirs and expands $HOME")
{
    TempDir temp;
    const fs::path home = temp.path() / "home";
    const fs::path config = temp.path() / "config";
    writeFile(config / "user-dirs.dirs", "XDG_DOWNLOAD_DIR=\"$HOME/Incoming files\"\n");
    EnvOverride setHome("HOME", home.string());
    EnvOverride setConfig("XDG_CONFIG_HOME", config.string());
    CHECK(defaultDownloadDir() == home / "Incoming files");
    CHECK_FALSE(fs::exists(home / "Incoming files")); // only computed, never created
}

TEST_CASE("defaultDownloadDir falls back to ~/.config and then to ~/Downloads")
{
    TempDir temp;
    const fs::path home = temp.path();
    EnvOverride setHome("HOME", home.string());
    EnvOverride unsetConfig("XDG_CONFIG_HOME", std::nullopt);
    CHECK(defaultDownloadDir() == home / "Downloads");

    writeFile(home / ".config" / "user-dirs.dirs", "XDG_DOWNLOAD_DIR=\"/srv/shared/dl\"\n");
    CHECK(defaultDownloadDir() == fs::path("/srv/shared/dl"));

    // A relative XDG_CONFIG_HOME is invalid per the spec, so ~/.config is still used.
    EnvOverride relativeConfig("XDG_CONFIG_HOME", "relative/config");
    CHECK(defaultDownloadDir() == fs::path("/srv/shared/dl"));
}

TEST_CASE("defaultProfileDir follows XDG_DATA_HOME, else ~/.local/share")
{
    EnvOverride setHome("HOME", "/home/ann");
    {
        EnvOverride setData("XDG_DATA_HOME", "/data/xdg");
        CHECK(defaultProfileDir() == fs::path("/data/xdg/duet"));
    }
    {
        EnvOverride unsetData("XDG_DATA_HOME", std::nullopt);
        CHECK(defaultProfileDir() == fs::path("/home/ann/.local/share/duet"));
    }
    {
        EnvOverride relativeData("XDG_DATA_HOME", "not/absolute");
        CHECK(defaultProfileDir() == fs::path("/home/ann/.local/share/duet"));
    }
}

TEST_CASE("ensurePrivateDirectory creates missing directories with mode 0700 whatever the umask")
{
    TempDir temp;
    for (mode_t mask : {mode_t{0}, mode_t{022}, mode_t{0277}}) {
        UmaskOverride umaskScope(mask);
        const fs::path dir = temp.path() / ("mask" + std::to_string(mask)) / "a" / "profile";
        std::string reason;
        REQUIRE(ensurePrivateDirectory(dir, &reason));
        CHECK(reason.empty());
        CHECK(fs::is_directory(dir));
        CHECK(modeOf(dir) == 0700);
        CHECK(modeOf(dir.parent_path()) == 0700);
        CHECK(modeOf(dir.parent_path().parent_path()) == 0700);
    }
}

TEST_CASE("ensurePrivateDirectory leaves an existing directory alone")
{
    TempDir temp;
    const fs::path dir = temp.path() / "existing";
    fs::create_directory(dir);
    fs::permissions(dir, fs::perms(0750));
    CHECK(ensurePrivateDirectory(dir));
    CHECK(modeOf(dir) == 0750);
}

TEST_CASE("ensurePrivateDirectory reports a path that is a file, or lies under one")
{
    TempDir temp;
    const fs::path file = temp.path() / "plain-file";
    writeFile(file, "x");
    std::string reason;
    CHECK_FALSE(ensurePrivateDirectory(file, &reason));
    CHECK(reason.find("plain-file") != std::string::npos);
    CHECK(reason.find("not a directory") != std::string::npos);

    reason.clear();
    CHECK_FALSE(ensurePrivateDirectory(file / "below", &reason));
    CHECK(reason.find("not a directory") != std::string::npos);
    CHECK_FALSE(ensurePrivateDirectory(fs::path(), &reason));
}
