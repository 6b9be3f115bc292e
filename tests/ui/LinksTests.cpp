// The link finder and the check every URL passes before the front end hands it to xdg-open: ordinary
// sentences, punctuation around links, and hostile text (other schemes, controls, bidirectional and
// invisible characters, disguised hosts, overlong links, invalid UTF-8).
#include "duet/ui/Links.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using duet::ui::findLinks;
using duet::ui::isOpenableUrl;
using duet::ui::kMaxLinkBytes;
using duet::ui::linkTarget;

namespace {

std::vector<std::string> linksIn(std::string_view text)
{
    std::vector<std::string> out;
    for (const duet::ui::LinkSpan& link : findLinks(text)) {
        REQUIRE(link.begin < link.end);
        REQUIRE(link.end <= text.size());
        out.emplace_back(text.substr(link.begin, link.end - link.begin));
        // Whatever the finder marks, the front end would agree to open.
        CHECK(isOpenableUrl(linkTarget(out.back())));
    }
    return out;
}

using Links = std::vector<std::string>;

} // namespace

TEST_CASE("links: http, https and www. links are found in a sentence")
{
    CHECK(linksIn("see https://example.com/a?b=c#d now") == Links{"https://example.com/a?b=c#d"});
    CHECK(linksIn("http://127.0.0.1:8080/x") == Links{"http://127.0.0.1:8080/x"});
    CHECK(linksIn("a https://a.example b www.b.example c") == Links{"https://a.example", "www.b.example"});
    CHECK(linksIn("HTTPS://Example.COM/Path") == Links{"HTTPS://Example.COM/Path"});
    CHECK(linkTarget("HTTPS://Example.COM/Path") == "https://Example.COM/Path");
    CHECK(linkTarget("www.example.org/x") == "https://www.example.org/x");
    CHECK(linksIn("line one\nhttps://example.com\nline three") == Links{"https://example.com"});
    CHECK(linksIn("https://b\xC3\xBC"
                  "cher.example/stra\xC3\x9F"
                  "e") == Links{"https://b\xC3\xBC"
                                "cher.example/stra\xC3\x9F"
                                "e"});
    CHECK(linksIn("https://[::1]:8443/status") == Links{"https://[::1]:8443/status"});
    CHECK(linksIn("no links here, just www and http words").empty());
    CHECK(linksIn("").empty());
}

TEST_CASE("links: trailing punctuation belongs to the sentence, balanced brackets to the link")
{
    for (const char* text :
         {"https://example.com.", "https://example.com,", "https://example.com!", "https://example.com?",
          "https://example.com)", "https://example.com:", "https://example.com;", "'https://example.com'",
          "\"https://example.com\"", "<https://example.com>", "(https://example.com)",
          "https://example.com).", "https://example.com!?", "https://example.com\xE2\x80\xA6",
          "\xE2\x80\x9Chttps://example.com\xE2\x80\x9D", "https://example.com\xE3\x80\x82"})
        CHECK_MESSAGE(linksIn(text) == Links{"https://example.com"}, text);
    CHECK(linksIn("(see https://en.wikipedia.org/wiki/Duet_(music))") ==
          Links{"https://en.wikipedia.org/wiki/Duet_(music)"});
    CHECK(linksIn("[https://example.com/x]") == Links{"https://example.com/x"});
    CHECK(linksIn("https://example.com/a?q=1.") == Links{"https://example.com/a?q=1"});
    CHECK(linksIn("go to www.example.org.") == Links{"www.example.org"});
}

TEST_CASE("links: other schemes, bare prefixes and words that only contain a prefix are not links")
{
    for (const char* text :
         {"javascript:alert(1)", "JavaScript:alert(document.cookie)", "file:///etc/passwd",
          "ftp://example.com", "data:text/html,<script>alert(1)</script>", "mailto:someone@example.com",
          "https://", "http:// x", "https://.", "https://-example.com", "www.", "www.example", "www..example",
          "xhttp://example.com", "awww.example.com", "a.www.example.com", "https://example.com:99999999/",
          "https://example.com:/", "vbscript:msgbox(1)"})
        CHECK_MESSAGE(linksIn(text).empty(), text);
    // An https link after another scheme's name is still only that https link.
    CHECK(linksIn("javascript:https://example.com") == Links{"https://example.com"});
}

