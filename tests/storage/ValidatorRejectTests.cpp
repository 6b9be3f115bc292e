// Security checklist §1 rows A1-A16, one case per row: each hostile path, sent alone in an offer, must
// refuse the whole offer with the expected machine code.
#include "duet/storage/PathValidator.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace duet::storage;

namespace {

ValidationCode codeOf(const std::string& path, EntryKind kind = EntryKind::File)
{
    const std::vector<OfferEntry> offer{OfferEntry{path, kind, 0}};
    return validateOffer(offer).code;
}

// The hostile path as the second entry after a good one: the offer as a whole is refused at index 1.
void checkRefusedInOffer(const std::string& path, ValidationCode expected)
{
    const std::vector<OfferEntry> offer{OfferEntry{"fine.txt", EntryKind::File, 5},
                                        OfferEntry{path, EntryKind::File, 1}};
    const auto result = validateOffer(offer);
    CHECK(result.code == expected);
    CHECK(result.entryIndex == 1);
    CHECK(!result.reason.empty());
}

} // namespace

TEST_CASE("A1 parent traversal is refused")
{
    CHECK(codeOf("../x") == ValidationCode::DotComponent);
    CHECK(codeOf("../../.ssh/authorized_keys") == ValidationCode::DotComponent);
    CHECK(codeOf("a/../../x") == ValidationCode::DotComponent);
    CHECK(codeOf("..") == ValidationCode::DotComponent);
    CHECK(codeOf("a/..") == ValidationCode::DotComponent);
    checkRefusedInOffer("../x", ValidationCode::DotComponent);
}

TEST_CASE("A2 Windows separators are refused")
{
    CHECK(codeOf("..\\x") == ValidationCode::Backslash);
    CHECK(codeOf("a\\..\\..\\x") == ValidationCode::Backslash);
    CHECK(codeOf("a/..\\x") == ValidationCode::Backslash);
    CHECK(codeOf("Startup\\x.lnk") == ValidationCode::Backslash);
    CHECK(codeOf("dir\\file.txt") == ValidationCode::Backslash);
}

TEST_CASE("A3 absolute and rooted paths are refused")
{
    CHECK(codeOf("/etc/x") == ValidationCode::AbsolutePath);
    CHECK(codeOf("/") == ValidationCode::AbsolutePath);
    CHECK(codeOf("C:\\x") == ValidationCode::AbsolutePath);
    CHECK(codeOf("C:x") == ValidationCode::AbsolutePath);
    CHECK(codeOf("c:/x") == ValidationCode::AbsolutePath);
    CHECK(codeOf("\\\\srv\\share\\x") == ValidationCode::AbsolutePath);
    CHECK(codeOf("//x") == ValidationCode::AbsolutePath);
    CHECK(codeOf("\\x") == ValidationCode::AbsolutePath);
    checkRefusedInOffer("/etc/passwd", ValidationCode::AbsolutePath);
}

TEST_CASE("A4 empty and dot names are refused")
{
    CHECK(codeOf("") == ValidationCode::EmptyPath);
    CHECK(codeOf(".") == ValidationCode::DotComponent);
    CHECK(codeOf("./") == ValidationCode::DotComponent);
    CHECK(codeOf("./a") == ValidationCode::DotComponent);
    CHECK(codeOf("a/./b") == ValidationCode::DotComponent);
    CHECK(codeOf("a//b") == ValidationCode::EmptyComponent);
    CHECK(codeOf("a/") == ValidationCode::EmptyComponent);
    CHECK(codeOf("a/b/") == ValidationCode::EmptyComponent);
    CHECK(codeOf("a/", EntryKind::Directory) == ValidationCode::EmptyComponent);
}

TEST_CASE("A5 NUL bytes are refused, also past the point where C strings stop")
{
    CHECK(codeOf(std::string("a\0.txt", 6)) == ValidationCode::NulByte);
    CHECK(codeOf(std::string("dir\0/../x", 9)) == ValidationCode::NulByte);
    CHECK(codeOf(std::string("\0", 1)) == ValidationCode::NulByte);
    checkRefusedInOffer(std::string("ok.txt\0.exe", 11), ValidationCode::NulByte);
}

