#include "duet/discovery/DefaultName.hpp"

#include "duet/wire/Bytes.hpp"
#include "duet/wire/Messages.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <unistd.h>

namespace duet::discovery {
namespace {

constexpr std::string_view kWhitespace = " \t\r\n\f\v";

bool hasControlCharacter(std::string_view text)
{
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20u || byte == 0x7Fu;
    });
}

std::string_view trimmed(std::string_view text)
{
    const std::size_t first = text.find_first_not_of(kWhitespace);
    if (first == std::string_view::npos) return {};
    const std::size_t last = text.find_last_not_of(kWhitespace);
    return text.substr(first, last - first + 1);
}

} // namespace

std::string displayNameFromHostName(std::string_view hostName)
{
    const std::string_view name = trimmed(cutAtCharacterBoundary(trimmed(hostName), wire::kMaxDisplayName));
    if (name.empty() || !wire::isValidUtf8(name) || hasControlCharacter(name))
        return std::string(kFallbackDisplayName);
    return std::string(name);
}

std::string_view cutAtCharacterBoundary(std::string_view text, std::size_t maxBytes)
{
    if (text.size() <= maxBytes) return text;
    std::size_t cut = maxBytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0u) == 0x80u)
        --cut;
    return text.substr(0, cut);
}

std::string defaultDisplayName()
{
    // HOST_NAME_MAX is 64 on Linux; one more byte guarantees room for the terminator gethostname may omit.
    std::array<char, HOST_NAME_MAX + 2> buffer{};
    if (::gethostname(buffer.data(), buffer.size() - 1) != 0) return std::string(kFallbackDisplayName);
    return displayNameFromHostName(buffer.data());
}

} // namespace duet::discovery
