// Single-path rules of PathValidator.hpp: checkPath and describe.
#include "duet/storage/PathValidator.hpp"
#include "duet/storage/Utf8.hpp"

#include <algorithm>
#include <array>

namespace duet::storage {

namespace {

bool isControl(char32_t c)
{
    return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F);
}

// Characters that render as nothing or reorder text, so a name can look like something it is not.
// Variation selectors stay allowed (emoji need them); zero-width joiner is refused, which also refuses
// joined emoji sequences.
bool isInvisible(char32_t c)
{
    return c == 0x00AD                        // soft hyphen
           || c == 0x061C                     // Arabic letter mark
           || c == 0x180E                     // Mongolian vowel separator
           || (c >= 0x200B && c <= 0x200F)    // zero-width space/joiners, LRM, RLM
           || (c >= 0x2028 && c <= 0x202E)    // line/paragraph separators, bidi embeddings and overrides
           || (c >= 0x2060 && c <= 0x206F)    // word joiner, invisible operators, bidi isolates, deprecated
           || c == 0xFEFF                     // byte order mark
           || (c >= 0xFFF9 && c <= 0xFFFB)    // interlinear annotation
           || (c >= 0xE0000 && c <= 0xE007F); // tag characters
}

bool isForbiddenAscii(char32_t c)
{
    return c == '<' || c == '>' || c == ':' || c == '"' || c == '?' || c == '*' || c == '|';
}

char asciiLower(char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

bool equalsIgnoringAsciiCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return asciiLower(x) == asciiLower(y); });
}

bool isAsciiLetter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool isRooted(std::string_view path)
{
    if (path.front() == '/' || path.front() == '\\') return true;
    return path.size() >= 2 && isAsciiLetter(path[0]) && path[1] == ':'; // "C:\x" and drive-relative "C:x"
}

// Windows treats these as devices whatever follows the first dot, and ignores spaces before that dot.
bool isReservedDeviceName(std::string_view component)
{
    std::string_view base = component.substr(0, component.find('.'));
    while (!base.empty() && base.back() == ' ')
        base.remove_suffix(1);
    static constexpr std::array<std::string_view, 6> kFixed = {"CON", "PRN",    "AUX",
                                                               "NUL", "CONIN$", "CONOUT$"};
    for (const auto name : kFixed) {
        if (equalsIgnoringAsciiCase(base, name)) return true;
    }
    if (base.size() < 4) return false;
    const std::string_view prefix = base.substr(0, 3);
    if (!equalsIgnoringAsciiCase(prefix, "COM") && !equalsIgnoringAsciiCase(prefix, "LPT")) return false;
    const std::string_view number = base.substr(3);
    if (number.size() == 1) return number[0] >= '0' && number[0] <= '9';
    // Superscript one, two and three (U+00B9, U+00B2, U+00B3), which Windows also maps to port numbers.
    return number == "\xC2\xB9" || number == "\xC2\xB2" || number == "\xC2\xB3";
}

bool isDuetName(std::string_view component)
{
    const bool startsWithArea =
        component.size() >= kPartialAreaName.size() &&
        equalsIgnoringAsciiCase(component.substr(0, kPartialAreaName.size()), kPartialAreaName);
    const bool endsWithSuffix =
        component.size() >= kPartialSuffix.size() &&
        equalsIgnoringAsciiCase(component.substr(component.size() - kPartialSuffix.size()), kPartialSuffix);
    return startsWithArea || endsWithSuffix;
}

ValidationCode checkComponent(std::string_view component)
{
    if (component.empty()) return ValidationCode::EmptyComponent;
    if (component == "." || component == "..") return ValidationCode::DotComponent;
    if (component.size() > kMaxComponentBytes) return ValidationCode::ComponentTooLong;
    if (component.back() == '.' || component.back() == ' ') return ValidationCode::TrailingDotOrSpace;
    if (isReservedDeviceName(component)) return ValidationCode::ReservedDeviceName;
    if (isDuetName(component)) return ValidationCode::ReservedDuetName;
    return ValidationCode::Ok;
}

} // namespace

ValidationCode checkPath(std::string_view path)
{
    if (path.empty()) return ValidationCode::EmptyPath;
    if (path.size() > kMaxPathBytes) return ValidationCode::PathTooLong;
    // Checked before anything else reads the name: a C API would silently cut the path here.
    if (path.find('\0') != std::string_view::npos) return ValidationCode::NulByte;
    const auto codePoints = decodeUtf8(path);
    if (!codePoints) return ValidationCode::InvalidUtf8;
    if (isRooted(path)) return ValidationCode::AbsolutePath;
    if (path.find('\\') != std::string_view::npos) return ValidationCode::Backslash;
    for (const char32_t c : *codePoints) {
        if (isControl(c)) return ValidationCode::ControlCharacter;
        if (isInvisible(c)) return ValidationCode::InvisibleCharacter;
        if (isForbiddenAscii(c)) return ValidationCode::ForbiddenCharacter;
    }
    for (const std::string_view component : splitPath(path)) {
        if (const ValidationCode code = checkComponent(component); code != ValidationCode::Ok) return code;
    }
    return ValidationCode::Ok;
}

std::vector<std::string_view> splitPath(std::string_view path)
{
    std::vector<std::string_view> components;
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = path.find('/', start);
        if (slash == std::string_view::npos) {
            components.push_back(path.substr(start));
            return components;
        }
        components.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
}

std::string_view describe(ValidationCode code)
{
    switch (code) {
    case ValidationCode::Ok:
        return "ok";
    case ValidationCode::EmptyPath:
        return "empty path";
    case ValidationCode::PathTooLong:
        return "path longer than 4096 bytes";
    case ValidationCode::NulByte:
        return "NUL byte in name";
    case ValidationCode::InvalidUtf8:
        return "name is not valid UTF-8";
    case ValidationCode::AbsolutePath:
        return "absolute or drive-rooted path";
    case ValidationCode::Backslash:
        return "backslash in name";
    case ValidationCode::ControlCharacter:
        return "control character in name";
    case ValidationCode::InvisibleCharacter:
        return "invisible or text-direction character in name";
    case ValidationCode::ForbiddenCharacter:
        return "one of < > : \" ? * | in name";
    case ValidationCode::EmptyComponent:
        return "empty path component";
    case ValidationCode::DotComponent:
        return "'.' or '..' path component";
    case ValidationCode::ComponentTooLong:
        return "path component longer than 255 bytes";
    case ValidationCode::TrailingDotOrSpace:
        return "name ends with a dot or space";
    case ValidationCode::ReservedDeviceName:
        return "reserved Windows device name";
    case ValidationCode::ReservedDuetName:
        return "name reserved for Duet's partial files";
    case ValidationCode::TooManyEntries:
        return "too many entries in offer";
    case ValidationCode::OfferTooLarge:
        return "offer's names are too large in total";
    case ValidationCode::SizeTooLarge:
        return "file size or total size too large";
    case ValidationCode::DirectoryWithSize:
        return "folder entry with a non-zero size";
    case ValidationCode::Duplicate:
        return "duplicate entry";
    case ValidationCode::CaseCollision:
        return "name differs only in case from another entry";
    case ValidationCode::NormalizationCollision:
        return "name differs only in Unicode composition from another entry";
    case ValidationCode::FileDirectoryConflict:
        return "name used both as a file and as a folder";
    }
    return "unknown validation code";
}

} // namespace duet::storage
