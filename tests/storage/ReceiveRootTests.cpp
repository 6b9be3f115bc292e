// ReceiveRoot against a real temporary folder: partial writes, commit, names that are taken (B4, B5),
// resume listing, metadata (B7), free space.
#include "TempFolder.hpp"
#include "duet/storage/BackgroundIo.hpp"
#include "duet/storage/FolderOps.hpp"
#include "duet/storage/ReceiveRoot.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
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

// Receives `content` as file 0 of a fresh transfer and commits it to `destination`.
std::string receive(ReceiveRoot& root, std::string_view destination, std::string_view content,
                    std::string_view transfer = "aa")
{
    auto partial = root.openPartial(key(transfer), 0);
    REQUIRE(partial.ok());
    REQUIRE(partial->writeAt(0, bytesOf(content)).ok());
    auto committed = root.commit(*partial, destination);
    REQUIRE_MESSAGE(committed.ok(), committed.error().message);
    return *committed;
}

ino_t inodeOf(const fs::path& path)
{
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st.st_ino;
}

// Pages of `path` in the page cache, counted with mincore over a read-only mapping.
std::size_t residentPages(const fs::path& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    const std::size_t size = fs::file_size(path);
    void* mapped = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    ::close(fd);
    REQUIRE(mapped != MAP_FAILED);
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    std::vector<unsigned char> resident((size + page - 1) / page);
    REQUIRE(::mincore(mapped, size, resident.data()) == 0);
    ::munmap(mapped, size);
    std::size_t count = 0;
    for (unsigned char flags : resident)
        count += flags & 1u;
    return count;
}

} // namespace

TEST_CASE("a partial file is invisible under its final name until commit, which is a rename")
{
    TempFolder temp;
    auto root = ReceiveRoot::open(temp.path());
    REQUIRE(root.ok());
    auto partial = root->openPartial(key("0123abcd"), 7);
    REQUIRE(partial.ok());
    CHECK(partial->size() == 0);
    REQUIRE(partial->writeAt(6, bytesOf("world")).ok()); // chunks may arrive out of order
    REQUIRE(partial->writeAt(0, bytesOf("hello ")).ok());
    CHECK(partial->size() == 11);

    const fs::path partialPath = temp / ".duet-partial/0123abcd/7.duet-part";
    CHECK(readFile(partialPath) == "hello world");
    CHECK(namesIn(temp.path()) == std::vector<std::string>{".duet-partial"});
    CHECK(!fs::exists(temp / "docs"));
    const ino_t inode = inodeOf(partialPath);

    auto committed = root->commit(*partial, "docs/greeting.txt");
    REQUIRE(committed.ok());
    CHECK(*committed == "docs/greeting.txt");
    CHECK(readFile(temp / "docs/greeting.txt") == "hello world");
    CHECK(inodeOf(temp / "docs/greeting.txt") == inode); // moved, not copied
    CHECK(!fs::exists(partialPath));
    CHECK(!partial->isOpen());
    CHECK(root->commit(*partial, "again.txt").error().code == StorageErrorCode::Closed);
    CHECK(partial->writeAt(0, bytesOf("x")).error().code == StorageErrorCode::Closed);
}

TEST_CASE("readAt and truncate work on the partial")
{
    TempFolder temp;
    auto root = ReceiveRoot::open(temp.path());
    REQUIRE(root.ok());
    auto partial = root->openPartial(key("bb"), 1);
    REQUIRE(partial.ok());
    REQUIRE(partial->writeAt(0, bytesOf("0123456789")).ok());
    std::vector<std::uint8_t> buffer(4);
    auto got = partial->readAt(8, buffer);
    REQUIRE(got.ok());
    CHECK(*got == 2);
    CHECK(buffer[0] == '8');
    REQUIRE(partial->truncate(5).ok());
    CHECK(partial->size() == 5);
    CHECK(*partial->readAt(0, buffer) == 4);
    CHECK(*partial->readAt(100, buffer) == 0);
    CHECK(partial->sync().ok());
    CHECK(fs::file_size(temp / ".duet-partial/bb/1.duet-part") == 5);
    // Early writeback is only a hint: it changes nothing a reader sees.
    REQUIRE(partial->writeAt(5, bytesOf("abcde")).ok());
    const int ioPriority = BackgroundIoScope::currentThreadPriority();
    CHECK(partial->startWriteback(0, 10).ok());
    CHECK(partial->startWriteback(8, 1u << 20).ok());                // past the end is fine
    CHECK(BackgroundIoScope::currentThreadPriority() == ioPriority); // the caller's priority is back
    CHECK(*partial->readAt(0, buffer) == 4);
    CHECK(buffer[0] == '0');
    CHECK(fs::file_size(temp / ".duet-partial/bb/1.duet-part") == 10);
}

