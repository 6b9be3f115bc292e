// A copy built a slice at a time gives the one-shot text byte for byte, whatever the slice size: day lines,
// clocks, partial first and last messages and the byte cap. It follows its messages when older pages come
// in front in the middle of it and is dropped when they are replaced.
#include "duet/ui/ChatCopy.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <doctest/doctest.h>
#include <limits>

using namespace duet;
using ui::ChatCopy;
using ui::ChatSelection;

namespace {

constexpr std::int64_t kStart = 1'800'000'000'000; // 2027-01-15 08:00 UTC
constexpr std::size_t kAll = std::numeric_limits<std::size_t>::max();

struct TzUtc {
    TzUtc()
    {
        setenv("TZ", "UTC", 1);
        tzset();
    }
};

state::ChatMessage message(std::uint64_t id, std::int64_t timeMs)
{
    state::ChatMessage m;
    m.id = id;
    m.outgoing = id % 3 == 0;
    m.from = m.outgoing ? "" : "Alice";
    m.text = "message " + std::to_string(id) + (id % 5 == 0 ? " \xE4\xB8\xAD\xE6\x96\x87" : " words");
    m.timeMs = timeMs;
    return m;
}

// `count` messages from kStart, 47 minutes apart with some in the same minute: about 30 a day.
std::vector<state::ChatMessage> manyDays(std::size_t count, std::uint64_t firstId = 1)
{
    std::vector<state::ChatMessage> messages;
    for (std::size_t i = 0; i < count; ++i)
        messages.push_back(message(firstId + i, kStart + static_cast<std::int64_t>(i / 2) * 47 * 60'000 +
                                                    static_cast<std::int64_t>(i % 2) * 1000));
    return messages;
}

// Runs the copy to the end in slices of `slice` messages; how many calls it took.
int finish(ChatCopy& copy, const std::vector<state::ChatMessage>& messages, std::size_t slice)
{
    int calls = 1;
    while (!ui::continueCopy(copy, messages, slice) && calls < 1'000'000)
        ++calls;
    return calls;
}

} // namespace

TEST_CASE("chat copy: slices of 1, 7 or every message give the one-shot text across several days")
{
    TzUtc utc;
    const auto messages = manyDays(400);
    const std::int64_t now = messages.back().timeMs;
    ChatSelection selection;
    ui::selectRange(selection, ui::pointIn(messages, 390, 4), ui::pointIn(messages, 3, 9));
    const std::string expected = ui::selectionText(messages, selection, now);
    REQUIRE(expected.find("-- Today --\n") != std::string::npos);
    REQUIRE(expected.find("-- Yesterday --\n") != std::string::npos);
    REQUIRE(expected.find("] Alice:  words\n[") == expected.find('\n') + 7); // from byte 9 of "message 4"
    for (const std::size_t slice : {std::size_t{1}, std::size_t{7}, kAll}) {
        CAPTURE(slice);
        ChatCopy copy;
        ui::startCopy(copy, messages, selection, now);
        REQUIRE(copy.active);
        const int calls = finish(copy, messages, slice);
        CHECK(calls == (slice == kAll ? 1 : static_cast<int>((388 + slice - 1) / slice)));
        CHECK(copy.complete);
        CHECK(copy.text == expected);
    }
    // The whole conversation as blocks; a single message is a block too, not its bare text.
    std::string whole;
    ui::appendBlocks(whole, messages, ui::pointIn(messages, 0, 0), ui::endOf(messages, 399), now,
                     ui::kMaxCopyBytes);
    ChatCopy copy;
    ui::startCopyConversation(copy, messages, now);
    finish(copy, messages, 7);
    CHECK(copy.text == whole);
    const std::vector<state::ChatMessage> one(messages.begin(), messages.begin() + 1);
    ui::startCopyConversation(copy, one, now);
    finish(copy, one, 7);
    CHECK(copy.text.starts_with("-- "));
    CHECK(copy.text.ends_with(" --\n[08:00] Alice: message 1 words\n"));
    // Within one message: the bare bytes, complete at once.
    ui::selectRange(selection, ui::pointIn(messages, 4, 2), ui::pointIn(messages, 4, 7));
    ui::startCopy(copy, messages, selection, now);
    CHECK(copy.complete);
    CHECK(copy.text == "ssage");
    ui::startCopy(copy, messages, ChatSelection{}, now);
    CHECK_FALSE(copy.active);
    CHECK_FALSE(ui::continueCopy(copy, messages, 7));
}

