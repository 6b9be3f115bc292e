// The headless input language: one command per line (README.md lists them). Pure; never throws.
#include "Headless.hpp"

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

namespace duet::app {
namespace headless {
namespace {

std::optional<PeerId> parsePeerId(std::string_view text)
{
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value == 0) return std::nullopt;
    return PeerId{value};
}

// For commands with an optional PEERID argument.
template <typename T>
Line withOptionalPeer(std::string_view command, std::string_view argument)
{
    if (argument.empty()) return T{};
    if (auto peer = parsePeerId(argument)) return T{peer};
    return LineError{std::string(command) + ": not a peer id: " + std::string(argument)};
}

Line parseConnect(std::string_view target)
{
    if (target.empty()) return LineError{"connect needs HOST[:PORT]"};
    ConnectLine line;
    line.host = std::string(target);
    const std::size_t colon = target.rfind(':');
    if (colon != std::string_view::npos) {
        const std::string_view portText = target.substr(colon + 1);
        unsigned port = 0;
        const auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
        if (ec != std::errc() || end != portText.data() + portText.size() || port == 0 || port > 65535)
            return LineError{"connect: bad port: " + std::string(portText)};
        line.host = std::string(target.substr(0, colon));
        line.port = static_cast<std::uint16_t>(port);
    }
    if (line.host.empty()) return LineError{"connect needs HOST[:PORT]"};
    return line;
}

// Names are checked by the engine, which owns the rules for them; here only the word split happens.
Line parseInterfaces(std::string_view argument)
{
    InterfacesLine line;
    std::size_t start = 0;
    while (start < argument.size()) {
        const std::size_t space = argument.find(' ', start);
        const std::size_t end = space == std::string_view::npos ? argument.size() : space;
        if (end > start) line.names.emplace_back(argument.substr(start, end - start));
        start = end + 1;
    }
    return line;
}

} // namespace

std::optional<std::string> unescape(std::string_view text, std::string& error)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\') {
            out += text[i];
            continue;
        }
        if (i + 1 == text.size()) {
            error = "a backslash at the end of the line (write \\\\ for one backslash)";
            return std::nullopt;
        }
        const char next = text[++i];
        if (next == 'n') {
            out += '\n';
        } else if (next == '\\') {
            out += '\\';
        } else {
            error = std::string("unknown escape \\") + next + " (only \\n and \\\\ exist)";
            return std::nullopt;
        }
    }
    return out;
}

Line parseLine(std::string_view line)
{
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(' ') == std::string_view::npos) return BlankLine{};
    const std::size_t space = line.find(' ');
    const std::string_view command = line.substr(0, space);
    const std::string_view argument =
        space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
    std::string error;
    if (command == "say" || command == "name") {
        std::optional<std::string> text = unescape(argument, error);
        if (!text) return LineError{command == "say" ? "say: " + error : "name: " + error};
        if (text->empty()) return LineError{std::string(command) + " needs text"};
        if (command == "say") return SayLine{std::move(*text)};
        return NameLine{std::move(*text)};
    }
    if (isTransferLine(command, argument)) {
        std::optional<TransferLine> transfer = parseTransferLine(command, argument, error);
        if (!transfer) return LineError{error};
        return std::move(*transfer);
    }
    if (command == "connect") {
        if (std::optional<Line> code = parseConnectCode(argument)) return std::move(*code);
        return parseConnect(argument);
    }
    if (command == "code" && argument.empty()) return NatCodeLine{};
    if (command == "confirm") return withOptionalPeer<ConfirmLine>(command, argument);
    if (command == "reject") return withOptionalPeer<RejectLine>(command, argument);
    if (command == "disconnect") return withOptionalPeer<DisconnectLine>(command, argument);
    if (command == "host") {
        if (argument == "on") return HostLine{true};
        if (argument == "off") return HostLine{false};
        return LineError{"host needs on or off"};
    }
    if (command == "peers" && argument.empty()) return PeersLine{};
    if (command == "history") return parseHistory(argument);
    if (isChatLine(command)) return parseChatLine(command, argument);
    if (command == "visible") {
        if (argument == "on") return VisibleLine{true};
        if (argument == "off") return VisibleLine{false};
        return LineError{"visible needs on or off"};
    }
    if (command == "interfaces") return parseInterfaces(argument);
    if (command == "quit" && argument.empty()) return QuitLine{};
    return LineError{"unknown command: " + std::string(command.substr(0, 40))};
}

} // namespace headless
} // namespace duet::app
