// Sender side: what the user picked becomes offer entries (checklist A17 and the symlink/special rules).
#include "TempFolder.hpp"
#include "duet/storage/Selection.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <vector>

using namespace duet::storage;
using namespace duet::storage::test;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> relativePaths(const Selection& selection)
{
    std::vector<std::string> paths;
    for (const auto& entry : selection.entries)
        paths.push_back(entry.relativePath);
    return paths;
}

const SkippedItem* findSkipped(const Selection& selection, const fs::path& localPath)
{
    const auto found = std::find_if(selection.skipped.begin(), selection.skipped.end(),
                                    [&](const SkippedItem& item) { return item.localPath == localPath; });
    return found == selection.skipped.end() ? nullptr : &*found;
}

// pick/Camera with nested folders, an empty folder, links, a fifo, an unportable name and a case pair.
struct Tree {
    TempFolder temp;
    fs::path pick = temp / "pick";
    fs::path camera = pick / "Camera";
    Tree()
    {
        fs::create_directories(camera / "sub/deeper");
        fs::create_directories(camera / "empty");
        writeFile(camera / "a.jpg", "abc");
        writeFile(camera / "sub/b.txt", "12345");
        writeFile(camera / "sub/deeper/c.bin", std::string(1000, 'c'));
        writeFile(camera / "README", "upper");
        writeFile(camera / "readme", "lower");
        writeFile(camera / "aux.c", "int main;");
        fs::create_symlink("/etc/passwd", camera / "passwd-link");
        fs::create_directory_symlink(camera, camera / "loop"); // would recurse forever if followed
        REQUIRE(::mkfifo((camera / "pipe").c_str(), 0600) == 0);
        writeFile(pick / "top.txt", "top level");
    }
};

} // namespace

TEST_CASE("nested folders become relative entries in component order, with empty folders")
{
    Tree tree;
    const std::vector<fs::path> picked{tree.camera, tree.pick / "top.txt"};
    const Selection selection = collectSelection(picked);
    CHECK(relativePaths(selection) == std::vector<std::string>{"Camera", "Camera/README", "Camera/a.jpg",
                                                               "Camera/empty", "Camera/sub",
                                                               "Camera/sub/b.txt", "Camera/sub/deeper",
                                                               "Camera/sub/deeper/c.bin", "top.txt"});
    CHECK(selection.totalBytes == 3 + 5 + 1000 + 5 + 9);
    CHECK(selection.complete);
    const auto& empty = selection.entries[3];
    CHECK(empty.kind == EntryKind::Directory);
    CHECK(empty.size == 0);
    CHECK(empty.localPath == tree.camera / "empty");
    const auto& c = selection.entries[7];
    CHECK(c.kind == EntryKind::File);
    CHECK(c.size == 1000);
    CHECK(c.localPath == tree.camera / "sub/deeper/c.bin");
    CHECK(c.mtimeSeconds > 0);
    CHECK(validateOffer(toOfferEntries(selection)).ok());
}

TEST_CASE("A17 no name sent contains the sender's absolute path")
{
    Tree tree;
    const std::vector<fs::path> picked{tree.camera, tree.pick / "top.txt"};
    const Selection selection = collectSelection(picked);
    REQUIRE(!selection.entries.empty());
    for (const OfferEntry& entry : toOfferEntries(selection)) {
        CAPTURE(entry.path);
        CHECK(entry.path.find(tree.temp.path().string()) == std::string::npos);
        CHECK(entry.path.front() != '/');
    }
}

TEST_CASE("symlinks, special files, unportable and colliding names are skipped and reported")
{
    Tree tree;
    const std::vector<fs::path> picked{tree.camera};
    const Selection selection = collectSelection(picked);
    const auto expectSkipped = [&](const fs::path& path, SkipReason reason) {
        CAPTURE(path);
        const SkippedItem* item = findSkipped(selection, path);
        REQUIRE(item != nullptr);
        CHECK(item->reason == reason);
        CHECK(!item->message.empty());
    };
    expectSkipped(tree.camera / "passwd-link", SkipReason::Symlink);
    expectSkipped(tree.camera / "loop", SkipReason::Symlink);
    expectSkipped(tree.camera / "pipe", SkipReason::SpecialFile);
    expectSkipped(tree.camera / "aux.c", SkipReason::UnportableName);
    expectSkipped(tree.camera / "readme", SkipReason::NameCollision);
    CHECK(selection.skipped.size() == 5);
    CHECK(selection.complete);
}

TEST_CASE("a folder whose name cannot be sent is skipped with its contents in one report")
{
    TempFolder temp;
    fs::create_directories(temp / "pick/Docs/CON/inner");
    writeFile(temp / "pick/Docs/CON/inner/x.txt", "x");
    fs::create_directories(temp / "pick/Docs/Notes");
    fs::create_directories(temp / "pick/Docs/notes/sub");
    writeFile(temp / "pick/Docs/notes/sub/y.txt", "y");
    const std::vector<fs::path> picked{temp / "pick/Docs"};
    const Selection selection = collectSelection(picked);
    CHECK(relativePaths(selection) == std::vector<std::string>{"Docs", "Docs/Notes"});
    REQUIRE(selection.skipped.size() == 2);
    CHECK(findSkipped(selection, temp / "pick/Docs/CON")->reason == SkipReason::UnportableName);
    CHECK(findSkipped(selection, temp / "pick/Docs/notes")->reason == SkipReason::NameCollision);
}

TEST_CASE("picked items are named by their basename and picked symlinks are followed once")
{
    TempFolder temp;
    fs::create_directories(temp / "one");
    fs::create_directories(temp / "two");
    writeFile(temp / "one/same.txt", "first");
    writeFile(temp / "two/same.txt", "second");
    fs::create_symlink(temp / "one/same.txt", temp / "shortcut.txt");
    fs::create_directory_symlink(temp / "two", temp / "folder-link");
    const std::vector<fs::path> picked{temp / "one/same.txt", temp / "two/same.txt", temp / "shortcut.txt",
                                       temp / "folder-link/", temp / "missing.txt"};
    const Selection selection = collectSelection(picked);
    CHECK(relativePaths(selection) ==
          std::vector<std::string>{"folder-link", "folder-link/same.txt", "same.txt", "shortcut.txt"});
    CHECK(selection.entries[2].localPath == temp / "one/same.txt");
    CHECK(selection.entries[3].size == 5);
    REQUIRE(findSkipped(selection, temp / "two/same.txt") != nullptr);
    CHECK(findSkipped(selection, temp / "two/same.txt")->reason == SkipReason::NameCollision);
    REQUIRE(findSkipped(selection, temp / "missing.txt") != nullptr);
    CHECK(findSkipped(selection, temp / "missing.txt")->reason == SkipReason::Unreadable);
}

TEST_CASE("the same selection gives the same entries every time")
{
    Tree tree;
    const std::vector<fs::path> picked{tree.pick / "top.txt", tree.camera};
    const auto first = relativePaths(collectSelection(picked));
    const auto second = relativePaths(collectSelection(picked));
    CHECK(first == second);
    CHECK(first.front() == "Camera");
}
