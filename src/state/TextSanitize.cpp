#include "duet/state/TextSanitize.hpp"

#include <cstdint>

namespace duet::state {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD"; // U+FFFD

// Decodes one UTF-8 scalar at text[pos]. Returns the length consumed (>= 1) and sets `ok` to false for
// an invalid, overlong or surrogate sequence, so the caller replaces exactly one bad byte at a time.
std::size_t decodeOne(std::string_view text, std::size_t pos, char32_t& out, bool& ok)
{
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[pos + i]); };
    const std::uint8_t lead = byte(0);
    ok = false;
    if (lead < 0x80) {
        out = lead;
        ok = true;
        return 1;
    }
    std::size_t length = 0;
    if ((lead & 0xE0) == 0xC0)
        length = 2;
    else if ((lead & 0xF0) == 0xE0)
        length = 3;
    else if ((lead & 0xF8) == 0xF0)
        length = 4;
    else
        return 1;
    constexpr char32_t kMinimumForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    char32_t value = lead & (0x7F >> length);
    if (pos + length > text.size()) return 1;
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(i) & 0xC0) != 0x80) return 1;
        value = (value << 6) | (byte(i) & 0x3F);
    }
    if (value < kMinimumForLength[length] || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        return 1;
    out = value;
    ok = true;
    return length;
}

bool isInvisibleOrControl(char32_t c)
{
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F)) return true;
    // Zero-width and bidi formatting characters can disguise a name (checklist A7).
    if ((c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069))
        return true;
    return c == 0xFEFF;
}

std::string sanitize(std::string_view text, bool keepLineBreaks)
{
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        char32_t c = 0;
        bool ok = false;
        const std::size_t length = decodeOne(text, pos, c, ok);
        if (!ok) {
            out += kReplacement;
        } else if (keepLineBreaks && c == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') {
            // Dropped: the '\n' that follows is kept.
        } else if (keepLineBreaks && (c == '\n' || c == '\t')) {
            out += static_cast<char>(c);
        } else if (isInvisibleOrControl(c)) {
            out += kReplacement;
        } else {
            out.append(text.substr(pos, length));
        }
        pos += length;
    }
    return out;
}

} // namespace

std::string sanitizeLine(std::string_view text)
{
    return sanitize(text, false);
}

std::string sanitizeMultiline(std::string_view text)
{
    return sanitize(text, true);
}

std::string truncateUtf8(std::string_view text, std::size_t maxBytes)
{
    if (text.size() <= maxBytes) return std::string(text);
    std::size_t end = maxBytes;
    // Step back over continuation bytes so a multi-byte character is never cut in half.
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
        --end;
    return std::string(text.substr(0, end));
}

} // namespace duet::state
