#include "duet/discovery/Ipv4Address.hpp"

#include <charconv>

namespace duet::discovery {

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view text)
{
    std::uint32_t value = 0;
    const char* cursor = text.data();
    const char* const end = text.data() + text.size();
    for (int octet = 0; octet < 4; ++octet) {
        if (octet > 0) {
            if (cursor == end || *cursor != '.') return std::nullopt;
            ++cursor;
        }
        // from_chars accepts no sign or spaces; the length check refuses "0001" and similar padding.
        unsigned part = 0;
        const auto [next, error] = std::from_chars(cursor, end, part);
        if (error != std::errc{} || part > 255 || next - cursor > 3) return std::nullopt;
        cursor = next;
        value = (value << 8) | part;
    }
    if (cursor != end) return std::nullopt;
    return Ipv4Address{value};
}

std::string Ipv4Address::toString() const
{
    std::string text;
    for (int shift = 24; shift >= 0; shift -= 8) {
        if (shift != 24) text += '.';
        text += std::to_string((hostOrder >> shift) & 0xFFu);
    }
    return text;
}

} // namespace duet::discovery
