#include "duet/state/TextSanitize.hpp"

#include <doctest/doctest.h>

using duet::state::sanitizeLine;
using duet::state::sanitizeMultiline;

namespace {
const std::string kReplacement = "\xEF\xBF\xBD";
}

TEST_CASE("sanitize: plain and international text pass through unchanged")
{
    CHECK(sanitizeLine("Alice") == "Alice");
    const std::string mixed = "Zoë Ψυχή Дуэт 二人 \xF0\x9F\x99\x82"; // includes a 4-byte emoji
    CHECK(sanitizeLine(mixed) == mixed);
    CHECK(sanitizeMultiline("a\nb\tc") == "a\nb\tc");
}

TEST_CASE("sanitize: control characters and terminal escapes are replaced")
{
    CHECK(sanitizeLine("a\nb") == "a" + kReplacement + "b");
    CHECK(sanitizeLine(std::string("x\0y", 3)) == "x" + kReplacement + "y");
    CHECK(sanitizeLine("\x1b[1A") == kReplacement + "[1A");
    CHECK(sanitizeLine("\x7f") == kReplacement);
    CHECK(sanitizeLine("\xC2\x85") == kReplacement); // C1 NEL
    CHECK(sanitizeMultiline("a\r\nb") == "a\nb");
    CHECK(sanitizeMultiline("a\rb") == "a" + kReplacement + "b");
    CHECK(sanitizeMultiline("\x07") == kReplacement);
}

TEST_CASE("sanitize: bidi overrides and zero-width characters are replaced")
{
    CHECK(sanitizeLine("evil\xE2\x80\xAEtxt.exe") == "evil" + kReplacement + "txt.exe");
    CHECK(sanitizeLine("a\xE2\x80\x8B"
                       "b") == "a" + kReplacement + "b");
    CHECK(sanitizeLine("\xEF\xBB\xBF") == kReplacement);
}

TEST_CASE("sanitize: invalid UTF-8 becomes one replacement per bad byte and never reads past the end")
{
    CHECK(sanitizeLine("\xFF") == kReplacement);
    CHECK(sanitizeLine("a\xC3") == "a" + kReplacement);             // truncated 2-byte sequence
    CHECK(sanitizeLine("\xC0\xAF") == kReplacement + kReplacement); // overlong '/'
    CHECK(sanitizeLine("\xED\xA0\x80") == kReplacement + kReplacement + kReplacement); // surrogate
    CHECK(sanitizeLine("\xF4\x90\x80\x80").find("\xF4") == std::string::npos);         // above U+10FFFF
    CHECK(sanitizeLine("\xE2\x82") == kReplacement + kReplacement);
}
