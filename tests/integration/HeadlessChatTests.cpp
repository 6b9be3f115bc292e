// The headless chat lines (read, typing, search, clear-history, export-history, read-receipts,
// typing-indicator) and the JSON of the durable-chat events they lead to.
#include "Headless.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace duet;
using namespace duet::app::headless;
using nlohmann::json;

namespace {

ChatLine chatLine(std::string_view text)
{
    const Line line = parseLine(text);
    REQUIRE(std::holds_alternative<ChatLine>(line));
    return std::get<ChatLine>(line);
}

std::string errorOf(std::string_view text)
{
    const Line line = parseLine(text);
    REQUIRE(std::holds_alternative<LineError>(line));
    return std::get<LineError>(line).reason;
}

template <typename T>
T commandFor(std::string_view text, const std::string& fingerprint = "FP")
{
    std::string error;
    std::optional<Command> command = chatCommand(chatLine(text), fingerprint, error);
    REQUIRE(command);
    REQUIRE(std::holds_alternative<T>(*command));
    return std::get<T>(*command);
}

std::vector<json> lines(const Event& event)
{
    std::optional<std::string> text = toJson(event);
    REQUIRE(text);
    std::vector<json> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i < 100; ++i) {
        const std::size_t end = text->find('\n', start);
        out.push_back(json::parse(text->substr(start, end - start)));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return out;
}

} // namespace

TEST_CASE("chat lines parse and become commands on the current conversation")
{
    CHECK(commandFor<command::MarkRead>("read").fingerprint == "FP");
    CHECK(commandFor<command::SetTyping>("typing").typing);
    CHECK(commandFor<command::SetTyping>("typing on").typing);
    CHECK_FALSE(commandFor<command::SetTyping>("typing off").typing);
    auto search = commandFor<command::SearchHistory>("search 50% off\\nnow");
    CHECK(search.query == "50% off\nnow");
    CHECK(search.limit == 100);
    CHECK(commandFor<command::ClearHistory>("clear-history").fingerprint == "FP");
    CHECK(commandFor<command::ExportHistory>("export-history /tmp/my chat.txt").path == "/tmp/my chat.txt");
    auto receipts = commandFor<command::SetChatOptions>("read-receipts off", "");
    CHECK(receipts.readReceipts == false);
    CHECK_FALSE(receipts.typingIndicator);
    auto typing = commandFor<command::SetChatOptions>("typing-indicator on", "");
    CHECK_FALSE(typing.readReceipts);
    CHECK(typing.typingIndicator == true);

    std::string error;
    CHECK_FALSE(chatCommand(chatLine("read"), "", error));
    CHECK(error == "read: no conversation yet (connect to a peer first)");
}

TEST_CASE("malformed chat lines are errors, not commands")
{
    CHECK(errorOf("read now") == "read takes no argument");
    CHECK(errorOf("clear-history all") == "clear-history takes no argument");
    CHECK(errorOf("typing maybe") == "typing needs on or off (or nothing: on)");
    CHECK(errorOf("read-receipts") == "read-receipts needs on or off");
    CHECK(errorOf("typing-indicator yes") == "typing-indicator needs on or off");
    CHECK(errorOf("search") == "search needs text");
    CHECK(errorOf("search bad \\q").find("search: unknown escape") == 0);
    CHECK(errorOf("export-history") == "export-history needs an absolute path");
    CHECK(errorOf("export-history relative.txt") == "export-history needs an absolute path");
}

TEST_CASE("durable-chat events print as documented")
{
    auto typing = lines(event::PeerTyping{PeerId{4}, "FP", true});
    REQUIRE(typing.size() == 1);
    CHECK(typing[0] == json{{"event", "typing"}, {"fingerprint", "FP"}, {"typing", true}, {"peer", 4}});

    auto read = lines(event::ChatStateChanged{PeerId{}, "FP", 0xAB, MessageState::Read, 5});
    CHECK(read[0]["state"] == "read");
    CHECK(read[0]["id"] == "00000000000000ab");
    CHECK_FALSE(read[0].contains("peer"));

    event::HistorySearchResults results{"FP", "q", {}, true};
    results.messages.push_back(event::HistoryEntry{7, 1, true, "a q", 10, MessageState::Delivered});
    results.messages.push_back(event::HistoryEntry{3, 2, false, "q\nb", 9, MessageState::Read});
    auto found = lines(results);
    REQUIRE(found.size() == 3);
    CHECK(found[0]["event"] == "found");
    CHECK(found[0]["row"] == 7);
    CHECK(found[1]["text"] == "q\nb");
    CHECK(found[1]["outgoing"] == false);
    CHECK(found[2] ==
          json{{"event", "search_end"}, {"fingerprint", "FP"}, {"query", "q"}, {"count", 2}, {"more", true}});

    CHECK(lines(event::HistoryCleared{"FP", 12})[0] ==
          json{{"event", "history_cleared"}, {"fingerprint", "FP"}, {"removed", 12}});
    CHECK(lines(event::HistoryExported{"FP", "/tmp/x.txt", 3})[0] ==
          json{{"event", "history_exported"}, {"fingerprint", "FP"}, {"path", "/tmp/x.txt"}, {"count", 3}});
    CHECK(lines(event::ChatOptions{false, true})[0] ==
          json{{"event", "chat_options"}, {"read_receipts", false}, {"typing_indicator", true}});
}
