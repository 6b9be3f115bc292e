// The bulk chat operations of ProfileStore: the batched outbox insert, batched state marks, read
// receipts, search with LIKE escaping, export paging and clearing a conversation.
#include "TestSupport.hpp"
#include "duet/profile/ProfileStore.hpp"

#include <algorithm>
#include <chrono>
#include <doctest/doctest.h>

using namespace duet::profile;
using duet::profile::test::TempDir;

namespace {

std::vector<std::uint64_t> idsOf(const std::vector<StoredMessage>& messages)
{
    std::vector<std::uint64_t> ids;
    for (const StoredMessage& message : messages)
        ids.push_back(message.messageId);
    return ids;
}

} // namespace

TEST_CASE("a batch of outgoing messages is stored in order, a reused id is skipped, not fatal")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path());
    store->storeOutgoing("FP", 2, "already there", 1);
    const std::vector<OutgoingDraft> drafts{
        {"FP", 1, "one", 10}, {"FP", 2, "dup", 11}, {"FP", 3, "three", 12}, {"OTHER", 2, "other peer", 13}};
    const std::vector<std::int64_t> rows = store->storeOutgoingBatch(drafts);
    REQUIRE(rows.size() == 4);
    CHECK(rows[0] > 0);
    CHECK(rows[1] == 0);
    CHECK(rows[2] > rows[0]);
    CHECK(rows[3] > rows[2]);
    CHECK(idsOf(store->pendingOutgoing("FP")) == std::vector<std::uint64_t>{2, 1, 3});
    CHECK(store->pendingOutgoing("FP")[0].text == "already there");
    CHECK(store->storeOutgoingBatch({}).empty());
    // Back to NORMAL after the FULL write: a plain insert still works (and the pragma is not stuck).
    CHECK(store->storeOutgoing("FP", 4, "after", 14) > rows[3]);
}

TEST_CASE("10,000 outgoing messages in one batch take well under a second")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path());
    std::vector<OutgoingDraft> drafts;
    for (std::uint64_t i = 1; i <= 10000; ++i)
        drafts.push_back({"FP", i, "burst " + std::to_string(i), static_cast<std::int64_t>(i)});
    const auto started = std::chrono::steady_clock::now();
    const auto rows = store->storeOutgoingBatch(drafts);
    const auto batched = std::chrono::steady_clock::now() - started;
    CHECK(std::count(rows.begin(), rows.end(), 0) == 0);
    // The same through single-row commits, for the record.
    const auto singleStarted = std::chrono::steady_clock::now();
    for (std::uint64_t i = 1; i <= 2000; ++i)
        store->storeOutgoing("FP2", i, "single " + std::to_string(i), 0);
    const auto single = std::chrono::steady_clock::now() - singleStarted;
    MESSAGE("10,000 in one FULL batch: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(batched).count()
            << " ms; 2,000 single NORMAL commits: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(single).count() << " ms");
    CHECK(batched < std::chrono::seconds(5));
    CHECK(store->pendingOutgoing("FP").size() == 10000);
}

TEST_CASE("markStates moves each message forward once, in one transaction")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path());
    store->storeOutgoing("FP", 1, "a", 1);
    store->storeOutgoing("FP", 2, "b", 2);
    const std::vector<StateChange> changes{
        {"FP", MessageDirection::Outgoing, 1, MessageState::Sent},
        {"FP", MessageDirection::Outgoing, 1, MessageState::Sent},      // again: no move
        {"FP", MessageDirection::Outgoing, 1, MessageState::Delivered}, // forward
        {"FP", MessageDirection::Outgoing, 9, MessageState::Sent},      // unknown
        {"FP", MessageDirection::Outgoing, 2, MessageState::Delivered},
        {"FP", MessageDirection::Outgoing, 2, MessageState::Sent}, // backwards: no move
    };
    CHECK(store->markStates(changes) == std::vector<bool>{true, false, true, false, true, false});
    CHECK(store->pendingOutgoing("FP").empty());
    CHECK_THROWS_AS(store->markStates({{"FP", MessageDirection::Incoming, 1, MessageState::Sent}}),
                    std::invalid_argument);
}

