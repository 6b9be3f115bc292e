#include "TestSupport.hpp"
#include "duet/profile/ProfileStore.hpp"

#include <doctest/doctest.h>
#include <set>

using namespace duet::profile;
using duet::profile::test::TempDir;

namespace {

std::vector<std::uint64_t> messageIds(const std::vector<StoredMessage>& messages)
{
    std::vector<std::uint64_t> ids;
    for (const StoredMessage& message : messages)
        ids.push_back(message.messageId);
    return ids;
}

} // namespace

TEST_CASE("storeIncomingOnce stores a re-sent message only once")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path());
    CHECK(store->storeIncomingOnce("FP-A", 77, "hi", 1000));
    CHECK_FALSE(store->storeIncomingOnce("FP-A", 77, "hi (re-sent after a lost ack)", 1001));

    auto messages = store->history("FP-A", 10);
    REQUIRE(messages.size() == 1);
    CHECK(messages[0].text == "hi");
    CHECK(messages[0].sentAtMs == 1000);
    CHECK(messages[0].direction == MessageDirection::Incoming);
    CHECK(messages[0].state == MessageState::Received);
    CHECK(messages[0].peerFingerprint == "FP-A");

    // The id is unique per peer and direction only.
    CHECK(store->storeIncomingOnce("FP-B", 77, "other peer", 1002));
    store->storeOutgoing("FP-A", 77, "my own message 77", 1003);
    CHECK(store->history("FP-A", 10).size() == 2);
}

TEST_CASE("storeOutgoing refuses the same message id twice for one peer")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path());
    std::int64_t first = store->storeOutgoing("FP-A", 5, "one", 10);
    std::int64_t second = store->storeOutgoing("FP-A", 6, "two", 11);
    CHECK(second > first);
    CHECK_THROWS_WITH_AS(store->storeOutgoing("FP-A", 5, "again", 12), doctest::Contains("UNIQUE"),
                         std::runtime_error);
    CHECK(store->history("FP-A", 10).size() == 2); // the failed insert left nothing behind
    CHECK(store->storeOutgoing("FP-A", 7, "after the error", 13) > second); // the statement is reusable
}

TEST_CASE("history pages newest first without gaps or overlaps")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path());
    for (std::uint64_t i = 1; i <= 25; ++i) {
        if (i % 2 == 0)
            store->storeOutgoing("FP-A", i, "msg " + std::to_string(i), static_cast<std::int64_t>(i));
        else
            store->storeIncomingOnce("FP-A", i, "msg " + std::to_string(i), static_cast<std::int64_t>(i));
        store->storeIncomingOnce("FP-OTHER", i, "noise", 0);
    }

    auto first = store->history("FP-A", 10);
    CHECK(messageIds(first) == std::vector<std::uint64_t>{25, 24, 23, 22, 21, 20, 19, 18, 17, 16});
    auto second = store->history("FP-A", 10, first.back().rowId);
    CHECK(messageIds(second) == std::vector<std::uint64_t>{15, 14, 13, 12, 11, 10, 9, 8, 7, 6});
    auto third = store->history("FP-A", 10, second.back().rowId);
    CHECK(messageIds(third) == std::vector<std::uint64_t>{5, 4, 3, 2, 1});
    CHECK(store->history("FP-A", 10, third.back().rowId).empty());

    CHECK(first[0].text == "msg 25");
    CHECK(first[1].direction == MessageDirection::Outgoing);
    CHECK(first[1].state == MessageState::Queued);
    CHECK(store->history("FP-A", 0).empty());
    CHECK(store->history("FP-A", static_cast<std::size_t>(-1)).size() == 25); // no wrap to "no limit"
    CHECK(store->history("FP-NOBODY", 10).empty());
}

