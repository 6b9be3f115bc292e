// "Keep both" names: where the number goes and how long names are shortened.
#include "duet/storage/FreeName.hpp"
#include "duet/storage/Utf8.hpp"

#include <doctest/doctest.h>
#include <string>

using namespace duet::storage;

TEST_CASE("numbered names keep the extension of files")
{
    CHECK(numberedName("report.pdf", 1, EntryKind::File) == "report (1).pdf");
    CHECK(numberedName("report.pdf", 12, EntryKind::File) == "report (12).pdf");
    CHECK(numberedName("archive.tar.gz", 1, EntryKind::File) == "archive (1).tar.gz");
    CHECK(numberedName("backup.TAR.XZ", 2, EntryKind::File) == "backup (2).TAR.XZ");
    CHECK(numberedName(".bashrc", 1, EntryKind::File) == ".bashrc (1)");
    CHECK(numberedName(".config.json", 1, EntryKind::File) == ".config (1).json");
    CHECK(numberedName("README", 3, EntryKind::File) == "README (3)");
    CHECK(numberedName("notes.final draft", 1, EntryKind::File) == "notes.final draft (1)");
    CHECK(numberedName("data.averyveryverylongext", 1, EntryKind::File) == "data.averyveryverylongext (1)");
    CHECK(numberedName("Résumé.pdf", 1, EntryKind::File) == "Résumé (1).pdf");
}

TEST_CASE("folders never get an extension split")
{
    CHECK(numberedName("Camera", 1, EntryKind::Directory) == "Camera (1)");
    CHECK(numberedName("my.photos", 2, EntryKind::Directory) == "my.photos (2)");
}

TEST_CASE("numbered names stay within 255 bytes without splitting a character")
{
    const std::string ascii = std::string(251, 'a') + ".txt";
    const std::string shortened = numberedName(ascii, 9999, EntryKind::File);
    CHECK(shortened.size() == kMaxComponentBytes);
    CHECK(shortened.ends_with(" (9999).txt"));

    std::string wide; // 85 three-byte characters = 255 bytes
    for (int i = 0; i < 85; ++i)
        wide += "\xe6\x97\xa5";
    const std::string numbered = numberedName(wide, 1, EntryKind::Directory);
    CHECK(numbered.size() <= kMaxComponentBytes);
    CHECK(isValidUtf8(numbered));
    CHECK(numbered.ends_with(" (1)"));
    CHECK(checkPath(numbered) == ValidationCode::Ok);
}