TEST_CASE("A6 control characters and terminal escapes are refused and not echoed raw")
{
    CHECK(codeOf("a\nb") == ValidationCode::ControlCharacter);
    CHECK(codeOf("a\rb") == ValidationCode::ControlCharacter);
    CHECK(codeOf("bell\x07") == ValidationCode::ControlCharacter);
    CHECK(codeOf("tab\tname") == ValidationCode::ControlCharacter);
    CHECK(codeOf("del\x7f") == ValidationCode::ControlCharacter);
    CHECK(codeOf("csi\xc2\x9b"
                 "2J") == ValidationCode::ControlCharacter);          // C1 CSI (U+009B)
    CHECK(codeOf("nel\xc2\x85") == ValidationCode::ControlCharacter); // C1 NEL (U+0085)
    const std::string escape = "\x1b[1A\rharmless";
    const std::vector<OfferEntry> offer{OfferEntry{escape, EntryKind::File, 1}};
    const auto result = validateOffer(offer);
    CHECK(result.code == ValidationCode::ControlCharacter);
    CHECK(result.reason.find('\x1b') == std::string::npos);
    CHECK(result.reason.find('\r') == std::string::npos);
    CHECK(result.reason.find("\\x1b[1A\\x0dharmless") != std::string::npos);
}

TEST_CASE("A7 invisible and text-direction characters are refused")
{
    CHECK(codeOf("evil\u202Etxt.exe") == ValidationCode::InvisibleCharacter); // RTL override
    CHECK(codeOf("zero\u200Bwidth") == ValidationCode::InvisibleCharacter);
    CHECK(codeOf("joiner\u200D.txt") == ValidationCode::InvisibleCharacter);
    CHECK(codeOf("rlm\u200F") == ValidationCode::InvisibleCharacter);
    CHECK(codeOf("embed\u202A") == ValidationCode::InvisibleCharacter);
    CHECK(codeOf("isolate\u2066x\u2069") == ValidationCode::InvisibleCharacter);
    CHECK(codeOf("word\u2060joiner") == ValidationCode::InvisibleCharacter);
    CHECK(codeOf("\uFEFFbom.txt") == ValidationCode::InvisibleCharacter);
    CHECK(codeOf("soft\u00ADhyphen") == ValidationCode::InvisibleCharacter);
    CHECK(codeOf("arabic\u061Cmark") == ValidationCode::InvisibleCharacter);
    CHECK(codeOf("mongolian\u180E") == ValidationCode::InvisibleCharacter);
    CHECK(codeOf("line\u2028sep") == ValidationCode::InvisibleCharacter);
    CHECK(codeOf("tag\xf3\xa0\x81\x81.txt") == ValidationCode::InvisibleCharacter);    // U+E0041
    CHECK(codeOf("cancel\xf3\xa0\x81\xbf.txt") == ValidationCode::InvisibleCharacter); // U+E007F
}

TEST_CASE("A7 invalid UTF-8 is refused")
{
    CHECK(codeOf("\xff") == ValidationCode::InvalidUtf8);
    CHECK(codeOf("a\x80") == ValidationCode::InvalidUtf8);            // stray continuation byte
    CHECK(codeOf("\xc0\xaf..") == ValidationCode::InvalidUtf8);       // overlong '/'
    CHECK(codeOf("\xe0\x80\xaf") == ValidationCode::InvalidUtf8);     // overlong '/' in 3 bytes
    CHECK(codeOf("\xf0\x80\x80\xaf") == ValidationCode::InvalidUtf8); // overlong '/' in 4 bytes
    CHECK(codeOf("\xc1\xbf") == ValidationCode::InvalidUtf8);         // overlong U+007F
    CHECK(codeOf("\xed\xa0\x80") == ValidationCode::InvalidUtf8);     // surrogate U+D800
    CHECK(codeOf("\xed\xbf\xbf") == ValidationCode::InvalidUtf8);     // surrogate U+DFFF
    CHECK(codeOf("\xf4\x90\x80\x80") == ValidationCode::InvalidUtf8); // U+110000
    CHECK(codeOf("\xf8\x88\x80\x80\x80") == ValidationCode::InvalidUtf8);
    CHECK(codeOf("cut\xe2\x82") == ValidationCode::InvalidUtf8); // truncated euro sign
    CHECK(codeOf("\xe2\x28\xa1") == ValidationCode::InvalidUtf8);
}

