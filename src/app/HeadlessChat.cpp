// The headless interface of durable chat: the `history [N]` line, and JSON for message states and
// history pages (README, "The headless interface").
#include "Headless.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

namespace duet::app::headless {
namespace {

constexpr std::uint32_t kMaxHistoryLines = 1000;

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

} // namespace

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
        lines += dump(nlohmann::json{{"event", "history"},
                                     {"fingerprint", e.fingerprint},
                                     {"id", messageIdText(entry.messageId)},
                                     {"outgoing", entry.outgoing},
                                     {"text", entry.text},
                                     {"time", entry.sentAtMs},
                                     {"state", stateName(entry.state)},
                                     {"row", entry.rowId}});
        lines += '\n';
    }
    lines += dump(nlohmann::json{{"event", "history_end"},
                                 {"fingerprint", e.fingerprint},
                                 {"count", e.messages.size()},
                                 {"more", e.more}});
    return lines;
}

} // namespace duet::app::headless
