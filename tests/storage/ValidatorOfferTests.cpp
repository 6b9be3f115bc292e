// Whole-offer rules (checklist A11-A14, B3, C1, C2, C10) and names that must be accepted.
#include "duet/storage/PathValidator.hpp"

#include <chrono>
#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace duet::storage;

namespace {

OfferEntry file(std::string path, std::uint64_t size = 1)
{
    return OfferEntry{std::move(path), EntryKind::File, size};
}

OfferEntry folder(std::string path)
{
    return OfferEntry{std::move(path), EntryKind::Directory, 0};
}

ValidationResult validate(const std::vector<OfferEntry>& offer)
{
    return validateOffer(offer);
}

} // namespace

TEST_CASE("ordinary and international names are accepted")
{
    const std::vector<OfferEntry> offer{
        file("Résumé.pdf"),
        file("日本語/ファイル.txt"),
        file("🎉 party.txt"),
        file("❤\xef\xb8\x8f love.txt"), // heart + variation selector 16
        file("photo (1).jpg"),
        file("name with spaces.txt"),
        file("a..b"),
        file("-rf"),
        file(".bashrc"),
        file(".profile"),
        file(".config/autostart/x.desktop"), // A14: allowed, it only ever lands inside the download folder
        file("archive.tar.gz"),
        file("COM10"),
        file("CONSOLE.txt"),
        file("nul_file"),
        file("LPT\xe2\x81\xb4"), // LPT + superscript four is not a device
        file("Ελληνικά/Привет.txt"),
        file("e\xcc\x81t\xcc\x81.txt"), // decomposed form on its own is fine
        file("empty.txt", 0),           // C2: zero-size file
        folder("Camera"),
        folder("Camera/empty"),
        file("Camera/2024/img.jpg", 123),
        file(std::string(255, 'x')),
    };
    const auto result = validate(offer);
    CHECK(result.ok());
    CHECK(result.reason.empty());
}

TEST_CASE("a path of exactly the maximum length is accepted")
{
    std::string path;
    while (path.size() + 201 <= kMaxPathBytes)
        path += std::string(200, 'p') + "/";
    path += std::string(kMaxPathBytes - path.size(), 'q');
    REQUIRE(path.size() == kMaxPathBytes);
    CHECK(validate({file(path)}).ok());
}

TEST_CASE("A11 case-fold collisions are refused")
{
    auto result = validate({file("README"), file("readme")});
    CHECK(result.code == ValidationCode::CaseCollision);
    CHECK(result.entryIndex == 1);
    CHECK(validate({file("Docs/a.txt"), file("docs/b.txt")}).code == ValidationCode::CaseCollision);
    CHECK(validate({folder("Photos"), file("PHOTOS/x.jpg")}).code == ValidationCode::CaseCollision);
    CHECK(validate({file("ÉTÉ.txt"), file("été.txt")}).code == ValidationCode::CaseCollision);
    CHECK(validate({file("ΑΒΓ"), file("αβγ")}).code == ValidationCode::CaseCollision);
    CHECK(validate({file("ς"), file("σ")}).code == ValidationCode::CaseCollision);
    CHECK(validate({file("Привет"), file("пРИВЕТ")}).code == ValidationCode::CaseCollision);
    CHECK(validate({file("Łódź"), file("łódź")}).code == ValidationCode::CaseCollision);
}

TEST_CASE("A11 normalisation collisions are refused")
{
    auto result = validate({file("\xc3\xa9.txt"), file("e\xcc\x81.txt")}); // é (NFC) and e + U+0301 (NFD)
    CHECK(result.code == ValidationCode::NormalizationCollision);
    CHECK(result.entryIndex == 1);
    CHECK(validate({file("Zürich/a"), file("Zu\xcc\x88rich/b")}).code ==
          ValidationCode::NormalizationCollision);
    CHECK(validate({file("ţ"), file("t\xcc\xa7")}).code == ValidationCode::NormalizationCollision);
    // Outside the documented table: Greek with tonos is not decomposed, so this pair is (wrongly) allowed.
    CHECK(validate({file("\xce\xac"), file("\xce\xb1\xcc\x81")}).ok());
}

TEST_CASE("A12 file-versus-folder collisions are refused in either order")
{
    auto result = validate({file("parent"), file("parent/child")});
    CHECK(result.code == ValidationCode::FileDirectoryConflict);
    CHECK(result.entryIndex == 1);
    CHECK(validate({file("parent/child"), file("parent")}).code == ValidationCode::FileDirectoryConflict);
    CHECK(validate({folder("x"), file("x")}).code == ValidationCode::FileDirectoryConflict);
    CHECK(validate({file("x"), folder("x")}).code == ValidationCode::FileDirectoryConflict);
    CHECK(validate({file("a/b/c"), folder("a/b/c/d")}).code == ValidationCode::FileDirectoryConflict);
    CHECK(validate({file("Parent"), file("parent/child")}).code == ValidationCode::CaseCollision);
}

