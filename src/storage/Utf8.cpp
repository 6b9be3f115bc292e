#include "duet/storage/Utf8.hpp"

#include <cstdint>

namespace duet::storage {

namespace {

bool isContinuation(unsigned char byte)
{
    return (byte & 0xC0) == 0x80;
}

// Decodes one scalar value starting at text[pos]; advances pos. Returns false on an ill-formed sequence.
bool decodeOne(std::string_view text, std::size_t& pos, char32_t& out)
{
    const auto lead = static_cast<unsigned char>(text[pos]);
    if (lead < 0x80) {
        out = lead;
        ++pos;
        return true;
    }
    std::size_t length = 0;
    char32_t value = 0;
    char32_t smallestAllowed = 0; // anything below this is an overlong encoding
    if ((lead & 0xE0) == 0xC0) {
        length = 2;
        value = lead & 0x1F;
        smallestAllowed = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3;
        value = lead & 0x0F;
        smallestAllowed = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4;
        value = lead & 0x07;
        smallestAllowed = 0x10000;
    } else {
        return false; // stray continuation byte or 0xF8..0xFF
    }
    if (text.size() - pos < length) return false;
    for (std::size_t i = 1; i < length; ++i) {
        const auto byte = static_cast<unsigned char>(text[pos + i]);
        if (!isContinuation(byte)) return false;
        value = (value << 6) | (byte & 0x3F);
    }
    if (value < smallestAllowed || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return false;
    out = value;
    pos += length;
    return true;
}

} // namespace

std::optional<std::u32string> decodeUtf8(std::string_view text)
{
    std::u32string result;
    result.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        char32_t codePoint = 0;
        if (!decodeOne(text, pos, codePoint)) return std::nullopt;
        result.push_back(codePoint);
    }
    return result;
}

bool isValidUtf8(std::string_view text)
{
    std::size_t pos = 0;
    while (pos < text.size()) {
        char32_t ignored = 0;
        if (!decodeOne(text, pos, ignored)) return false;
    }
    return true;
}

void appendUtf8(std::string& out, char32_t codePoint)
{
    const auto cp = static_cast<std::uint32_t>(codePoint);
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::string escapeForDisplay(std::string_view text, std::size_t maxInputBytes)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    const std::size_t shown = text.size() < maxInputBytes ? text.size() : maxInputBytes;
    out.reserve(shown + 8);
    for (std::size_t i = 0; i < shown; ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte == '\\') {
            out += "\\\\";
        } else if (byte >= 0x20 && byte < 0x7F) {
            out.push_back(static_cast<char>(byte));
        } else {
            out += "\\x";
            out.push_back(kHex[byte >> 4]);
            out.push_back(kHex[byte & 0x0F]);
        }
    }
    if (shown < text.size()) out += "...";
    return out;
}

} // namespace duet::storage
