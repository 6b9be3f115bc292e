// The headless interface of durable chat: the `history [N]` line and the other chat lines (read,
// typing, search, clear-history, export-history, read-receipts, typing-indicator), and JSON for message
// states, history pages, search results, typing and options (README, "The headless interface").
#include "Headless.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

namespace duet::app::headless {
namespace {

constexpr std::uint32_t kMaxHistoryLines = 1000;
constexpr std::uint32_t kSearchLimit = 100;

std::optional<bool> onOff(std::string_view argument)
{
    if (argument == "on") return true;
    if (argument == "off") return false;
    return std::nullopt;
}

nlohmann::json entryJson(const char* name, const std::string& fingerprint, const event::HistoryEntry& entry);

const char* stateName(MessageState state)
{
    switch (state) {
    case MessageState::Queued:
        return "queued";
    case MessageState::Sent:
        return "sent";
    case MessageState::Delivered:
        return "delivered";
    case MessageState::Read:
        return "read";
    case MessageState::Received:
        return "received";
    }
    return "queued";
}

std::string dump(const nlohmann::json& line)
{
    // Stored text was validated UTF-8 when it arrived; replacing is a second line of defence.
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json entryJson(const char* name, const std::string& fingerprint, const event::HistoryEntry& entry)
{
    return nlohmann::json{{"event", name},
                          {"fingerprint", fingerprint},
                          {"id", messageIdText(entry.messageId)},
                          {"outgoing", entry.outgoing},
                          {"text", entry.text},
                          {"time", entry.sentAtMs},
                          {"state", stateName(entry.state)},
                          {"row", entry.rowId}};
}

std::string searchJson(const event::HistorySearchResults& e)
{
    std::string lines;
    for (const event::HistoryEntry& entry : e.messages) {
        lines += dump(entryJson("found", e.fingerprint, entry));
        lines += '\n';
    }
    lines += dump(nlohmann::json{{"event", "search_end"},
                                 {"fingerprint", e.fingerprint},
                                 {"query", e.query},
                                 {"count", e.messages.size()},
                                 {"more", e.more}});
    return lines;
}

} // namespace

bool isChatLine(std::string_view command)
{
    return command == "read" || command == "typing" || command == "search" || command == "clear-history" ||
           command == "export-history" || command == "read-receipts" || command == "typing-indicator";
}

Line parseChatLine(std::string_view command, std::string_view argument)
{
    const std::string verb(command);
    if (command == "read" || command == "clear-history") {
        if (!argument.empty()) return LineError{verb + " takes no argument"};
        return ChatLine{verb, {}};
    }
    if (command == "typing") {
        if (argument.empty()) return ChatLine{verb, "on"};
        if (!onOff(argument)) return LineError{"typing needs on or off (or nothing: on)"};
        return ChatLine{verb, std::string(argument)};
    }
    if (command == "read-receipts" || command == "typing-indicator") {
        if (!onOff(argument)) return LineError{verb + " needs on or off"};
        return ChatLine{verb, std::string(argument)};
    }
    if (command == "search") {
        std::string error;
        std::optional<std::string> text = unescape(argument, error);
        if (!text) return LineError{"search: " + error};
        if (text->empty()) return LineError{"search needs text"};
        return ChatLine{verb, std::move(*text)};
    }
    // export-history: the rest of the line is the path, spaces included.
    if (argument.empty() || argument.front() != '/')
        return LineError{"export-history needs an absolute path"};
    return ChatLine{verb, std::string(argument)};
}

std::optional<Command> chatCommand(const ChatLine& line, const std::string& fingerprint, std::string& error)
{
    if (line.verb == "read-receipts") return command::SetChatOptions{onOff(line.argument), std::nullopt};
    if (line.verb == "typing-indicator") return command::SetChatOptions{std::nullopt, onOff(line.argument)};
    if (fingerprint.empty()) {
        error = line.verb + ": no conversation yet (connect to a peer first)";
        return std::nullopt;
    }
    if (line.verb == "read") return command::MarkRead{PeerId{}, fingerprint};
    if (line.verb == "typing") return command::SetTyping{PeerId{}, fingerprint, line.argument == "on"};
    if (line.verb == "search")
        return command::SearchHistory{PeerId{}, fingerprint, line.argument, kSearchLimit};
    if (line.verb == "clear-history") return command::ClearHistory{PeerId{}, fingerprint};
    if (line.verb == "export-history") return command::ExportHistory{PeerId{}, fingerprint, line.argument};
    error = "unknown chat command " + line.verb;
    return std::nullopt;
}

std::optional<std::string> chatEventJson(const Event& event)
{
    if (const auto* typing = std::get_if<event::PeerTyping>(&event)) {
        nlohmann::json line{
            {"event", "typing"}, {"fingerprint", typing->fingerprint}, {"typing", typing->typing}};
        if (typing->peer) line["peer"] = typing->peer.value;
        return dump(line);
    }
    if (const auto* found = std::get_if<event::HistorySearchResults>(&event)) return searchJson(*found);
    if (const auto* cleared = std::get_if<event::HistoryCleared>(&event))
        return dump(nlohmann::json{{"event", "history_cleared"},
                                   {"fingerprint", cleared->fingerprint},
                                   {"removed", cleared->removed}});
    if (const auto* exported = std::get_if<event::HistoryExported>(&event))
        return dump(nlohmann::json{{"event", "history_exported"},
                                   {"fingerprint", exported->fingerprint},
                                   {"path", exported->path},
                                   {"count", exported->messages}});
    if (const auto* options = std::get_if<event::ChatOptions>(&event))
        return dump(nlohmann::json{{"event", "chat_options"},
                                   {"read_receipts", options->readReceipts},
                                   {"typing_indicator", options->typingIndicator}});
    return std::nullopt;
}

Line parseHistory(std::string_view argument)
{
    if (argument.empty()) return HistoryLine{};
    std::uint32_t count = 0;
    const auto [end, error] = std::from_chars(argument.data(), argument.data() + argument.size(), count);
    if (error != std::errc() || end != argument.data() + argument.size() || count == 0 ||
        count > kMaxHistoryLines)
        return LineError{"history needs a count from 1 to " + std::to_string(kMaxHistoryLines)};
    return HistoryLine{count};
}

std::string chatJson(const event::ChatStateChanged& e)
{
    nlohmann::json line{{"event", "state"},
                        {"fingerprint", e.fingerprint},
                        {"id", messageIdText(e.messageId)},
                        {"state", stateName(e.state)},
                        {"time", e.timeMs}};
    if (e.peer) line["peer"] = e.peer.value;
    return dump(line);
}

std::string chatJson(const event::HistoryPage& e)
{
    std::string lines;
    for (const event::HistoryEntry& entry : e.messages) {
        lines += dump(entryJson("history", e.fingerprint, entry));
        lines += '\n';
    }
    lines += dump(nlohmann::json{{"event", "history_end"},
                                 {"fingerprint", e.fingerprint},
                                 {"count", e.messages.size()},
                                 {"more", e.more}});
    return lines;
}

} // namespace duet::app::headless