TEST_CASE("links: a user name in front of the host, which could disguise it, is refused")
{
    CHECK(linksIn("https://bank.example@evil.example/login").empty());
    CHECK(linksIn("https://user:pass@example.com/").empty());
    CHECK_FALSE(isOpenableUrl("https://bank.example@evil.example/"));
    CHECK(linksIn("https://example.com/@someone") == Links{"https://example.com/@someone"});
}

TEST_CASE("links: control, space, bidirectional and invisible characters end a link")
{
    // The link stops before the character, so what is highlighted is exactly what opens.
    const char* hostile[] = {
        "\x01",         "\x1b[31m",     "\x7f",
        "\t",           "\xC2\x85",                        // C0, ESC, DEL, tab, NEL (C1)
        "\xC2\xA0",                                        // no-break space
        "\xE2\x80\xAE", "\xE2\x80\xAB", "\xE2\x81\xA6",    // RLO, RLE, LRI
        "\xE2\x80\x8E", "\xE2\x80\x8F", "\xD8\x9C",        // LRM, RLM, ALM
        "\xE2\x80\x8B", "\xEF\xBB\xBF", "\xC2\xAD",        // zero-width space, BOM, soft hyphen
        "\xE3\x80\x80", "\xE2\x80\xA8", "\xF3\xA0\x80\x81" // ideographic space, line separator, tag
    };
    for (const char* bad : hostile) {
        const std::string text = std::string("https://example.com/a") + bad + "gnp.exe";
        CHECK_MESSAGE(linksIn(text) == Links{"https://example.com/a"}, text);
        CHECK_FALSE(isOpenableUrl(text));
    }
    CHECK(linksIn("https://exa\xE2\x80\x8Bmple.com") == Links{"https://exa"});
    CHECK_FALSE(isOpenableUrl("https://example.com/\n"));
    CHECK_FALSE(isOpenableUrl("https://example.com/a b"));
    CHECK_FALSE(isOpenableUrl(std::string("https://example.com/\0x", 22)));
    for (const char* quote : {"\"", "<", ">", "`", "\\", "{", "}", "|", "^"})
        CHECK_FALSE(isOpenableUrl(std::string("https://example.com/") + quote + "x"));
}

TEST_CASE("links: invalid UTF-8 ends a link and is never opened")
{
    for (const char* bad :
         {"\xFF", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80", "\xE2\x82"}) {
        const std::string text = std::string("https://example.com/") + bad;
        CHECK_MESSAGE(linksIn(text) == Links{"https://example.com/"}, text);
        CHECK_FALSE(isOpenableUrl(text));
        CHECK_FALSE(isOpenableUrl(text + "x"));
    }
}

TEST_CASE("links: a link longer than the limit is not a link, one at the limit is")
{
    const std::string prefix = "https://example.com/";
    const std::string atLimit = prefix + std::string(kMaxLinkBytes - prefix.size(), 'a');
    CHECK(linksIn("x " + atLimit + " y") == Links{atLimit});
    CHECK(linksIn("x " + atLimit + "a y").empty());
    CHECK_FALSE(isOpenableUrl(prefix + std::string(100'000, 'a')));
    // A megabyte of prefixes is scanned once, not once per prefix.
    std::string flood;
    for (int i = 0; i < 100'000; ++i)
        flood += "www.http://";
    CHECK(linksIn(flood).empty());
}

TEST_CASE("links: only lower-case http and https URLs with a host are openable")
{
    CHECK(isOpenableUrl("https://example.com"));
    CHECK(isOpenableUrl("http://example.com/path?q=1#frag"));
    CHECK(isOpenableUrl("https://[::1]:443/"));
    CHECK_FALSE(isOpenableUrl("HTTPS://example.com"));
    CHECK_FALSE(isOpenableUrl("https://"));
    CHECK_FALSE(isOpenableUrl("https:///path"));
    CHECK_FALSE(isOpenableUrl("-https://example.com"));
    CHECK_FALSE(isOpenableUrl("file:///etc/passwd"));
    CHECK_FALSE(isOpenableUrl("javascript:alert(1)"));
    CHECK_FALSE(isOpenableUrl("www.example.com"));
    CHECK_FALSE(isOpenableUrl("https://[zz]/"));
}