TEST_CASE("a read receipt marks the named message and every earlier one of that peer")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path());
    for (std::uint64_t id = 1; id <= 4; ++id) {
        store->storeOutgoing("FP", id * 10, "m", 0);
        store->markState("FP", MessageDirection::Outgoing, id * 10, MessageState::Delivered);
    }
    store->storeOutgoing("OTHER", 20, "other peer", 0);
    store->storeIncomingOnce("FP", 20, "incoming with the same id", 0);
    CHECK(store->markOutgoingReadUpTo("FP", 20) == std::vector<std::uint64_t>{10, 20});
    CHECK(store->markOutgoingReadUpTo("FP", 20).empty());  // repeated: nothing moves
    CHECK(store->markOutgoingReadUpTo("FP", 999).empty()); // unknown id
    CHECK(store->markOutgoingReadUpTo("FP", 40) == std::vector<std::uint64_t>{30, 40});
    CHECK(store->history("OTHER", 1)[0].state == MessageState::Queued);
    const auto incoming = store->history("FP", 10);
    CHECK(std::count_if(incoming.begin(), incoming.end(), [](const StoredMessage& m) {
              return m.direction == MessageDirection::Incoming && m.state == MessageState::Received;
          }) == 1);
}

TEST_CASE("reading a conversation marks incoming messages read and names the newest")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path());
    CHECK_FALSE(store->newestReadIncoming("FP"));
    store->storeIncomingOnce("FP", 5, "a", 0);
    store->storeIncomingOnce("FP", 3, "b", 0);
    store->storeOutgoing("FP", 8, "mine", 0);
    CHECK_FALSE(store->newestReadIncoming("FP"));
    CHECK(store->markIncomingRead("FP") == 2);
    CHECK(store->markIncomingRead("FP") == 0);
    CHECK(store->newestReadIncoming("FP") == 3u); // storage order, not id order
    store->storeIncomingOnce("FP", 1, "c", 0);
    CHECK(store->newestReadIncoming("FP") == 3u); // unread ones do not count
}

TEST_CASE("search matches text literally: wildcards and the escape character stand for themselves")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path());
    const char* texts[] = {"Hello World", "100% sure",   "snake_case",
                           "back\\slash", "hello again", "caf\xC3\xA9"};
    std::uint64_t id = 0;
    for (const char* text : texts)
        store->storeIncomingOnce("FP", ++id, text, 0);
    store->storeIncomingOnce("OTHER", 99, "hello from elsewhere", 0);
    CHECK(idsOf(store->searchHistory("FP", "hello", 10)) == std::vector<std::uint64_t>{5, 1});
    CHECK(idsOf(store->searchHistory("FP", "%", 10)) == std::vector<std::uint64_t>{2});
    CHECK(idsOf(store->searchHistory("FP", "_", 10)) == std::vector<std::uint64_t>{3});
    CHECK(idsOf(store->searchHistory("FP", "\\", 10)) == std::vector<std::uint64_t>{4});
    CHECK(idsOf(store->searchHistory("FP", "caf\xC3\xA9", 10)) == std::vector<std::uint64_t>{6});
    CHECK(idsOf(store->searchHistory("FP", "hello", 1)) == std::vector<std::uint64_t>{5});
    CHECK(store->searchHistory("FP", "", 10).empty());
    CHECK(store->searchHistory("FP", "hello", 0).empty());
    CHECK(store->searchHistory("FP", "' OR 1=1 --", 10).empty());
}

TEST_CASE("historyAfter walks oldest first, clearHistory keeps only the undelivered outbox")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path());
    for (std::uint64_t id = 1; id <= 7; ++id)
        store->storeIncomingOnce("FP", id, "in", 0);
    store->storeOutgoing("FP", 100, "delivered", 0);
    store->markState("FP", MessageDirection::Outgoing, 100, MessageState::Delivered);
    store->storeOutgoing("FP", 101, "sent", 0);
    store->markState("FP", MessageDirection::Outgoing, 101, MessageState::Sent);
    store->storeOutgoing("FP", 102, "queued", 0);
    store->storeIncomingOnce("OTHER", 1, "kept", 0);

    const auto first = store->historyAfter("FP", 0, 4);
    CHECK(idsOf(first) == std::vector<std::uint64_t>{1, 2, 3, 4});
    const auto second = store->historyAfter("FP", first.back().rowId, 100);
    CHECK(idsOf(second) == std::vector<std::uint64_t>{5, 6, 7, 100, 101, 102});
    CHECK(store->historyAfter("FP", second.back().rowId, 100).empty());

    CHECK(store->clearHistory("FP") == 8);
    CHECK(idsOf(store->history("FP", 10)) == std::vector<std::uint64_t>{102, 101});
    CHECK(store->history("OTHER", 10).size() == 1);
    CHECK(store->clearHistory("FP") == 0);
    // A re-send of a cleared message (its acknowledgement was lost) is still recognised as received.
    CHECK_FALSE(store->storeIncomingOnce("FP", 3, "in", 0));
    CHECK(store->storeIncomingOnce("FP", 8, "new", 0));
    CHECK(store->storeIncomingOnce("OTHER", 3, "other peer, same id", 0));
}