TEST_CASE("background I/O runs at the idle class inside the scope and at the thread's own after it")
{
    const int before = BackgroundIoScope::currentThreadPriority();
    REQUIRE(before >= 0); // Linux has had ioprio_get since 2.6.13
    {
        const BackgroundIoScope background;
        CHECK(BackgroundIoScope::isIdleClass(BackgroundIoScope::currentThreadPriority()));
        {
            const BackgroundIoScope nested; // restores the idle class, not the thread's own
        }
        CHECK(BackgroundIoScope::isIdleClass(BackgroundIoScope::currentThreadPriority()));
    }
    CHECK(BackgroundIoScope::currentThreadPriority() == before);
    CHECK_FALSE(BackgroundIoScope::isIdleClass(-1));
}

TEST_CASE("released pages leave the page cache once on disk and read back unchanged")
{
    TempFolder temp;
    auto root = ReceiveRoot::open(temp.path());
    REQUIRE(root.ok());
    auto partial = root->openPartial(key("bc"), 0);
    REQUIRE(partial.ok());
    std::vector<std::uint8_t> data(4u << 20);
    for (std::size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<std::uint8_t>(i * 7 + i / 4096);
    REQUIRE(partial->writeAt(0, data).ok());
    const fs::path file = temp.path() / ".duet-partial/bc/0.duet-part";
    // Dirty pages are kept: releasing before the data is on disk loses nothing.
    partial->releaseCached(0, data.size());
    REQUIRE(partial->sync().ok());
    partial->releaseCached(0, data.size() / 2);
    struct statfs filesystem {};
    REQUIRE(::statfs(temp.path().c_str(), &filesystem) == 0);
    const std::size_t pages = data.size() / static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    const std::size_t resident = residentPages(file);
    MESSAGE("resident pages after releasing half: " << resident << " of " << pages);
    if (filesystem.f_type != TMPFS_MAGIC) // tmpfs pages are the file itself: nothing to release
        CHECK(resident <= pages / 2);
    std::vector<std::uint8_t> back(data.size());
    REQUIRE(*partial->readAt(0, back) == data.size());
    CHECK(back == data);
    partial->releaseCached(data.size(), 1u << 20); // past the end is fine
}

TEST_CASE("C5 writes that would pass the largest file size are refused without touching the file")
{
    TempFolder temp;
    auto root = ReceiveRoot::open(temp.path());
    REQUIRE(root.ok());
    auto partial = root->openPartial(key("cc"), 0);
    REQUIRE(partial.ok());
    const auto data = bytesOf("abc");
    CHECK(partial->writeAt(UINT64_MAX, data).error().code == StorageErrorCode::OutOfRange);
    CHECK(partial->writeAt(UINT64_MAX - 1, data).error().code == StorageErrorCode::OutOfRange);
    CHECK(partial->writeAt(std::uint64_t{1} << 63, data).error().code == StorageErrorCode::OutOfRange);
    CHECK(partial->truncate(UINT64_MAX).error().code == StorageErrorCode::OutOfRange);
    CHECK(partial->size() == 0);
    CHECK(fs::file_size(temp / ".duet-partial/cc/0.duet-part") == 0);
}

TEST_CASE("B4 an existing file is never overwritten: the new one gets a numbered name")
{
    TempFolder temp;
    writeFile(temp / "report.pdf", "original");
    writeFile(temp / "archive.tar.gz", "original archive");
    writeFile(temp / ".bashrc", "original rc");
    auto root = ReceiveRoot::open(temp.path());
    REQUIRE(root.ok());

    CHECK(receive(*root, "report.pdf", "new 1") == "report (1).pdf");
    CHECK(receive(*root, "report.pdf", "new 2") == "report (2).pdf");
    CHECK(receive(*root, "archive.tar.gz", "new archive") == "archive (1).tar.gz");
    CHECK(receive(*root, ".bashrc", "new rc") == ".bashrc (1)");
    CHECK(readFile(temp / "report.pdf") == "original");
    CHECK(readFile(temp / "report (1).pdf") == "new 1");
    CHECK(readFile(temp / "report (2).pdf") == "new 2");
    CHECK(readFile(temp / "archive.tar.gz") == "original archive");
    CHECK(readFile(temp / ".bashrc") == "original rc");
    CHECK(readFile(temp / ".bashrc (1)") == "new rc");
}

TEST_CASE("B4 a folder or symlink of the same name is not replaced by a received file")
{
    TempFolder temp;
    fs::create_directory(temp / "taken");
    writeFile(temp / "taken/inside.txt", "kept");
    fs::create_symlink("/nonexistent-target", temp / "dangling");
    auto root = ReceiveRoot::open(temp.path());
    REQUIRE(root.ok());
    CHECK(receive(*root, "taken", "file") == "taken (1)");
    CHECK(receive(*root, "dangling", "file") == "dangling (1)");
    CHECK(readFile(temp / "taken/inside.txt") == "kept");
    CHECK(fs::is_symlink(temp / "dangling"));
    CHECK(!fs::exists(fs::path("/nonexistent-target")));
}

TEST_CASE("B5 an existing folder is never merged into: the received tree gets a numbered top-level name")
{
    TempFolder temp;
    fs::create_directory(temp / "Camera");
    writeFile(temp / "Camera/old.jpg", "old photo");
    const auto before = snapshot(temp / "Camera");
    auto root = ReceiveRoot::open(temp.path());
    REQUIRE(root.ok());

    auto reserved = root->reserveTopLevelName("Camera");
    REQUIRE(reserved.ok());
    CHECK(*reserved == "Camera (1)");
    CHECK(fs::is_directory(temp / "Camera (1)"));
    CHECK(receive(*root, *reserved + "/old.jpg", "new photo") == "Camera (1)/old.jpg");
    CHECK(receive(*root, *reserved + "/2024/trip.jpg", "trip") == "Camera (1)/2024/trip.jpg");
    CHECK(snapshot(temp / "Camera") == before);

    // A second transfer of the same folder gets its own name, even while the first is unfinished.
    CHECK(*root->reserveTopLevelName("Camera") == "Camera (2)");
    CHECK(root->releaseTopLevelName("Camera (2)").ok());
    CHECK(!fs::exists(temp / "Camera (2)"));
    // Releasing a folder that holds received files keeps it.
    CHECK(root->releaseTopLevelName("Camera (1)").ok());
    CHECK(readFile(temp / "Camera (1)/2024/trip.jpg") == "trip");
    CHECK(root->reserveTopLevelName("../escape").error().code == StorageErrorCode::InvalidName);
    CHECK(root->reserveTopLevelName("a/b").error().code == StorageErrorCode::InvalidName);
    CHECK(root->releaseTopLevelName("..").error().code == StorageErrorCode::InvalidName);
}

TEST_CASE("A14 dotfile and autostart paths stay inside the download folder")
{
    TempFolder temp;
    fs::create_directory(temp / "dl");
    auto root = ReceiveRoot::open(temp / "dl");
    REQUIRE(root.ok());
    CHECK(receive(*root, ".config/autostart/x.desktop", "[Desktop Entry]") == ".config/autostart/x.desktop");
    CHECK(readFile(temp / "dl/.config/autostart/x.desktop") == "[Desktop Entry]");
    CHECK(namesIn(temp.path()) == std::vector<std::string>{"dl"});
}

TEST_CASE("commit refuses a destination the validator refuses and keeps the partial")
{
    TempFolder temp;
    auto root = ReceiveRoot::open(temp.path());
    REQUIRE(root.ok());
    auto partial = root->openPartial(key("dd"), 2);
    REQUIRE(partial.ok());
    REQUIRE(partial->writeAt(0, bytesOf("data")).ok());
    for (const char* bad : {"../x", "/etc/x", "a//b", "CON", ".duet-partial/dd/2.duet-part", "a\\b"}) {
        CAPTURE(bad);
        const auto result = root->commit(*partial, bad);
        REQUIRE(!result.ok());
        CHECK(result.error().code == StorageErrorCode::InvalidName);
    }
    CHECK(partial->isOpen());
    CHECK(readFile(temp / ".duet-partial/dd/2.duet-part") == "data");
    CHECK(root->commit(*partial, "good.txt").ok());
}

TEST_CASE("a file where a folder is needed fails the commit and keeps the partial")
{
    TempFolder temp;
    writeFile(temp / "f", "a file");
    auto root = ReceiveRoot::open(temp.path());
    REQUIRE(root.ok());
    auto partial = root->openPartial(key("ee"), 0);
    REQUIRE(partial.ok());
    const auto result = root->commit(*partial, "f/x.txt");
    REQUIRE(!result.ok());
    CHECK(result.error().code == StorageErrorCode::NotADirectory);
    CHECK(partial->isOpen());
    CHECK(readFile(temp / "f") == "a file");
}

TEST_CASE("listPartials finds partials again after a restart, and resume sees their size")
{
    TempFolder temp;
    {
        auto root = ReceiveRoot::open(temp.path());
        REQUIRE(root.ok());
        auto first = root->openPartial(key("aa01"), 0);
        auto second = root->openPartial(key("aa01"), 3);
        auto third = root->openPartial(key("0f"), 1);
        REQUIRE((first.ok() && second.ok() && third.ok()));
        REQUIRE(first->writeAt(0, bytesOf("0123456789")).ok());
        REQUIRE(second->writeAt(0, bytesOf("abcde")).ok());
    }
    // Things in the partial area Duet did not make are ignored.
    writeFile(temp / ".duet-partial/notes.txt", "x");
    fs::create_directory(temp / ".duet-partial/zz");
    writeFile(temp / ".duet-partial/aa01/07.duet-part", "leading zero");
    writeFile(temp / ".duet-partial/aa01/x.duet-part", "not a number");
    fs::create_symlink(temp / "elsewhere", temp / ".duet-partial/abab");

    auto root = ReceiveRoot::open(temp.path());
    REQUIRE(root.ok());
    const auto partials = root->listPartials();
    REQUIRE(partials.ok());
    REQUIRE(partials->size() == 3);
    CHECK((*partials)[0].key.hex() == "0f");
    CHECK((*partials)[0].fileIndex == 1);
    CHECK((*partials)[0].size == 0);
    CHECK((*partials)[1].key.hex() == "aa01");
    CHECK((*partials)[1].fileIndex == 0);
    CHECK((*partials)[1].size == 10);
    CHECK((*partials)[2].fileIndex == 3);
    CHECK((*partials)[2].size == 5);

    auto resumed = root->openPartial(key("aa01"), 0);
    REQUIRE(resumed.ok());
    CHECK(resumed->size() == 10);
    REQUIRE(resumed->writeAt(10, bytesOf("!")).ok());
    CHECK(readFile(temp / ".duet-partial/aa01/0.duet-part") == "0123456789!");
}

TEST_CASE("discardPartial and discardTransfer remove only Duet's own partials")
{
    TempFolder temp;
    auto root = ReceiveRoot::open(temp.path());
    REQUIRE(root.ok());
    CHECK(root->listPartials()->empty());
    CHECK(root->discardTransfer(key("99")).ok()); // nothing there yet
    {
        auto a = root->openPartial(key("99"), 0);
        auto b = root->openPartial(key("99"), 1);
        REQUIRE((a.ok() && b.ok()));
    }
    CHECK(root->discardPartial(key("99"), 0).ok());
    CHECK(root->discardPartial(key("99"), 0).ok()); // idempotent
    CHECK(root->listPartials()->size() == 1);
    CHECK(root->discardTransfer(key("99")).ok());
    CHECK(root->listPartials()->empty());
    CHECK(!fs::exists(temp / ".duet-partial/99"));
}

TEST_CASE("B7 sender metadata: permissions are ignored and the modification time is clamped")
{
    TempFolder temp;
    auto root = ReceiveRoot::open(temp.path());
    REQUIRE(root.ok());
    const auto commitWithTime = [&](const std::string& name, std::int64_t mtime) {
        auto partial = root->openPartial(key("77"), 0);
        REQUIRE(partial.ok());
        REQUIRE(root->commit(*partial, name, mtime).ok());
        struct stat st {};
        REQUIRE(::stat((temp / name).c_str(), &st) == 0);
        CHECK((st.st_mode & (S_ISUID | S_ISGID | S_IXUSR | S_IXGRP | S_IXOTH)) == 0);
        return static_cast<std::int64_t>(st.st_mtim.tv_sec);
    };
    const auto now = static_cast<std::int64_t>(::time(nullptr));
    CHECK(commitWithTime("valid", 1'700'000'000) == 1'700'000'000);
    CHECK(commitWithTime("year1900", -2'208'988'800) >= now);
    CHECK(commitWithTime("year3000", 32'503'680'000) >= now);
    CHECK(clampModificationTime(315'532'800, 5) == 315'532'800);
    CHECK(clampModificationTime(315'532'799, 5) == 5);
    CHECK(clampModificationTime(4'102'444'799, 5) == 4'102'444'799);
    CHECK(clampModificationTime(4'102'444'800, 5) == 5);
}

TEST_CASE("C1 free space is reported and checked without overflow")
{
    TempFolder temp;
    auto root = ReceiveRoot::open(temp.path());
    REQUIRE(root.ok());
    const auto available = root->availableBytes();
    REQUIRE(available.ok());
    CHECK(*available > 0);
    CHECK(root->hasRoomFor(0, 0));
    CHECK(root->hasRoomFor(*available, 0));
    CHECK(!root->hasRoomFor(*available + 1, 0));
    CHECK(!root->hasRoomFor(UINT64_MAX, 1));
    CHECK(!root->hasRoomFor(1, UINT64_MAX));
    CHECK(!root->hasRoomFor((std::uint64_t{1} << 63) - 1, 0));
}

TEST_CASE("the no-clobber fallback (link then unlink) never replaces an existing name")
{
    TempFolder temp;
    writeFile(temp / "source", "new");
    writeFile(temp / "target", "old");
    UniqueFd folder(::open(temp.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(folder);
    CHECK(linkThenUnlink(folder.get(), "source", folder.get(), "target") == EEXIST);
    CHECK(readFile(temp / "target") == "old");
    CHECK(readFile(temp / "source") == "new");
    CHECK(linkThenUnlink(folder.get(), "source", folder.get(), "moved") == 0);
    CHECK(readFile(temp / "moved") == "new");
    CHECK(!fs::exists(temp / "source"));
    CHECK(moveNoReplace(folder.get(), "moved", folder.get(), "target") == EEXIST);
    CHECK(readFile(temp / "target") == "old");
}

TEST_CASE("an unnamed partial leaves nothing in the partial area and is linked into place without replacing")
{
    TempFolder temp;
    auto root = ReceiveRoot::open(temp.path());
    REQUIRE(root.ok());
    auto partial = root->openAnonymousPartial(key("0456"));
    REQUIRE_MESSAGE(partial.ok(), partial.error().message);
    CHECK(partial->isAnonymous());
    REQUIRE(partial->writeAt(0, bytesOf("small file")).ok());
    std::uint8_t back[5] = {};
    REQUIRE(partial->readAt(6, back).ok());
    CHECK(std::string(back, back + 4) == "file");
    CHECK(namesIn(temp / ".duet-partial").empty()); // no name anywhere while it is received

    auto committed = root->commit(*partial, "docs/small.txt");
    REQUIRE_MESSAGE(committed.ok(), committed.error().message);
    CHECK(*committed == "docs/small.txt");
    CHECK(readFile(temp / "docs/small.txt") == "small file");
    CHECK(!partial->isOpen());

    // A second one for the same name gets a numbered name; the first is untouched.
    auto second = root->openAnonymousPartial(key("0457"));
    REQUIRE(second.ok());
    REQUIRE(second->writeAt(0, bytesOf("other")).ok());
    auto placed = root->commit(*second, "docs/small.txt");
    REQUIRE(placed.ok());
    CHECK(*placed == "docs/small (1).txt");
    CHECK(readFile(temp / "docs/small.txt") == "small file");
    CHECK(readFile(temp / "docs/small (1).txt") == "other");

    // Dropped before commit (a crash, a cancel): nothing is left behind.
    {
        auto dropped = root->openAnonymousPartial(key("0458"));
        REQUIRE(dropped.ok());
        REQUIRE(dropped->writeAt(0, bytesOf("gone")).ok());
    }
    CHECK(namesIn(temp / ".duet-partial").empty());
    CHECK(namesIn(temp / "docs") == std::vector<std::string>{"small (1).txt", "small.txt"});
}
