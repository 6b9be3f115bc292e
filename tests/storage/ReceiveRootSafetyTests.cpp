// Hostile file-system states around the download folder (checklist B1, B2, E4 and error values):
// symlinks planted or swapped in, a read-only folder, a folder that vanished, a full disk. In each case
// a sentinel folder outside the download folder must stay byte-identical.
#include "TempFolder.hpp"
#include "duet/storage/ReceiveRoot.hpp"

#include <csignal>
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <vector>

using namespace duet::storage;
using namespace duet::storage::test;
namespace fs = std::filesystem;

namespace {

TransferKey key(std::string_view hex)
{
    return TransferKey::fromHex(hex).value();
}

std::vector<std::uint8_t> bytesOf(std::string_view text)
{
    return {text.begin(), text.end()};
}

// <temp>/dl is the download folder, <temp>/sentinel a folder outside it with known content.
struct Layout {
    TempFolder temp;
    fs::path download = temp / "dl";
    fs::path sentinel = temp / "sentinel";
    Layout()
    {
        fs::create_directory(download);
        fs::create_directory(sentinel);
        writeFile(sentinel / "authorized_keys", "ssh-ed25519 AAAA user@host\n");
    }
};

} // namespace

TEST_CASE("B1 a symlink in the download folder pointing outside is never written through")
{
    Layout layout;
    const auto before = snapshot(layout.sentinel);
    fs::create_directory_symlink(layout.sentinel, layout.download / "out");
    auto root = ReceiveRoot::open(layout.download);
    REQUIRE(root.ok());
    auto partial = root->openPartial(key("b1"), 0);
    REQUIRE(partial.ok());
    REQUIRE(partial->writeAt(0, bytesOf("ssh-rsa ATTACKER")).ok());

    for (const char* destination : {"out/authorized_keys", "out/new-file", "out/sub/deeper/x"}) {
        CAPTURE(destination);
        const auto result = root->commit(*partial, destination);
        REQUIRE(!result.ok());
        CHECK(result.error().code == StorageErrorCode::SymlinkRefused);
        CHECK(result.error().message.find("symbolic link") != std::string::npos);
    }
    CHECK(snapshot(layout.sentinel) == before);
    CHECK(partial->isOpen()); // kept for the caller to discard or retry
    CHECK(root->listPartials()->size() == 1);
    // A top-level reservation of that name picks another name instead of following the link.
    CHECK(*root->reserveTopLevelName("out") == "out (1)");
    CHECK(snapshot(layout.sentinel) == before);
}

TEST_CASE("B1 a symlink deeper in the tree is refused as well")
{
    Layout layout;
    const auto before = snapshot(layout.sentinel);
    fs::create_directories(layout.download / "a/b");
    fs::create_directory_symlink(layout.sentinel, layout.download / "a/b/c");
    auto root = ReceiveRoot::open(layout.download);
    REQUIRE(root.ok());
    auto partial = root->openPartial(key("b1b1"), 0);
    REQUIRE(partial.ok());
    CHECK(root->commit(*partial, "a/b/c/x").error().code == StorageErrorCode::SymlinkRefused);
    CHECK(snapshot(layout.sentinel) == before);
}

TEST_CASE("B1 symlinks planted in the partial area are refused")
{
    Layout layout;
    const auto before = snapshot(layout.sentinel);
    auto root = ReceiveRoot::open(layout.download);
    REQUIRE(root.ok());

    SUBCASE("the partial area itself")
    {
        fs::create_directory_symlink(layout.sentinel, layout.download / ".duet-partial");
        const auto partial = root->openPartial(key("ab"), 0);
        REQUIRE(!partial.ok());
        CHECK(partial.error().code == StorageErrorCode::SymlinkRefused);
        CHECK(root->listPartials().error().code == StorageErrorCode::SymlinkRefused);
    }
    SUBCASE("a transfer folder")
    {
        fs::create_directory(layout.download / ".duet-partial");
        fs::create_directory_symlink(layout.sentinel, layout.download / ".duet-partial/ab");
        CHECK(root->openPartial(key("ab"), 0).error().code == StorageErrorCode::SymlinkRefused);
        CHECK(root->discardTransfer(key("ab")).error().code == StorageErrorCode::SymlinkRefused);
    }
    SUBCASE("a partial file")
    {
        fs::create_directories(layout.download / ".duet-partial/ab");
        fs::create_symlink(layout.sentinel / "authorized_keys",
                           layout.download / ".duet-partial/ab/0.duet-part");
        CHECK(root->openPartial(key("ab"), 0).error().code == StorageErrorCode::SymlinkRefused);
        CHECK(root->listPartials()->empty());
    }
    CHECK(snapshot(layout.sentinel) == before);
}

TEST_CASE("B2 a folder swapped for a symlink between two commits is refused")
{
    Layout layout;
    const auto before = snapshot(layout.sentinel);
    auto root = ReceiveRoot::open(layout.download);
    REQUIRE(root.ok());
    auto first = root->openPartial(key("b2"), 0);
    auto second = root->openPartial(key("b2"), 1);
    REQUIRE((first.ok() && second.ok()));
    REQUIRE(second->writeAt(0, bytesOf("second")).ok());
    REQUIRE(root->commit(*first, "A/one.txt").ok());

    // The attacker moves the folder away and puts a symlink to the outside in its place.
    fs::rename(layout.download / "A", layout.download / "A-moved");
    fs::create_directory_symlink(layout.sentinel, layout.download / "A");

    const auto result = root->commit(*second, "A/two.txt");
    REQUIRE(!result.ok());
    CHECK(result.error().code == StorageErrorCode::SymlinkRefused);
    CHECK(snapshot(layout.sentinel) == before);
    CHECK(fs::exists(layout.download / "A-moved/one.txt"));
    CHECK(readFile(layout.download / ".duet-partial/b2/1.duet-part") == "second");
}