TEST_CASE("pendingOutgoing lists queued and sent messages in the order they were written")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path());
    // Ids are random on the wire, so the order must come from storage, not from the id.
    const std::uint64_t ids[] = {900, 5, 700, 1, 300};
    for (std::uint64_t id : ids)
        store->storeOutgoing("FP-A", id, "text", 0);
    store->storeIncomingOnce("FP-A", 2, "incoming is never pending", 0);
    store->storeOutgoing("FP-B", 3, "other peer", 0);

    CHECK(store->markState("FP-A", MessageDirection::Outgoing, 5, MessageState::Delivered));
    CHECK(store->markState("FP-A", MessageDirection::Outgoing, 700, MessageState::Sent));
    CHECK(store->markState("FP-A", MessageDirection::Outgoing, 300, MessageState::Read));

    auto pending = store->pendingOutgoing("FP-A");
    CHECK(messageIds(pending) == std::vector<std::uint64_t>{900, 700, 1});
    REQUIRE(pending.size() == 3);
    CHECK(pending[0].state == MessageState::Queued);
    CHECK(pending[1].state == MessageState::Sent);
    CHECK(pending[0].rowId < pending[1].rowId);
    CHECK(messageIds(store->pendingOutgoing("FP-B")) == std::vector<std::uint64_t>{3});
}

TEST_CASE("markState only moves a message forward and checks the state fits the direction")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path());
    store->storeOutgoing("FP-A", 1, "out", 0);
    store->storeIncomingOnce("FP-A", 1, "in", 0);
    const auto out = MessageDirection::Outgoing;
    const auto in = MessageDirection::Incoming;

    CHECK(store->markState("FP-A", out, 1, MessageState::Delivered)); // a receipt may overtake "sent"
    CHECK_FALSE(store->markState("FP-A", out, 1, MessageState::Sent));
    CHECK_FALSE(store->markState("FP-A", out, 1, MessageState::Delivered));
    CHECK(store->history("FP-A", 10)[1].state == MessageState::Delivered);
    CHECK(store->markState("FP-A", out, 1, MessageState::Read));

    CHECK(store->markState("FP-A", in, 1, MessageState::Read));
    CHECK_FALSE(store->markState("FP-A", in, 1, MessageState::Read));
    auto messages = store->history("FP-A", 10);
    CHECK(messages[0].state == MessageState::Read);
    CHECK(messages[1].state == MessageState::Read);

    CHECK_FALSE(store->markState("FP-A", out, 999, MessageState::Sent)); // unknown message
    CHECK_FALSE(store->markState("FP-B", out, 1, MessageState::Sent));   // unknown peer
    CHECK_THROWS_AS(store->markState("FP-A", out, 1, MessageState::Queued), std::invalid_argument);
    CHECK_THROWS_AS(store->markState("FP-A", out, 1, MessageState::Received), std::invalid_argument);
    CHECK_THROWS_AS(store->markState("FP-A", in, 1, MessageState::Delivered), std::invalid_argument);
}

TEST_CASE("64-bit wire ids and arbitrary UTF-8 text round trip exactly")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path());
    const std::uint64_t highIds[] = {0xFFFF'FFFF'FFFF'FFFFull, 0x8000'0000'0000'0000ull,
                                     0x7FFF'FFFF'FFFF'FFFFull};
    for (std::uint64_t id : highIds)
        store->storeOutgoing("FP-A", id, "x", 0);
    CHECK(messageIds(store->pendingOutgoing("FP-A")) ==
          std::vector<std::uint64_t>(std::begin(highIds), std::end(highIds)));
    CHECK(store->markState("FP-A", MessageDirection::Outgoing, 0xFFFF'FFFF'FFFF'FFFFull, MessageState::Sent));
    CHECK(store->storeIncomingOnce("FP-A", 0x8000'0000'0000'0000ull, "in", 0)); // other direction
    CHECK_FALSE(store->storeIncomingOnce("FP-A", 0x8000'0000'0000'0000ull, "in", 0));

    const std::string emoji = "caf\xC3\xA9 \xF0\x9F\x98\x80";
    const std::string withNul("nul\0inside", 10);
    const std::string large(64 * 1024, 'L');
    store->storeIncomingOnce("FP-T", 1, emoji, 0);
    store->storeIncomingOnce("FP-T", 2, withNul, 0);
    store->storeIncomingOnce("FP-T", 3, large, 0);
    store->storeIncomingOnce("FP-T", 4, "", 0);
    auto messages = store->history("FP-T", 10);
    REQUIRE(messages.size() == 4);
    CHECK(messages[3].text == emoji);
    CHECK(messages[2].text == withNul);
    CHECK(messages[1].text == large);
    CHECK(messages[0].text.empty());
}
