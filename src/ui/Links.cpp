#include "duet/ui/Links.hpp"

#include <algorithm>
#include <array>

namespace duet::ui {
namespace {

constexpr std::string_view kForbiddenAscii = "<>\"\\^`{|}";

bool isAsciiAlnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool startsWithNoCase(std::string_view text, std::string_view prefix)
{
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != static_cast<unsigned char>(prefix[i])) return false;
    }
    return true;
}

// Length of the well-formed UTF-8 sequence at text[i] (0 when it is not: overlong forms, surrogates and
// values past U+10FFFF included, since a browser would read such bytes differently than we show them).
std::size_t decodeUtf8(std::string_view text, std::size_t i, char32_t& codePoint)
{
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    char32_t value = 0;
    char32_t minimum = 0;
    if (lead < 0x80) {
        codePoint = lead;
        return 1;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2, value = lead & 0x1Fu, minimum = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3, value = lead & 0x0Fu, minimum = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4, value = lead & 0x07u, minimum = 0x10000;
    } else {
        return 0;
    }
    if (text.size() - i < length) return 0;
    for (std::size_t k = 1; k < length; ++k) {
        const auto c = static_cast<unsigned char>(text[i + k]);
        if ((c & 0xC0u) != 0x80u) return 0;
        value = (value << 6) | (c & 0x3Fu);
    }
    if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
    codePoint = value;
    return length;
}

// Characters that end a link: controls, every kind of space, and the invisible format characters
// (bidirectional overrides and marks, zero-width ones, tags) that could make a URL read as another.
bool endsLink(char32_t c)
{
    if (c <= 0x20 || c == 0x7F || (c >= 0x80 && c <= 0xA0)) return true;
    if (c < 0x80) return kForbiddenAscii.find(static_cast<char>(c)) != std::string_view::npos;
    struct Range {
        char32_t first, last;
    };
    static constexpr std::array<Range, 15> kInvisible{{{0x00AD, 0x00AD},
                                                       {0x061C, 0x061C},
                                                       {0x115F, 0x1160},
                                                       {0x1680, 0x1680},
                                                       {0x180E, 0x180E},
                                                       {0x2000, 0x200F},
                                                       {0x2028, 0x202F},
                                                       {0x205F, 0x206F},
                                                       {0x3000, 0x3000},
                                                       {0x3164, 0x3164},
                                                       {0xFE00, 0xFE0F},
                                                       {0xFEFF, 0xFEFF},
                                                       {0xFFA0, 0xFFA0},
                                                       {0xFFF0, 0xFFFF},
                                                       {0xE0000, 0xE0FFF}}};
    return std::any_of(kInvisible.begin(), kInvisible.end(),
                       [c](const Range& range) { return c >= range.first && c <= range.last; });
}

// End of the run of link characters from `begin` (stops at invalid UTF-8 too).
std::size_t runEnd(std::string_view text, std::size_t begin)
{
    std::size_t i = begin;
    while (i < text.size()) {
        char32_t c = 0;
        const std::size_t length = decodeUtf8(text, i, c);
        if (length == 0 || endsLink(c)) break;
        i += length;
    }
    return i;
}

// Sentence punctuation after a link belongs to the sentence; brackets only when the link did not open them.
std::size_t trimTrailing(std::string_view text, std::size_t begin, std::size_t end)
{
    static constexpr std::array<std::string_view, 9> kWide{
        "\xE2\x80\xA6", "\xE2\x80\x9D", "\xE2\x80\x99", "\xC2\xBB",    "\xE3\x80\x82",
        "\xE3\x80\x81", "\xEF\xBC\x8C", "\xEF\xBC\x81", "\xEF\xBC\x9F"}; // … ” ’ » 。 、 ， ！ ？
    const auto count = [&](char c) {
        return std::count(text.begin() + static_cast<std::ptrdiff_t>(begin),
                          text.begin() + static_cast<std::ptrdiff_t>(end), c);
    };
    std::ptrdiff_t parens = count('(') - count(')');
    std::ptrdiff_t brackets = count('[') - count(']');
    while (end > begin) {
        const char last = text[end - 1];
        if (std::string_view(".,;:!?'*").find(last) != std::string_view::npos) {
            --end;
        } else if (last == ')' && parens < 0) {
            --end, ++parens;
        } else if (last == ']' && brackets < 0) {
            --end, ++brackets;
        } else {
            const std::string_view link = text.substr(begin, end - begin);
            const auto wide = std::find_if(kWide.begin(), kWide.end(),
                                           [&](std::string_view mark) { return link.ends_with(mark); });
            if (wide == kWide.end()) break;
            end -= wide->size();
        }
    }
    return end;
}