TEST_CASE("B2 a partial area swapped for a symlink after opening does not redirect the open partial")
{
    Layout layout;
    const auto before = snapshot(layout.sentinel);
    auto root = ReceiveRoot::open(layout.download);
    REQUIRE(root.ok());
    auto partial = root->openPartial(key("b2b2"), 0);
    REQUIRE(partial.ok());

    fs::rename(layout.download / ".duet-partial", layout.download / "moved-area");
    fs::create_directory_symlink(layout.sentinel, layout.download / ".duet-partial");

    // Writes and the final rename use the handles opened before the swap, never the path.
    REQUIRE(partial->writeAt(0, bytesOf("payload")).ok());
    const auto committed = root->commit(*partial, "result.txt");
    REQUIRE(committed.ok());
    CHECK(readFile(layout.download / "result.txt") == "payload");
    CHECK(snapshot(layout.sentinel) == before);
    // New partials are refused while the symlink is there.
    CHECK(root->openPartial(key("b2b2"), 1).error().code == StorageErrorCode::SymlinkRefused);
}

TEST_CASE("a download folder that is itself a symlink is refused at open")
{
    Layout layout;
    fs::create_directory_symlink(layout.download, layout.temp / "link-to-dl");
    const auto root = ReceiveRoot::open(layout.temp / "link-to-dl");
    REQUIRE(!root.ok());
    CHECK(root.error().code == StorageErrorCode::SymlinkRefused);
    CHECK(ReceiveRoot::open(layout.temp / "missing").error().code == StorageErrorCode::NotFound);
    writeFile(layout.temp / "plain", "x");
    CHECK(ReceiveRoot::open(layout.temp / "plain").error().code == StorageErrorCode::NotADirectory);
}

TEST_CASE("a read-only download folder gives an error value, not a crash")
{
    Layout layout;
    writeFile(layout.download / "existing.txt", "x");
    fs::permissions(layout.download, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                         fs::perms::group_exec | fs::perms::others_read |
                                         fs::perms::others_exec);
    // Root ignores permission bits, so the check runs as an unprivileged user in a child process.
    const int status = runInChild(
        [&] {
            auto root = ReceiveRoot::open(layout.download);
            if (!root.ok()) return 10;
            const auto partial = root->openPartial(key("0e"), 0);
            if (partial.ok()) return 11;
            if (partial.error().code != StorageErrorCode::PermissionDenied) return 12;
            if (partial.error().message.find("Permission denied") == std::string::npos) return 13;
            const auto reserved = root->reserveTopLevelName("Camera");
            if (reserved.ok() || reserved.error().code != StorageErrorCode::PermissionDenied) return 14;
            if (!root->listPartials().ok()) return 15; // nothing to list is not an error
            return 0;
        },
        true);
    CHECK(status == 0);
    CHECK(namesIn(layout.download) == std::vector<std::string>{"existing.txt"});
    CHECK(codeForErrno(EROFS) == StorageErrorCode::ReadOnly);
    CHECK(codeForErrno(ENOSPC) == StorageErrorCode::NoSpace);
    CHECK(codeForErrno(EDQUOT) == StorageErrorCode::NoSpace);
}

TEST_CASE("a download folder that vanished gives NotFound values")
{
    Layout layout;
    auto root = ReceiveRoot::open(layout.download);
    REQUIRE(root.ok());
    auto partial = root->openPartial(key("0a"), 0);
    REQUIRE(partial.ok());
    fs::remove_all(layout.download);

    const auto again = root->openPartial(key("0a"), 1);
    REQUIRE(!again.ok());
    CHECK(again.error().code == StorageErrorCode::NotFound);
    CHECK(!again.error().message.empty());
    const auto committed = root->commit(*partial, "x.txt");
    REQUIRE(!committed.ok());
    CHECK(committed.error().code == StorageErrorCode::NotFound);
    CHECK(root->reserveTopLevelName("Camera").error().code == StorageErrorCode::NotFound);
    CHECK(root->listPartials()->empty());
    CHECK(!fs::exists(layout.download));
}

TEST_CASE("E4 running out of room while writing is an error value")
{
    Layout layout;
    auto root = ReceiveRoot::open(layout.download);
    REQUIRE(root.ok());
    // A file-size limit stands in for a full disk: the kernel refuses the write past it (EFBIG).
    const int status = runInChild(
        [&] {
            std::signal(SIGXFSZ, SIG_IGN);
            const rlimit limit{4096, 4096};
            if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 20;
            auto partial = root->openPartial(key("f0"), 0);
            if (!partial.ok()) return 21;
            const std::vector<std::uint8_t> chunk(8192, 0x5a);
            const auto written = partial->writeAt(0, chunk);
            if (written.ok()) return 22;
            if (written.error().code != StorageErrorCode::NoSpace) return 23;
            return 0;
        },
        false);
    CHECK(status == 0);
    CHECK(fs::file_size(layout.download / ".duet-partial/f0/0.duet-part") == 4096);
}