TEST_CASE("chat copy: the byte cap cuts where the one-shot text does, never inside a character")
{
    TzUtc utc;
    const auto messages = manyDays(200);
    ChatSelection selection;
    ui::selectAll(selection, messages);
    for (const std::size_t cap : {std::size_t{0}, std::size_t{1}, std::size_t{50}, std::size_t{1000},
                                  std::size_t{1002}, std::size_t{4321}}) {
        CAPTURE(cap);
        const std::string expected = ui::selectionText(messages, selection, kStart, cap);
        CHECK(expected.size() <= cap);
        for (const std::size_t slice : {std::size_t{1}, std::size_t{7}, kAll}) {
            ChatCopy copy;
            ui::startCopy(copy, messages, selection, kStart, cap);
            finish(copy, messages, slice);
            CHECK(copy.text == expected);
        }
    }
}

TEST_CASE("chat copy: older messages loaded in front in the middle of a copy leave its text unchanged")
{
    TzUtc utc;
    auto messages = manyDays(300, 1000);
    ChatSelection selection;
    ui::selectRange(selection, ui::pointIn(messages, 10, 3), ui::pointIn(messages, 290, 5));
    const std::string expected = ui::selectionText(messages, selection, kStart);
    ChatCopy copy;
    ui::startCopy(copy, messages, selection, kStart);
    for (int i = 0; i < 10; ++i)
        REQUIRE_FALSE(ui::continueCopy(copy, messages, 7));
    // A page of older messages: every index moves by 50.
    const auto older = manyDays(50, 1);
    messages.insert(messages.begin(), older.begin(), older.end());
    REQUIRE(ui::rebaseCopy(copy, messages, 50));
    CHECK(copy.cursor.next == 10 + 70 + 50);
    REQUIRE_FALSE(ui::continueCopy(copy, messages, 7));
    // A wrong count of messages in front is corrected by id; new ones at the end are not copied.
    messages.insert(messages.begin(), message(999, kStart - 60'000));
    messages.push_back(message(5000, kStart + 1000 * 60'000));
    REQUIRE(ui::rebaseCopy(copy, messages, 0));
    finish(copy, messages, 7);
    CHECK(copy.text == expected);
}

TEST_CASE("chat copy: messages replaced under a copy drop it")
{
    auto messages = manyDays(100);
    ChatSelection selection;
    ui::selectAll(selection, messages);
    ChatCopy copy;
    ui::startCopy(copy, messages, selection, kStart);
    REQUIRE_FALSE(ui::continueCopy(copy, messages, 10));
    messages = manyDays(100, 500); // another conversation's messages, or the history cleared and refilled
    CHECK_FALSE(ui::rebaseCopy(copy, messages, 0));
    CHECK_FALSE(copy.active);
    CHECK_FALSE(ui::continueCopy(copy, messages, 10));
    // Only the message the copy is at went away: dropped too.
    messages = manyDays(100);
    ui::startCopy(copy, messages, selection, kStart);
    REQUIRE_FALSE(ui::continueCopy(copy, messages, 10));
    messages.erase(messages.begin() + 10);
    CHECK_FALSE(ui::rebaseCopy(copy, messages, 0));
}

TEST_CASE("chat copy: a time budget takes a huge copy over several calls and a small one in a single call")
{
    TzUtc utc;
    const auto messages = manyDays(100'000);
    ChatSelection selection;
    ui::selectAll(selection, messages);
    const std::string expected = ui::selectionText(messages, selection, kStart);
    ChatCopy copy;
    ui::startCopy(copy, messages, selection, kStart);
    int calls = 1;
    double longest = 0.0;
    for (bool done = false; !done && calls < 100'000; ++calls) {
        const auto start = std::chrono::steady_clock::now();
        done = ui::continueCopyFor(copy, messages, std::chrono::microseconds(4000));
        longest = std::max(
            longest,
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    MESSAGE("copy of 100,000 messages: " << calls - 1 << " calls of 4 ms, the longest " << longest << " ms");
    CHECK(calls > 2);
    CHECK(copy.text == expected);

    ui::selectRange(selection, ui::pointIn(messages, 500, 0),
                    ui::endOf(messages, 500 + ui::kCopyCheckEvery - 1));
    ui::startCopy(copy, messages, selection, kStart);
    CHECK(ui::continueCopyFor(copy, messages, std::chrono::microseconds(0)));
    CHECK(copy.text == ui::selectionText(messages, selection, kStart));
}
