#include "duet/crypto/Identity.hpp"

#include <doctest/doctest.h>
#include <fstream>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace duet::crypto;
namespace fs = std::filesystem;

namespace {

// A fresh private directory, removed with everything in it at the end of the test.
class TempDir {
public:
    TempDir()
    {
        std::string pattern = (fs::temp_directory_path() / "duet-crypto-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        m_path = pattern;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir()
    {
        std::error_code ignored;
        fs::remove_all(m_path, ignored);
    }
    const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

unsigned modeOf(const fs::path& path)
{
    struct stat info {};
    REQUIRE(::lstat(path.c_str(), &info) == 0);
    return info.st_mode & 07777;
}

void writeFile(const fs::path& path, const std::string& content)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    REQUIRE(out.good());
}

std::string readFile(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string loadError(const fs::path& path)
{
    try {
        Identity::loadOrCreate(path);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST_CASE("the identity file is created 0600 in new 0700 directories and reloads to the same key")
{
    TempDir dir;
    const fs::path file = dir.path() / "profile" / "keys" / "identity.key";
    const Identity created = Identity::loadOrCreate(file);

    CHECK(modeOf(file) == 0600);
    CHECK(modeOf(file.parent_path()) == 0700);
    CHECK(modeOf(file.parent_path().parent_path()) == 0700);
    const std::string content = readFile(file);
    REQUIRE(content.size() == 40);
    CHECK(content.substr(0, 8) == "DUETID1\n");
    // Nothing but the key file is left behind (no temporary files).
    CHECK(std::distance(fs::directory_iterator(file.parent_path()), fs::directory_iterator()) == 1);

    const Identity loaded = Identity::loadOrCreate(file);
    CHECK(loaded.publicKey() == created.publicKey());
    // The file holds the seed: the same key comes from Identity::fromSeed.
    std::array<std::uint8_t, 32> seed{};
    std::copy(content.begin() + 8, content.end(), seed.begin());
    CHECK(Identity::fromSeed(seed).publicKey() == created.publicKey());
}

TEST_CASE("two profiles get different identities")
{
    TempDir dir;
    CHECK(Identity::loadOrCreate(dir.path() / "a.key").publicKey() !=
          Identity::loadOrCreate(dir.path() / "b.key").publicKey());
}

TEST_CASE("an existing identity file is loaded even if its permissions are loose")
{
    TempDir dir;
    const fs::path file = dir.path() / "identity.key";
    const Key32 key = Identity::loadOrCreate(file).publicKey();
    REQUIRE(::chmod(file.c_str(), 0644) == 0);
    CHECK(Identity::loadOrCreate(file).publicKey() == key);
    CHECK(modeOf(file) == 0644); // re-chmod is not this library's business
}

TEST_CASE("corrupt identity files are refused with a clear error and left untouched")
{
    TempDir dir;
    const fs::path file = dir.path() / "identity.key";
    const std::string seed(32, 'k');
    struct Case {
        std::string name;
        std::string content;
    };
    const Case cases[] = {
        {"empty", ""},
        {"short", "DUETID1\n" + seed.substr(0, 31)},
        {"long", "DUETID1\n" + seed + "x"},
        {"bad magic", "DUETID2\n" + seed},
        {"header only", "DUETID1\n"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        writeFile(file, c.content);
        const std::string error = loadError(file);
        CHECK(error.find("corrupt") != std::string::npos);
        CHECK(error.find(file.string()) != std::string::npos);
        CHECK(readFile(file) == c.content);
    }
}

TEST_CASE("a directory where the identity file should be is refused")
{
    TempDir dir;
    const fs::path file = dir.path() / "identity.key";
    fs::create_directory(file);
    CHECK(loadError(file).find("not a regular file") != std::string::npos);
}

TEST_CASE("an uncreatable identity path throws instead of returning a key")
{
    TempDir dir;
    writeFile(dir.path() / "plain-file", "x");
    CHECK_FALSE(loadError(dir.path() / "plain-file" / "identity.key").empty());
}

TEST_CASE("a dangling symlink at the identity path is never written through")
{
    TempDir dir;
    const fs::path target = dir.path() / "elsewhere";
    const fs::path file = dir.path() / "identity.key";
    fs::create_symlink(target, file);
    CHECK_FALSE(loadError(file).empty());
    CHECK_FALSE(fs::exists(target));
}

TEST_CASE("processes racing to create the identity end up with the same key")
{
    TempDir dir;
    const fs::path file = dir.path() / "identity.key";
    Key32 first{};
    Key32 second{};
    std::thread other([&] { second = Identity::loadOrCreate(file).publicKey(); });
    first = Identity::loadOrCreate(file).publicKey();
    other.join();
    CHECK(first == second);
    CHECK(Identity::loadOrCreate(file).publicKey() == first);
}