TEST_CASE("A13 duplicate entries are refused")
{
    auto result = validate({file("a.txt", 1), file("b.txt", 1), file("a.txt", 2)});
    CHECK(result.code == ValidationCode::Duplicate);
    CHECK(result.entryIndex == 2);
    CHECK(validate({folder("d"), folder("d")}).code == ValidationCode::Duplicate);
    // A folder that earlier paths only implied may be listed once, in either order.
    CHECK(validate({file("d/x"), folder("d")}).ok());
    CHECK(validate({folder("d"), file("d/x")}).ok());
    CHECK(validate({file("d/x"), folder("d"), folder("d")}).code == ValidationCode::Duplicate);
}

TEST_CASE("C1 huge declared sizes and overflowing totals are refused")
{
    CHECK(validate({file("big", (std::uint64_t{1} << 63) - 1)}).code == ValidationCode::SizeTooLarge);
    CHECK(validate({file("max", UINT64_MAX)}).code == ValidationCode::SizeTooLarge);
    CHECK(validate({file("cap", kMaxOfferTotalBytes)}).ok());
    const std::uint64_t half = kMaxOfferTotalBytes / 2 + 1;
    auto result = validate({file("one", half), file("two", half)});
    CHECK(result.code == ValidationCode::SizeTooLarge);
    CHECK(result.entryIndex == 1);
    // Two sizes whose sum wraps around 2^64 to a small number.
    CHECK(validate({file("a", kMaxOfferTotalBytes), file("b", UINT64_MAX - kMaxOfferTotalBytes + 2)}).code ==
          ValidationCode::SizeTooLarge);
}

TEST_CASE("C2 a folder entry with a size is refused")
{
    const std::vector<OfferEntry> offer{OfferEntry{"dir", EntryKind::Directory, 1}};
    CHECK(validateOffer(offer).code == ValidationCode::DirectoryWithSize);
}

TEST_CASE("B3 only files and folders can be expressed in an offer")
{
    // The receiver never materialises links or devices: OfferEntry has no such kind, so a decoder must map
    // anything else to a refusal. Here: the two kinds are the only ones and both go through the same rules.
    CHECK(validate({OfferEntry{"../link", EntryKind::File, 0}}).code == ValidationCode::DotComponent);
    CHECK(validate({OfferEntry{"../link", EntryKind::Directory, 0}}).code == ValidationCode::DotComponent);
}

TEST_CASE("C10 the entry cap is enforced and a full-size offer validates quickly")
{
    std::vector<OfferEntry> offer;
    offer.reserve(kMaxOfferEntries + 1);
    for (std::size_t i = 0; i < kMaxOfferEntries; ++i) {
        offer.push_back(folder("d" + std::to_string(i / 1000) + "/e" + std::to_string(i)));
    }
    const auto start = std::chrono::steady_clock::now();
    CHECK(validateOffer(offer).ok());
    const auto elapsed = std::chrono::steady_clock::now() - start;
    MESSAGE("100,000 empty folders validated in ",
            std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), " ms");
    CHECK(elapsed < std::chrono::seconds(20));

    offer.push_back(file("one-too-many"));
    const auto result = validateOffer(offer);
    CHECK(result.code == ValidationCode::TooManyEntries);
    CHECK(result.entryIndex == kMaxOfferEntries);
}

TEST_CASE("C10 the total size of names in an offer is capped")
{
    // 4097 distinct paths of 4096 bytes each pass the 16 MiB cap by one path.
    std::vector<OfferEntry> offer;
    for (std::size_t i = 0; i <= kMaxOfferPathBytes / kMaxPathBytes; ++i) {
        std::string path = std::to_string(i) + "/";
        while (path.size() + 201 <= kMaxPathBytes)
            path += std::string(200, 'n') + "/";
        path += std::string(kMaxPathBytes - path.size(), 'z');
        offer.push_back(file(path));
    }
    const auto result = validateOffer(offer);
    CHECK(result.code == ValidationCode::OfferTooLarge);
    CHECK(result.entryIndex == kMaxOfferPathBytes / kMaxPathBytes);
}

TEST_CASE("OfferChecker leaves no trace of a refused entry")
{
    OfferChecker checker;
    CHECK(checker.add(file("a/b/c.txt", 10)).ok());
    CHECK(checker.add(file("A/x.txt", 5)).code == ValidationCode::CaseCollision);
    CHECK(checker.add(file("new/deep/path.txt", UINT64_MAX)).code == ValidationCode::SizeTooLarge);
    CHECK(checker.acceptedCount() == 1);
    CHECK(checker.totalBytes() == 10);
    // "new" was never added, so a file of that name is still fine.
    CHECK(checker.add(file("new", 1)).ok());
    CHECK(checker.add(file("a/x.txt", 2)).ok());
    CHECK(checker.acceptedCount() == 3);
    CHECK(checker.totalBytes() == 13);
}

TEST_CASE("checkPath and validateOffer agree on single paths")
{
    for (const char* path : {"ok.txt", "../x", "a//b", "CON", "x.duet-part", "a:b"}) {
        CAPTURE(path);
        CHECK(checkPath(path) == validate({file(path)}).code);
    }
    CHECK(splitPath("a//b") == std::vector<std::string_view>{"a", "", "b"});
    CHECK(splitPath("x") == std::vector<std::string_view>{"x"});
    CHECK(splitPath("a/") == std::vector<std::string_view>{"a", ""});
}
