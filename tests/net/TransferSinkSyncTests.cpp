// The receive sink's background syncs (StorageReceiveSink::startSync / takeSynced): a verified file's
// fsync runs on a worker, the net thread names it afterwards, and a partial closed or discarded while its
// sync runs is never named and never reported.
#include "EngineHarness.hpp"
#include "duet/crypto/Hashing.hpp"
#include "duet/net/TransferFiles.hpp"
#include "duet/storage/ReceiveRoot.hpp"
#include "duet/transfer/ChunkMath.hpp"

#include <chrono>
#include <doctest/doctest.h>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>

using namespace duet;
using duet::test::TempDir;

namespace {

struct SinkRig {
    SinkRig() : downloads(temp.path() / "downloads")
    {
        std::filesystem::create_directories(downloads);
        storage::Expected<storage::ReceiveRoot> opened = storage::ReceiveRoot::open(downloads);
        REQUIRE(opened.ok());
        root = std::make_shared<storage::ReceiveRoot>(std::move(*opened));
        sink = std::make_unique<net::StorageReceiveSink>(root, downloads, "peer");
    }

    // Outcomes until none is pending, at most 10 s.
    std::vector<net::StorageReceiveSink::Synced> settle()
    {
        std::vector<net::StorageReceiveSink::Synced> all;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (sink->syncsPending() != 0 && std::chrono::steady_clock::now() < deadline) {
            for (auto& s : sink->takeSynced())
                all.push_back(std::move(s));
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return all;
    }

    // Names directly under the download folder, except the partial area.
    std::vector<std::string> namesInDownloads() const
    {
        std::vector<std::string> names;
        for (const auto& entry : std::filesystem::recursive_directory_iterator(downloads)) {
            const std::string relative = std::filesystem::relative(entry.path(), downloads).string();
            if (relative.rfind(".duet-partial", 0) != 0) names.push_back(relative);
        }
        return names;
    }

    void receive(const transfer::FileKey& key, const wire::OfferEntry& entry, const wire::Bytes& content)
    {
        REQUIRE(sink->openPartial(key, entry).ok());
        for (std::uint64_t i = 0; i < transfer::chunkCount(entry.size); ++i) {
            const std::uint64_t from = transfer::bytesBeforeChunk(entry.size, i);
            const auto first = content.begin() + static_cast<std::ptrdiff_t>(from);
            const wire::Bytes chunk(
                first, first + static_cast<std::ptrdiff_t>(transfer::chunkLength(entry.size, i)));
            REQUIRE(sink->writeChunk(key, i, chunk).ok());
        }
    }

    TempDir temp;
    std::filesystem::path downloads;
    std::shared_ptr<storage::ReceiveRoot> root;
    std::unique_ptr<net::StorageReceiveSink> sink;
};

wire::Bytes bytesOf(std::size_t size, std::uint8_t seed)
{
    wire::Bytes bytes(size);
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<std::uint8_t>(seed + i * 7);
    return bytes;
}

std::string contentOf(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

TEST_CASE("sink background sync: small and multi-chunk files are synced off-thread, then named")
{
    SinkRig rig;
    const wire::Bytes small = bytesOf(4096, 1);
    const wire::Bytes large = bytesOf(transfer::kChunkBytes * 2 + 10, 2);
    // The first small file probes unnamed partials; the next ones are held in memory until their sync.
    const wire::OfferEntry entries[] = {{1, wire::EntryKind::File, small.size(), 0, "a.bin"},
                                        {2, wire::EntryKind::File, small.size(), 0, "Tree/b.bin"},
                                        {3, wire::EntryKind::File, large.size(), 0, "Tree/c.bin"}};
    for (const wire::OfferEntry& e : entries)
        rig.receive({5, e.fileId}, e, e.fileId == 3 ? large : small);
    for (const wire::OfferEntry& e : entries)
        CHECK(rig.sink->startSync({5, e.fileId}));
    CHECK_FALSE(rig.sink->startSync({5, 1})); // already syncing
    // Nothing may be written or named while a sync runs.
    CHECK_FALSE(rig.sink->writeChunk({5, 2}, 0, small).ok());
    CHECK_FALSE(rig.sink->commit({5, 2}, crypto::blake2b256({small})).ok());

    const auto synced = rig.settle();
    REQUIRE(synced.size() == 3);
    for (const auto& s : synced) {
        CHECK(s.status.ok());
        const wire::Bytes& content = s.file.fileId == 3 ? large : small;
        const auto placed = rig.sink->commit(s.file, crypto::blake2b256({content}));
        REQUIRE_MESSAGE(placed.ok(), placed.error().message);
    }
    CHECK(contentOf(rig.downloads / "a.bin") == std::string(small.begin(), small.end()));
    CHECK(contentOf(rig.downloads / "Tree/b.bin") == std::string(small.begin(), small.end()));
    CHECK(contentOf(rig.downloads / "Tree/c.bin") == std::string(large.begin(), large.end()));
    CHECK(rig.sink->syncsPending() == 0);
}

TEST_CASE("sink background sync: a partial discarded or closed while syncing is never named")
{
    SinkRig rig;
    const wire::Bytes small = bytesOf(4096, 3);
    const wire::Bytes large = bytesOf(transfer::kChunkBytes + 1, 4);
    const wire::OfferEntry probe{1, wire::EntryKind::File, small.size(), 0, "probe.bin"};
    const wire::OfferEntry held{2, wire::EntryKind::File, small.size(), 0, "held.bin"};
    const wire::OfferEntry named{3, wire::EntryKind::File, large.size(), 0, "named.bin"};
    rig.receive({6, 1}, probe, small);
    rig.receive({6, 2}, held, small);
    rig.receive({6, 3}, named, large);
    REQUIRE(rig.sink->startSync({6, 1}));
    REQUIRE(rig.sink->startSync({6, 2}));
    REQUIRE(rig.sink->startSync({6, 3}));
    rig.sink->discardPartial({6, 1}); // cancelled
    rig.sink->closePartial({6, 2});   // link lost: nothing to keep for one chunk
    rig.sink->closePartial({6, 3});   // link lost: the named partial stays for a resume
    CHECK(rig.settle().empty());
    CHECK(rig.sink->syncsPending() == 0);
    CHECK(rig.namesInDownloads().empty());
    const auto partials = rig.root->listPartials();
    REQUIRE(partials.ok());
    CHECK(partials->size() == 2); // the named file's data and chunk hashes
    CHECK_FALSE(rig.sink->commit({6, 2}, crypto::blake2b256({small})).ok());

    // Reopened for a resume: the verified chunks are trusted, and the old sync's outcome cannot leak in.
    const auto resumed = rig.sink->openPartial({6, 3}, named);
    REQUIRE(resumed.ok());
    CHECK(resumed.value() == 2); // both chunks were written and still match their hashes
}

TEST_CASE("sink background sync: destroying the sink with syncs in flight joins and names nothing")
{
    SinkRig rig;
    const wire::Bytes small = bytesOf(2048, 5);
    for (std::uint64_t id = 1; id <= 40; ++id) {
        const wire::OfferEntry entry{id, wire::EntryKind::File, small.size(), 0, "f" + std::to_string(id)};
        rig.receive({7, id}, entry, small);
        CHECK(rig.sink->startSync({7, id}));
    }
    rig.sink.reset();
    CHECK(rig.namesInDownloads().empty());
}

TEST_CASE("sink group commit: many small files share a few flushes, each is reported once and named")
{
    SinkRig rig;
    constexpr std::uint64_t kFiles = 300;
    std::vector<wire::OfferEntry> entries;
    std::vector<net::StorageReceiveSink::Synced> synced;
    for (std::uint64_t id = 1; id <= kFiles; ++id) {
        entries.push_back({id, wire::EntryKind::File, 1000 + id, 0, "Many/f" + std::to_string(id) + ".txt"});
        rig.receive({8, id}, entries.back(), bytesOf(entries.back().size, static_cast<std::uint8_t>(id)));
        // At most kMaxSyncing at once, as the transfer layer asks: a full sink says so, and frees slots
        // as outcomes are taken.
        for (int tries = 0; !rig.sink->startSync({8, id}) && tries < 10000; ++tries) {
            for (auto& s : rig.sink->takeSynced())
                synced.push_back(std::move(s));
            std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
    }
    for (auto& s : rig.settle())
        synced.push_back(std::move(s));
    REQUIRE(synced.size() == kFiles);
    std::set<std::uint64_t> reported;
    for (const auto& s : synced) {
        CHECK(s.status.ok());
        CHECK(reported.insert(s.file.fileId).second);
        const wire::OfferEntry& entry = entries[s.file.fileId - 1];
        const auto placed = rig.sink->commit(
            s.file, crypto::blake2b256({bytesOf(entry.size, static_cast<std::uint8_t>(entry.fileId))}));
        REQUIRE_MESSAGE(placed.ok(), placed.error().message);
    }
    // Files written while a flush runs wait for the next one: far fewer flushes than files.
    CHECK(rig.sink->groupFlushes() >= 1);
    CHECK(rig.sink->groupFlushes() < kFiles);
    const wire::Bytes last = bytesOf(1000 + kFiles, static_cast<std::uint8_t>(kFiles));
    CHECK(contentOf(rig.downloads / ("Many/f" + std::to_string(kFiles) + ".txt")) ==
          std::string(last.begin(), last.end()));
}

TEST_CASE("sink group commit: files cancelled while their group waits are dropped, the others still land")
{
    SinkRig rig;
    constexpr std::uint64_t kFiles = 120;
    const wire::Bytes small = bytesOf(3000, 9);
    for (std::uint64_t id = 1; id <= kFiles; ++id) {
        const wire::OfferEntry entry{id, wire::EntryKind::File, small.size(), 0, "g" + std::to_string(id)};
        rig.receive({9, id}, entry, small);
        REQUIRE(rig.sink->startSync({9, id}));
    }
    // Every third file not reported yet is cancelled while outcomes come in: written, waiting for a
    // flush, or inside one. A cancelled file is never reported or named, and nothing stays pending.
    std::set<std::uint64_t> reported;
    std::set<std::uint64_t> cancelled;
    std::uint64_t nextCancel = 3;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while ((rig.sink->syncsPending() != 0 || nextCancel <= kFiles) &&
           std::chrono::steady_clock::now() < deadline) {
        for (; nextCancel <= kFiles; nextCancel += 3) {
            if (reported.count(nextCancel) != 0) continue;
            rig.sink->discardPartial({9, nextCancel});
            cancelled.insert(nextCancel);
            nextCancel += 3;
            break;
        }
        for (auto& s : rig.sink->takeSynced()) {
            CHECK(s.status.ok());
            CHECK(cancelled.count(s.file.fileId) == 0);
            CHECK(reported.insert(s.file.fileId).second);
        }
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    CHECK(rig.sink->syncsPending() == 0);
    CHECK(!cancelled.empty());
    CHECK(reported.size() + cancelled.size() == kFiles);
    for (std::uint64_t id : reported)
        REQUIRE(rig.sink->commit({9, id}, crypto::blake2b256({small})).ok());
    CHECK(rig.namesInDownloads().size() == reported.size());
}
