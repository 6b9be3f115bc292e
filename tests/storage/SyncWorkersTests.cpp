// The sync workers (SyncWorkers) that run received files' fsyncs off the net thread, and the split of
// ReceiveRoot::commit into makeDurable (any thread) and the naming step (owner thread).
#include "TempFolder.hpp"
#include "duet/storage/ReceiveRoot.hpp"
#include "duet/storage/SyncWorkers.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <doctest/doctest.h>
#include <mutex>
#include <set>
#include <stdexcept>
#include <sys/stat.h>
#include <thread>

using namespace duet::storage;
using namespace duet::storage::test;
using namespace std::chrono_literals;

namespace {

// A gate jobs wait at until the test opens it (bounded: a job gives up after 10 s).
class Gate {
public:
    void open()
    {
        {
            std::lock_guard lock(m_mutex);
            m_open = true;
        }
        m_changed.notify_all();
    }
    void pass()
    {
        std::unique_lock lock(m_mutex);
        ++m_waiting;
        m_changed.notify_all();
        m_changed.wait_for(lock, 10s, [this] { return m_open; });
    }
    // Waits until `count` jobs are at the gate; false after 10 s.
    bool waitForWaiting(int count)
    {
        std::unique_lock lock(m_mutex);
        return m_changed.wait_for(lock, 10s, [&] { return m_waiting >= count; });
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_open = false;
    int m_waiting = 0;
};

// Takes completions until `count` arrived or 10 s passed.
std::vector<SyncWorkers::Completion> collect(SyncWorkers& workers, std::size_t count)
{
    std::vector<SyncWorkers::Completion> all;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (all.size() < count && std::chrono::steady_clock::now() < deadline) {
        for (auto& c : workers.takeCompleted())
            all.push_back(std::move(c));
        std::this_thread::sleep_for(1ms);
    }
    return all;
}

} // namespace

TEST_CASE("sync workers: every job runs once and reports its ticket and result")
{
    SyncWorkers workers(4, 64);
    CHECK(workers.threadCount() == 0); // started by the first job only
    std::atomic<int> runs{0};
    for (std::uint64_t t = 1; t <= 40; ++t) {
        REQUIRE(workers.submit(t, [&runs, t]() -> Expected<void> {
            ++runs;
            if (t % 10 == 0) return StorageError{StorageErrorCode::NoSpace, 28, "full " + std::to_string(t)};
            return {};
        }));
    }
    CHECK(workers.threadCount() == 4);
    const auto done = collect(workers, 40);
    REQUIRE(done.size() == 40);
    std::set<std::uint64_t> tickets;
    for (const auto& c : done) {
        tickets.insert(c.ticket);
        CHECK(c.result.ok() == (c.ticket % 10 != 0));
        if (!c.result.ok()) CHECK(c.result.error().code == StorageErrorCode::NoSpace);
    }
    CHECK(tickets.size() == 40);
    CHECK(runs.load() == 40);
    CHECK(workers.pending() == 0);
    CHECK(workers.takeCompleted().empty());
}

TEST_CASE("sync workers: at most `capacity` jobs are pending, results not taken included")
{
    Gate gate;
    SyncWorkers workers(2, 3);
    for (std::uint64_t t = 1; t <= 3; ++t)
        REQUIRE(workers.submit(t, [&gate]() -> Expected<void> {
            gate.pass();
            return {};
        }));
    CHECK_FALSE(workers.submit(4, [] { return Expected<void>{}; }));
    CHECK(workers.pending() == 3);
    REQUIRE(gate.waitForWaiting(2)); // two running, one queued
    gate.open();
    const auto done = collect(workers, 3);
    CHECK(done.size() == 3);
    // Taken results free their room.
    CHECK(workers.submit(5, [] { return Expected<void>{}; }));
    CHECK(collect(workers, 1).size() == 1);
}

TEST_CASE("sync workers: an exception in a job becomes an error result")
{
    SyncWorkers workers(1, 4);
    REQUIRE(workers.submit(9, []() -> Expected<void> { throw std::runtime_error("boom"); }));
    const auto done = collect(workers, 1);
    REQUIRE(done.size() == 1);
    CHECK(done[0].ticket == 9);
    REQUIRE_FALSE(done[0].result.ok());
    CHECK(done[0].result.error().message.find("boom") != std::string::npos);
}

TEST_CASE("sync workers: destruction waits for running jobs, drops queued ones and joins")
{
    Gate gate;
    std::atomic<int> started{0};
    std::atomic<int> finished{0};
    std::thread opener;
    {
        SyncWorkers workers(2, 16);
        for (std::uint64_t t = 1; t <= 10; ++t)
            REQUIRE(workers.submit(t, [&]() -> Expected<void> {
                ++started;
                gate.pass();
                ++finished;
                return {};
            }));
        REQUIRE(gate.waitForWaiting(2));
        // Opened while the destructor already waits: the two running jobs finish, the rest never start.
        opener = std::thread([&gate] {
            std::this_thread::sleep_for(50ms);
            gate.open();
        });
    }
    opener.join();
    CHECK(started.load() == 2);
    CHECK(finished.load() == 2);
}

TEST_CASE("sync workers: makeDurable on a worker, then commit names the file without syncing again")
{
    TempFolder temp;
    auto root = ReceiveRoot::open(temp.path());
    REQUIRE(root.ok());
    auto partial = root->openAnonymousPartial(TransferKey::fromHex("ab").value());
    REQUIRE(partial.ok());
    const std::string content = "verified bytes";
    REQUIRE(partial->writeAt(0, std::vector<std::uint8_t>(content.begin(), content.end())).ok());

    SyncWorkers workers(2, 4);
    const PartialFile& shared = *partial;
    static constexpr std::int64_t kMtime = 1'600'000'000;
    REQUIRE(workers.submit(1, [&shared] { return ReceiveRoot::makeDurable(shared, kMtime, "out.txt"); }));
    const auto done = collect(workers, 1);
    REQUIRE(done.size() == 1);
    REQUIRE(done[0].result.ok());
    CHECK(snapshot(temp.path()).count("out.txt") == 0); // durable, not yet named

    auto named = root->commit(*partial, "out.txt", std::nullopt, ReceiveRoot::Durability::AlreadyDurable);
    REQUIRE_MESSAGE(named.ok(), named.error().message);
    CHECK(*named == "out.txt");
    CHECK(readFile(temp / "out.txt") == content);
    struct stat st {};
    REQUIRE(::stat((temp / "out.txt").c_str(), &st) == 0);
    CHECK(st.st_mtim.tv_sec == kMtime); // set by makeDurable; commit did not redo it with "now"
}

TEST_CASE("sync workers: makeDurable of a committed partial fails cleanly")
{
    TempFolder temp;
    auto root = ReceiveRoot::open(temp.path());
    REQUIRE(root.ok());
    auto partial = root->openAnonymousPartial(TransferKey::fromHex("cd").value());
    REQUIRE(partial.ok());
    REQUIRE(root->commit(*partial, "done.bin").ok());
    const auto again = ReceiveRoot::makeDurable(*partial, std::nullopt, "done.bin");
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == StorageErrorCode::Closed);
}