bool isHostCharacter(unsigned char c)
{
    return isAsciiAlnum(c) || c == '-' || c == '.' || c >= 0x80;
}

// "host", "host:port" or "[v6]:port", with no "user@" in front.
bool isValidAuthority(std::string_view authority)
{
    if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
    std::string_view host = authority;
    const std::size_t colon = authority.rfind(':');
    const std::size_t bracket = authority.rfind(']');
    if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
        const std::string_view port = authority.substr(colon + 1);
        if (port.empty() || port.size() > 5 ||
            !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return false;
        host = authority.substr(0, colon);
    }
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        const std::string_view inside = host.substr(1, host.size() - 2);
        return !inside.empty() && std::all_of(inside.begin(), inside.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
                   c == '.';
        });
    }
    if (host.empty() || host.front() == '.' || host.front() == '-') return false;
    return std::all_of(host.begin(), host.end(),
                       [](char c) { return isHostCharacter(static_cast<unsigned char>(c)); });
}

std::size_t schemeLength(std::string_view text)
{
    if (startsWithNoCase(text, "https://")) return 8;
    if (startsWithNoCase(text, "http://")) return 7;
    return 0;
}

} // namespace

std::string linkTarget(std::string_view linkText)
{
    const std::size_t scheme = schemeLength(linkText);
    if (scheme == 0) return "https://" + std::string(linkText);
    // The scheme in lower case: desktop URL handlers look it up as written.
    return std::string(scheme == 8 ? "https://" : "http://") + std::string(linkText.substr(scheme));
}

bool isOpenableUrl(std::string_view url)
{
    if (url.size() > kMaxLinkBytes + 8) return false;
    std::size_t scheme = 0;
    if (url.starts_with("https://"))
        scheme = 8;
    else if (url.starts_with("http://"))
        scheme = 7;
    else
        return false;
    if (runEnd(url, 0) != url.size()) return false;
    const std::string_view rest = url.substr(scheme);
    return isValidAuthority(rest.substr(0, rest.find_first_of("/?#")));
}

std::vector<LinkSpan> findLinks(std::string_view text)
{
    std::vector<LinkSpan> links;
    if (text.size() > UINT32_MAX) return links;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        const auto before = i == 0 ? 0 : static_cast<unsigned char>(text[i - 1]);
        const std::string_view rest = text.substr(i);
        const bool web = (c == 'h' || c == 'H') && schemeLength(rest) != 0;
        const bool www = (c == 'w' || c == 'W') && startsWithNoCase(rest, "www.");
        // Only at the start of a word: "xhttp://" and "awww.example" are not links.
        if (!(web || www) || isAsciiAlnum(before) ||
            (www && std::string_view("._-/@").find(static_cast<char>(before)) != std::string_view::npos)) {
            ++i;
            continue;
        }
        const std::size_t run = runEnd(text, i);
        const std::size_t end = trimTrailing(text, i, run);
        const std::string_view candidate = text.substr(i, end - i);
        bool ok = end - i <= kMaxLinkBytes && isOpenableUrl(linkTarget(candidate));
        if (ok && www && candidate.size() <= 4) {
            ok = false;
        } else if (ok && www) {
            // "www.example" alone is a word; a link needs a domain after the www.
            const std::string_view host = candidate.substr(4, candidate.find_first_of(":/?#") - 4);
            ok = !host.empty() && host.find('.') != std::string_view::npos && host.back() != '.' &&
                 host.front() != '.';
        }
        if (ok) links.push_back(LinkSpan{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(end)});
        i = std::max(run, i + 1); // a rejected run is skipped whole: no link starts inside it
    }
    return links;
}

} // namespace duet::ui
