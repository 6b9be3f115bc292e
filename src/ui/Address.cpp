#include "duet/ui/Address.hpp"

#include <algorithm>
#include <cctype>

namespace duet::ui {
namespace {

bool isDigits(std::string_view s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool isIpv4(std::string_view host)
{
    int parts = 0;
    while (true) {
        const auto dot = host.find('.');
        const std::string_view part = host.substr(0, dot);
        if (!isDigits(part) || part.size() > 3 || std::stoi(std::string(part)) > 255) return false;
        ++parts;
        if (dot == std::string_view::npos) break;
        host.remove_prefix(dot + 1);
    }
    return parts == 4;
}

// RFC 1123 host name: labels of letters, digits and '-', not starting or ending with '-'.
bool isHostName(std::string_view host)
{
    if (host.empty() || host.size() > 253) return false;
    if (host.back() == '.') host.remove_suffix(1);
    while (!host.empty()) {
        const auto dot = host.find('.');
        const std::string_view label = host.substr(0, dot);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
        for (const char c : label)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
        if (dot == std::string_view::npos) break;
        host.remove_prefix(dot + 1);
        if (host.empty()) return false;
    }
    return true;
}

} // namespace

std::variant<command::Connect, AddressError> parseJoinAddress(std::string_view input,
                                                              std::uint16_t defaultPort)
{
    constexpr std::string_view kSpace = " \t\r\n";
    const auto first = input.find_first_not_of(kSpace);
    if (first == std::string_view::npos)
        return AddressError{
            "Type the other computer's address, for example 192.168.1.20 or 192.168.1.20:55555."};
    input = input.substr(first, input.find_last_not_of(kSpace) - first + 1);

    if (input.front() == '[' || std::count(input.begin(), input.end(), ':') > 1)
        return AddressError{"IPv6 addresses are not supported yet. Use an IPv4 address or a host name."};

    std::string_view host = input;
    std::uint16_t port = defaultPort;
    if (const auto colon = input.find(':'); colon != std::string_view::npos) {
        host = input.substr(0, colon);
        const std::string_view portText = input.substr(colon + 1);
        if (!isDigits(portText) || portText.size() > 5 || std::stoi(std::string(portText)) < 1 ||
            std::stoi(std::string(portText)) > 65535)
            return AddressError{"The port after ':' must be a number from 1 to 65535."};
        port = static_cast<std::uint16_t>(std::stoi(std::string(portText)));
    }
    if (host.empty()) return AddressError{"The address is missing before ':'."};

    const bool looksNumeric =
        std::all_of(host.begin(), host.end(), [](char c) { return c == '.' || (c >= '0' && c <= '9'); });
    if (looksNumeric) {
        if (!isIpv4(host))
            return AddressError{
                "That is not a valid IPv4 address (four numbers from 0 to 255, like 192.168.1.20)."};
    } else if (!isHostName(host)) {
        return AddressError{"That is not a valid address or host name."};
    }
    return command::Connect{std::string(host), port};
}

} // namespace duet::ui
