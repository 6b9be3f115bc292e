// The selection model on its own: points across messages, in either direction, per-message ranges, UTF-8
// boundaries, the copied text, Shift+Click, Shift+Up/Down, Ctrl+A over 100,000 messages and points that
// follow their messages when older pages come in front.
#include "duet/ui/ChatSelection.hpp"

#include <chrono>
#include <cstdlib>
#include <doctest/doctest.h>

using namespace duet;
using ui::ChatSelection;
using ui::TextPoint;

namespace {

constexpr std::int64_t kNoon = 1'800'000'000'000; // 2027-01-15 08:00 UTC

struct TzUtc {
    TzUtc()
    {
        setenv("TZ", "UTC", 1);
        tzset();
    }
};

state::ChatMessage message(std::uint64_t id, std::string text, bool outgoing = false,
                           std::int64_t timeMs = kNoon)
{
    state::ChatMessage m;
    m.id = id;
    m.outgoing = outgoing;
    m.from = outgoing ? "" : "Alice";
    m.text = std::move(text);
    m.timeMs = timeMs;
    return m;
}

std::vector<state::ChatMessage> three()
{
    return {message(10, "first one"), message(20, "second", true, kNoon + 60'000),
            message(30, "third line", false, kNoon + 120'000)};
}

std::string range(const ChatSelection& selection, const std::vector<state::ChatMessage>& messages,
                  std::size_t index)
{
    const auto [begin, end] = ui::rangeIn(selection, index, messages[index].text.size());
    return messages[index].text.substr(begin, end - begin);
}

} // namespace

TEST_CASE("chat selection: a range across messages covers a partial first, whole middle and partial last")
{
    const auto messages = three();
    ChatSelection forward;
    ui::selectRange(forward, ui::pointIn(messages, 0, 6), ui::pointIn(messages, 2, 5));
    CHECK(range(forward, messages, 0) == "one");
    CHECK(range(forward, messages, 1) == "second");
    CHECK(range(forward, messages, 2) == "third");
    CHECK(forward.spansMessages());

    // Dragged upwards: the same text, the anchor stays where the drag began.
    ChatSelection backward;
    ui::selectRange(backward, ui::pointIn(messages, 2, 5), ui::pointIn(messages, 0, 6));
    for (std::size_t i = 0; i < 3; ++i)
        CHECK(range(backward, messages, i) == range(forward, messages, i));
    CHECK(backward.anchor.index == 2);
    CHECK(backward.first().index == 0);

    // Outside the range, and an empty caret, select nothing.
    ChatSelection caret;
    ui::placeCaret(caret, ui::pointIn(messages, 1, 2));
    CHECK(caret.empty());
    CHECK(range(caret, messages, 1).empty());
    ChatSelection middle;
    ui::selectRange(middle, ui::pointIn(messages, 1, 1), ui::pointIn(messages, 1, 4));
    CHECK(range(middle, messages, 0).empty());
    CHECK(range(middle, messages, 1) == "eco");
    CHECK(range(middle, messages, 2).empty());
}

TEST_CASE("chat selection: points never split a UTF-8 character")
{
    const std::vector<state::ChatMessage> messages{message(1, "a\xC3\xA9z"),
                                                   message(2, "\xE4\xB8\xAD\xE6\x96\x87")};
    CHECK(ui::pointIn(messages, 0, 2).offset == 1); // inside é: back to its start
    CHECK(ui::pointIn(messages, 0, 3).offset == 3);
    CHECK(ui::pointIn(messages, 1, 4).offset == 3);
    CHECK(ui::pointIn(messages, 1, 99).offset == 6); // clamped to the text
    ChatSelection selection;
    ui::selectRange(selection, ui::pointIn(messages, 0, 2), ui::pointIn(messages, 1, 5));
    TzUtc utc;
    CHECK(ui::selectionText(messages, selection, kNoon) ==
          "-- Today --\n[08:00] Alice: \xC3\xA9z\n[08:00] Alice: \xE4\xB8\xAD\n");
    // A byte limit cuts at a character boundary too.
    ChatSelection one;
    ui::selectRange(one, ui::pointIn(messages, 1, 0), ui::endOf(messages, 1));
    CHECK(ui::selectionText(messages, one, kNoon, 5) == "\xE4\xB8\xAD");
}

TEST_CASE("chat selection: copied text is the bare part in one message and timed blocks across messages")
{
    TzUtc utc;
    auto messages = three();
    ChatSelection selection;
    ui::selectRange(selection, ui::pointIn(messages, 0, 2), ui::pointIn(messages, 0, 5));
    CHECK(ui::selectionText(messages, selection, kNoon) == "rst");
    ui::selectRange(selection, ui::pointIn(messages, 2, 5), ui::pointIn(messages, 0, 6));
    CHECK(ui::selectionText(messages, selection, kNoon) ==
          "-- Today --\n[08:00] Alice: one\n[08:01] You: second\n[08:02] Alice: third\n");
    // A new day within the selection gets its own line.
    messages[2].timeMs = kNoon + 24 * 3'600'000;
    CHECK(ui::selectionText(messages, selection, kNoon + 24 * 3'600'000) ==
          "-- Yesterday --\n[08:00] Alice: one\n[08:01] You: second\n-- Today --\n[08:00] Alice: third\n");
    CHECK(ui::selectionText(messages, ChatSelection{}, kNoon).empty());
}

TEST_CASE("chat selection: Shift+Click extends from the anchor and Shift+Up or Down moves by a message")
{
    const auto messages = three();
    ChatSelection selection;
    ui::placeCaret(selection, ui::pointIn(messages, 1, 3));
    ui::extendTo(selection, ui::pointIn(messages, 2, 4));
    CHECK(range(selection, messages, 1) == "ond");
    CHECK(range(selection, messages, 2) == "thir");
    ui::extendTo(selection, ui::pointIn(messages, 0, 6)); // the other side of the anchor
    CHECK(range(selection, messages, 0) == "one");
    CHECK(range(selection, messages, 1) == "sec");
    CHECK(range(selection, messages, 2).empty());
    // With nothing set, Shift+Click places the anchor where it lands.
    ChatSelection fresh;
    ui::extendTo(fresh, ui::pointIn(messages, 0, 1));
    CHECK(fresh.set);
    CHECK(fresh.empty());

    ui::placeCaret(selection, ui::pointIn(messages, 0, 3));
    REQUIRE(ui::extendByMessage(selection, messages, +1)); // to the end of its own message
    CHECK(selection.focus == ui::endOf(messages, 0));
    REQUIRE(ui::extendByMessage(selection, messages, +1)); // then the next one whole
    CHECK(range(selection, messages, 1) == "second");
    REQUIRE(ui::extendByMessage(selection, messages, +1));
    CHECK(selection.focus == ui::endOf(messages, 2));
    CHECK_FALSE(ui::extendByMessage(selection, messages, +1)); // the last message's end
    REQUIRE(ui::extendByMessage(selection, messages, -1));     // back: start of the focus message
    CHECK(selection.focus == ui::pointIn(messages, 2, 0));
    REQUIRE(ui::extendByMessage(selection, messages, -1));
    REQUIRE(ui::extendByMessage(selection, messages, -1)); // to the start of message 0, above the anchor
    CHECK(range(selection, messages, 0) == "fir");
    CHECK(range(selection, messages, 1).empty());
    CHECK_FALSE(ui::extendByMessage(selection, messages, -1));
    ui::collapse(selection);
    CHECK(selection.empty());
    CHECK(selection.anchor == ui::pointIn(messages, 0, 3));
}

TEST_CASE("chat selection: it follows its messages when older pages come in front and new ones arrive")
{
    auto messages = three();
    ChatSelection selection;
    ui::selectRange(selection, ui::pointIn(messages, 1, 2), ui::pointIn(messages, 2, 3));
    messages.insert(messages.begin(), {message(1, "older a"), message(2, "older b")});
    messages.push_back(message(40, "newest"));
    REQUIRE(ui::rebase(selection, messages, 2));
    CHECK(selection.anchor.index == 3);
    CHECK(range(selection, messages, 3) == "cond");
    CHECK(range(selection, messages, 4) == "thi");
    CHECK(range(selection, messages, 1).empty());
    // A wrong guess of how many came in front is found by id.
    messages.insert(messages.begin(), message(0, "oldest"));
    REQUIRE(ui::rebase(selection, messages, 0));
    CHECK(range(selection, messages, 4) == "cond");
    // A message that went away drops the selection instead of moving it onto another message.
    messages.erase(messages.begin() + 4);
    CHECK_FALSE(ui::rebase(selection, messages, 0));
    CHECK_FALSE(selection.set);
}

TEST_CASE("chat selection: Ctrl+A selects 100,000 messages and copies them quickly, bounded")
{
    TzUtc utc;
    std::vector<state::ChatMessage> messages;
    messages.reserve(100'000);
    for (std::uint64_t i = 0; i < 100'000; ++i)
        messages.push_back(message(i + 1, "message number " + std::to_string(i) + " with some words in it",
                                   i % 2 == 0, kNoon + static_cast<std::int64_t>(i) * 61'000));
    ChatSelection selection;
    ui::selectAll(selection, messages);
    CHECK(range(selection, messages, 0) == messages[0].text);
    CHECK(range(selection, messages, 99'999) == messages[99'999].text);
    const auto start = std::chrono::steady_clock::now();
    const std::string text = ui::selectionText(messages, selection, kNoon);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    MESSAGE("copy of 100,000 messages: " << ms << " ms, " << text.size() << " bytes"); // measured only
    CHECK(text.starts_with(
        "-- Today --\n[08:00] You: message number 0 with some words in it\n[08:01] Alice: "));
    CHECK(text.ends_with("message number 99999 with some words in it\n"));
    const std::string bounded = ui::selectionText(messages, selection, kNoon, 1000);
    CHECK(bounded.size() <= 1000);
    CHECK(text.starts_with(bounded));
    ui::selectAll(selection, {});
    CHECK_FALSE(selection.set);
}
