#include "duet/ui/StunServers.hpp"

#include <algorithm>
#include <charconv>

namespace duet::ui {
namespace {

constexpr std::size_t kMaxServers = 8;
constexpr std::size_t kMaxHostBytes = 253; // a DNS name's limit

bool hostCharacter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

// Empty when `entry` is a usable host[:port]; otherwise why not.
std::string checkEntry(std::string_view entry)
{
    std::string_view host = entry;
    if (const std::size_t colon = entry.rfind(':'); colon != std::string_view::npos) {
        host = entry.substr(0, colon);
        const std::string_view portText = entry.substr(colon + 1);
        unsigned port = 0;
        const auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
        if (portText.empty() || ec != std::errc() || end != portText.data() + portText.size() || port == 0 ||
            port > 65535)
            return "the port must be a number from 1 to 65535";
    }
    if (host.empty()) return "a host name or IPv4 address is missing";
    if (host.size() > kMaxHostBytes) return "the host name is too long";
    if (!std::all_of(host.begin(), host.end(), hostCharacter))
        return "use a host name or IPv4 address (letters, digits, dots, dashes)";
    return {};
}

} // namespace

StunServerList parseStunServerList(std::string_view text)
{
    StunServerList list;
    std::size_t position = 0;
    while (position < text.size()) {
        const std::size_t end = std::min(text.find_first_of(", \t\n", position), text.size());
        const std::string_view entry = text.substr(position, end - position);
        position = end + 1;
        if (entry.empty()) continue;
        if (const std::string why = checkEntry(entry); !why.empty()) {
            list.error = "\"" + std::string(entry.substr(0, 40)) + "\": " + why;
            list.servers.clear();
            return list;
        }
        if (std::find(list.servers.begin(), list.servers.end(), entry) != list.servers.end()) continue;
        if (list.servers.size() == kMaxServers) {
            list.error = "at most " + std::to_string(kMaxServers) + " servers";
            list.servers.clear();
            return list;
        }
        list.servers.emplace_back(entry);
    }
    return list;
}

std::string joinStunServers(const std::vector<std::string>& servers)
{
    std::string text;
    for (const std::string& server : servers) {
        if (!text.empty()) text += ',';
        text += server;
    }
    return text;
}

} // namespace duet::ui
