#pragma once
// An IPv4 address as a value (host byte order), with text conversion. Pure; no I/O.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace duet::discovery {

struct Ipv4Address {
    std::uint32_t hostOrder = 0;

    static constexpr Ipv4Address fromOctets(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d)
    {
        return Ipv4Address{(std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | d};
    }
    // Dotted quad only ("10.0.0.1"); anything else is nullopt.
    static std::optional<Ipv4Address> parse(std::string_view text);
    std::string toString() const;

    bool isMulticast() const { return (hostOrder >> 28) == 0xE; }
    bool isLimitedBroadcast() const { return hostOrder == 0xFFFFFFFFu; }
    friend auto operator<=>(const Ipv4Address&, const Ipv4Address&) = default;
};

inline constexpr Ipv4Address kLimitedBroadcast{0xFFFFFFFFu};

} // namespace duet::discovery