TEST_CASE("A8 Windows device names are refused in any component, case and extension")
{
    for (const char* name : {"CON",
                             "con",
                             "PRN",
                             "AUX",
                             "nul",
                             "NUL.txt",
                             "COM1.log",
                             "com0",
                             "LPT9",
                             "lpt0.txt",
                             "AUX.txt",
                             "CON.tar.gz",
                             "nul .txt",
                             "CONIN$",
                             "conout$.log",
                             "COM\xc2\xb9",
                             "lpt\xc2\xb2.txt",
                             "Com\xc2\xb3",
                             "dir/con/x",
                             "a/b/Prn.doc"}) {
        CAPTURE(name);
        CHECK(codeOf(name) == ValidationCode::ReservedDeviceName);
    }
    CHECK(codeOf("dir/aux", EntryKind::Directory) == ValidationCode::ReservedDeviceName);
}

TEST_CASE("A9 names Windows would trim or treat as streams are refused")
{
    CHECK(codeOf("name.") == ValidationCode::TrailingDotOrSpace);
    CHECK(codeOf("name ") == ValidationCode::TrailingDotOrSpace);
    CHECK(codeOf("dir./x") == ValidationCode::TrailingDotOrSpace);
    CHECK(codeOf("...") == ValidationCode::TrailingDotOrSpace);
    CHECK(codeOf("file.txt:stream") == ValidationCode::ForbiddenCharacter);
    CHECK(codeOf("file.txt::$DATA") == ValidationCode::ForbiddenCharacter);
    for (const char* name : {"a<b", "a>b", "a\"b", "a?b", "a*b", "a|b", "dir/what?.txt"}) {
        CAPTURE(name);
        CHECK(codeOf(name) == ValidationCode::ForbiddenCharacter);
    }
}

TEST_CASE("A10 over-long components and paths are refused")
{
    CHECK(codeOf(std::string(256, 'a')) == ValidationCode::ComponentTooLong);
    CHECK(codeOf("dir/" + std::string(256, 'b') + "/x") == ValidationCode::ComponentTooLong);
    std::string longPath;
    while (longPath.size() <= kMaxPathBytes)
        longPath += std::string(200, 'c') + "/";
    longPath += "end";
    CHECK(codeOf(longPath) == ValidationCode::PathTooLong);
    CHECK(codeOf(std::string(10'000, 'n')) == ValidationCode::PathTooLong);
    // 128 three-byte characters are 384 bytes: the limit counts bytes, not characters.
    std::string wide;
    for (int i = 0; i < 128; ++i)
        wide += "\xe6\x97\xa5";
    CHECK(codeOf(wide) == ValidationCode::ComponentTooLong);
}

TEST_CASE("A15 names in Duet's own namespace are refused")
{
    CHECK(codeOf(".duet-partial") == ValidationCode::ReservedDuetName);
    CHECK(codeOf(".duet-partial/abcd/0.duet-part") == ValidationCode::ReservedDuetName);
    CHECK(codeOf(".duet-partial-old") == ValidationCode::ReservedDuetName);
    CHECK(codeOf("a/.DUET-PARTIAL/b") == ValidationCode::ReservedDuetName);
    CHECK(codeOf("x.duet-part") == ValidationCode::ReservedDuetName);
    CHECK(codeOf("dir/X.Duet-Part") == ValidationCode::ReservedDuetName);
    CHECK(codeOf("0.duet-part", EntryKind::Directory) == ValidationCode::ReservedDuetName);
}

TEST_CASE("A16 markup in names is refused by the character rules")
{
    CHECK(codeOf("<img src=x onerror=alert(1)>.png") == ValidationCode::ForbiddenCharacter);
    CHECK(codeOf("<script>") == ValidationCode::ForbiddenCharacter);
}

TEST_CASE("every code has its own description")
{
    CHECK(describe(ValidationCode::DotComponent) != describe(ValidationCode::EmptyComponent));
    CHECK(describe(ValidationCode::CaseCollision) != describe(ValidationCode::NormalizationCollision));
    CHECK(describe(static_cast<ValidationCode>(200)) == "unknown validation code");
}
