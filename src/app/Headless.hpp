#pragma once
// `duet --headless`: the engine driven by one command per line on stdin, with one JSON object per line on
// stdout (the scripting interface; the README lists commands, events and exit codes). Logs go to stderr.
// Thread: runHeadless() owns the main thread; the engine wakes it through a pipe. The pieces below are
// pure and exposed for tests.
#include "HeadlessTransfers.hpp"
#include "Options.hpp"
#include "duet/core/EngineApi.hpp"

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace duet::app {

// Runs until `quit`, end of input or a signal; returns the process exit code (CommandLine.hpp).
int runHeadless(const Options& options);

namespace headless {

struct ConnectLine {
    std::string host;
    std::uint16_t port = kDefaultPort;
};
struct SayLine {
    std::string text; // escapes already resolved
};
struct ConfirmLine {
    std::optional<PeerId> peer; // empty: the most recent peer waiting for confirmation
};
struct RejectLine {
    std::optional<PeerId> peer;
};
struct DisconnectLine {
    std::optional<PeerId> peer;
};
struct HostLine {
    bool accepting = true;
};
struct NameLine {
    std::string name;
};
struct PeersLine {};
struct VisibleLine {
    bool visible = true;
};
// `interfaces [NAME...]`: announce and listen only on these interfaces; no names means every interface.
struct InterfacesLine {
    std::vector<std::string> names;
};
// `history [N]`: the last N messages (default 20, at most 1000) of the current conversation.
struct HistoryLine {
    std::uint32_t count = 20;
};
// HeadlessChat.cpp: `read`, `typing [on|off]`, `search TEXT`, `clear-history`, `export-history PATH`
// act on the current conversation; `read-receipts on|off` and `typing-indicator on|off` are settings.
struct ChatLine {
    std::string verb;
    std::string argument; // search: text (escapes resolved); export-history: path; others: on/off or ""
};
// `code`: print my connection code. `connect CODE`: connect to the code's owner through NATs.
struct NatCodeLine {};
struct ConnectCodeLine {
    std::string code;
};
struct QuitLine {};
struct BlankLine {};
struct LineError {
    std::string reason;
};

using Line = std::variant<ConnectLine, SayLine, ConfirmLine, RejectLine, DisconnectLine, HostLine, NameLine,
                          QuitLine, BlankLine, LineError, PeersLine, VisibleLine, InterfacesLine,
                          TransferLine, HistoryLine, ChatLine, NatCodeLine, ConnectCodeLine>;

// One input line (without its newline; a trailing '\r' is ignored). Never throws.
Line parseLine(std::string_view line);
// Resolves the escapes \n and \\; any other backslash sequence is an error (nullopt, `error` set).
std::optional<std::string> unescape(std::string_view text, std::string& error);
// The JSON line for an event, or nullopt for events the headless interface does not print.
std::optional<std::string> toJson(const Event& event);
// The `id` of chat events: 16 lower-case hex digits.
std::string messageIdText(std::uint64_t id);
// HeadlessChat.cpp: the `history` line and the JSON of durable-chat events (a HistoryPage is several lines:
// one `history` event per message, then `history_end`).
Line parseHistory(std::string_view argument);
std::string chatJson(const event::ChatStateChanged& e);
std::string chatJson(const event::HistoryPage& e);
bool isChatLine(std::string_view command);
Line parseChatLine(std::string_view command, std::string_view argument);
// The command for a chat line; `fingerprint` is the current conversation ("" when there is none).
// Returns nullopt and sets `error` when the line cannot run now.
std::optional<Command> chatCommand(const ChatLine& line, const std::string& fingerprint, std::string& error);
// JSON of the read-receipt, typing, search, clear, export and option events; nullopt for others.
std::optional<std::string> chatEventJson(const Event& event);
// HeadlessNat.cpp: `connect` with a connection code instead of HOST[:PORT] (nullopt: not code-shaped),
// and the JSON of the reachability, code and nat progress events (nullopt for others).
std::optional<Line> parseConnectCode(std::string_view argument);
std::optional<std::string> natEventJson(const Event& event);

} // namespace headless
} // namespace duet::app
