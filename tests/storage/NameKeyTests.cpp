// UTF-8 decoding, log escaping and the collision key (case folding + Latin decomposition).
#include "duet/storage/NameKey.hpp"
#include "duet/storage/TransferKey.hpp"
#include "duet/storage/Utf8.hpp"

#include <doctest/doctest.h>
#include <string>

using namespace duet::storage;

TEST_CASE("UTF-8 decoding accepts every well-formed boundary and refuses the rest")
{
    const auto decoded =
        decodeUtf8("a\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
    REQUIRE(decoded.has_value());
    CHECK(*decoded == std::u32string{U'a', 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF});
    CHECK(decodeUtf8("")->empty());
    CHECK(!isValidUtf8("\xc0\x80"));         // overlong NUL
    CHECK(!isValidUtf8("\xed\xa0\x80"));     // surrogate
    CHECK(!isValidUtf8("\xf4\x90\x80\x80")); // above U+10FFFF
    CHECK(!isValidUtf8("\xe2\x82"));         // truncated
    CHECK(!isValidUtf8("\x80"));             // stray continuation
    CHECK(isValidUtf8("\xee\x80\x80"));      // private use is well-formed
}

TEST_CASE("appendUtf8 round-trips through decodeUtf8")
{
    std::string text;
    for (const char32_t c : {char32_t{0x24}, char32_t{0xE9}, char32_t{0x20AC}, char32_t{0x1F389}})
        appendUtf8(text, c);
    CHECK(text == "$\xc3\xa9\xe2\x82\xac\xf0\x9f\x8e\x89");
    CHECK(*decodeUtf8(text) == std::u32string{0x24, 0xE9, 0x20AC, 0x1F389});
}

TEST_CASE("escapeForDisplay never emits control bytes and bounds its output")
{
    CHECK(escapeForDisplay("plain.txt") == "plain.txt");
    CHECK(escapeForDisplay("a\\b") == "a\\\\b");
    CHECK(escapeForDisplay("\x1b[2J\n") == "\\x1b[2J\\x0a");
    CHECK(escapeForDisplay("\xc3\xa9") == "\\xc3\\xa9");
    CHECK(escapeForDisplay(std::string(500, 'a'), 10) == "aaaaaaaaaa...");
}

TEST_CASE("case folding covers ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic")
{
    CHECK(foldCase(U'A') == U'a');
    CHECK(foldCase(U'z') == U'z');
    CHECK(foldCase(U'Æ') == U'æ');
    CHECK(foldCase(U'Þ') == U'þ');
    CHECK(foldCase(U'×') == U'×');
    CHECK(foldCase(U'Ł') == U'ł');
    CHECK(foldCase(U'Ŋ') == U'ŋ');
    CHECK(foldCase(U'Ÿ') == U'ÿ');
    CHECK(foldCase(U'ſ') == U's');
    CHECK(foldCase(U'Ω') == U'ω');
    CHECK(foldCase(U'Ά') == U'ά');
    CHECK(foldCase(U'ς') == U'σ');
    CHECK(foldCase(U'Ж') == U'ж');
    CHECK(foldCase(U'Ё') == U'ё');
    CHECK(foldCase(U'Ѣ') == U'ѣ');
    CHECK(foldCase(U'Ӏ') == U'ӏ');
    CHECK(foldCase(U'日') == U'日');
}

TEST_CASE("collision keys decompose U+00C0..U+017F and fold case")
{
    CHECK(collisionKey(U"É") == U"e\u0301");
    CHECK(collisionKey(U"e\u0301") == U"e\u0301");
    CHECK(collisionKey(U"Ǻ") == U"Ǻ"); // outside the table: unchanged
    CHECK(collisionKey(U"Ħ") == U"ħ"); // no canonical decomposition, only case
    CHECK(decomposedName(U"Çà") == U"C\u0327a\u0300");
    CHECK(decomposedName(U"İ") == U"I\u0307");
    CHECK(collisionKey(U"İ") == U"i\u0307");
    CHECK(collisionKey(U"Řeřicha") == collisionKey(U"r\u030Cer\u030Cicha"));
    CHECK(collisionKey(U"Ďábel") == collisionKey(U"ďa\u0301bel"));
}

TEST_CASE("transfer keys accept only short lower-case hex")
{
    const std::uint8_t bytes[] = {0x00, 0xab, 0xff};
    const auto key = TransferKey::fromBytes(bytes);
    REQUIRE(key.has_value());
    CHECK(key->hex() == "00abff");
    CHECK(TransferKey::fromHex("00abff") == key);
    CHECK(!TransferKey::fromHex(""));
    CHECK(!TransferKey::fromHex("abc"));
    CHECK(!TransferKey::fromHex("ABCD"));
    CHECK(!TransferKey::fromHex("../x"));
    CHECK(!TransferKey::fromHex(std::string(66, 'a')));
    CHECK(TransferKey::fromHex(std::string(64, 'a')).has_value());
    CHECK(!TransferKey::fromBytes({}));
}
