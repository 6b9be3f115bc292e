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
// `history [N]`: the last N messages (default 20, at most 1000) of the current conversation.
struct HistoryLine {
    std::uint32_t count = 20;
};
struct QuitLine {};
struct BlankLine {};
struct LineError {
    std::string reason;
};

using Line = std::variant<ConnectLine, SayLine, ConfirmLine, RejectLine, DisconnectLine, HostLine, NameLine,
                          QuitLine, BlankLine, LineError, PeersLine, VisibleLine, TransferLine,
                          HistoryLine>;

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

} // namespace headless
} // namespace duet::app
