// The receiver's "verified, committing" step: a file whose sync runs in the background (the sink's
// startSync) is named, reported and recorded only once TransferManager::onPartialSynced brings a good
// outcome. The fake sink refuses a commit while the file is still syncing, so an early commit fails here.
#include "Rig.hpp"
#include "duet/transfer/ChunkMath.hpp"

using namespace duet;
using namespace duet::transfer;
using namespace duet::transfer::test;

namespace {

constexpr std::uint64_t kOffer = 700;
constexpr std::uint64_t kSize = 4096;

std::uint64_t fileIdOf(std::size_t i)
{
    return 701 + i;
}

// Offers `count` one-chunk files and accepts them all, with background syncs in the sink.
void offerFiles(Rig& rig, std::size_t count)
{
    rig.sink.syncInBackground = true;
    std::vector<wire::OfferEntry> entries;
    for (std::size_t i = 0; i < count; ++i)
        entries.push_back(wireFile(fileIdOf(i), kSize, "f" + std::to_string(i)));
    rig.manager.onMessage(onePart(kOffer, entries));
    rig.drain();
    REQUIRE(rig.events<OfferArrived>().size() == 1);
    REQUIRE_FALSE(rig.manager.accept(kOffer).has_value());
    rig.drain();
}

// Sends file `i`'s only chunk and its FileDone, as an honest sender would.
void deliver(Rig& rig, std::size_t i)
{
    const wire::Bytes bytes = patternBytes(i + 1, kSize);
    rig.manager.onChunk(fileIdOf(i), 0, bytes);
    rig.manager.onMessage(wire::FileDone{fileIdOf(i), testHash(bytes)});
    rig.drain();
}

FileKey keyOf(std::size_t i)
{
    return {kOffer, fileIdOf(i)};
}

std::size_t verifiedResults(Rig& rig)
{
    std::size_t n = 0;
    for (const wire::FileResult& r : rig.sent<wire::FileResult>())
        if (r.outcome == wire::FileOutcome::Verified) ++n;
    return n;
}

} // namespace

TEST_CASE("commit sync: a verified file is named and reported only after its sync finished")
{
    Rig rig;
    offerFiles(rig, 1);
    deliver(rig, 0);
    CHECK(rig.sink.syncsStarted == 1);
    CHECK(rig.sink.syncing.count(keyOf(0)) == 1);
    CHECK(rig.sent<wire::FileResult>().empty());
    CHECK(rig.sink.committed.empty());
    CHECK(rig.file(kOffer, fileIdOf(0)).state == FileState::Finishing);
    REQUIRE(rig.manager.incoming(kOffer) != nullptr);
    CHECK(rig.manager.incoming(kOffer)->syncingFiles() == 1);
    // Not recorded as done while it syncs: a restart would request it again.
    for (const ResumeFile& f : rig.manager.incoming(kOffer)->toResumeRecord().files)
        CHECK(f.state != FileState::Verified);

    rig.sink.syncing.erase(keyOf(0));
    rig.manager.onPartialSynced(keyOf(0), Done{});
    rig.drain();
    CHECK(verifiedResults(rig) == 1);
    CHECK(rig.sink.committed.count("f0") == 1);
    CHECK(rig.sink.committed["f0"] == patternBytes(1, kSize));
    CHECK(rig.file(kOffer, fileIdOf(0)).state == FileState::Verified);
    CHECK(rig.manager.incoming(kOffer)->syncingFiles() == 0);
    CHECK(offerState(rig.manager, kOffer) == OfferState::Finished);
}

TEST_CASE("commit sync: outcomes in any order commit each file when its own sync is done")
{
    Rig rig;
    offerFiles(rig, 3);
    for (std::size_t i = 0; i < 3; ++i)
        deliver(rig, i);
    CHECK(rig.sink.syncing.size() == 3);
    CHECK(rig.sink.committed.empty());

    const std::size_t order[] = {2, 0, 1};
    std::size_t done = 0;
    for (std::size_t i : order) {
        rig.sink.syncing.erase(keyOf(i));
        rig.manager.onPartialSynced(keyOf(i), Done{});
        rig.drain();
        ++done;
        const auto results = rig.sent<wire::FileResult>();
        REQUIRE(results.size() == 1);
        CHECK(results[0].fileId == fileIdOf(i));
        CHECK(results[0].outcome == wire::FileOutcome::Verified);
        CHECK(rig.sink.committed.size() == done);
        CHECK(rig.sink.committed.count("f" + std::to_string(i)) == 1);
        CHECK(offerState(rig.manager, kOffer) == (done == 3 ? OfferState::Finished : OfferState::Active));
    }
    // A repeated outcome for a file already committed changes nothing.
    rig.manager.onPartialSynced(keyOf(0), Done{});
    rig.drain();
    CHECK(rig.last.empty());
    CHECK(rig.sink.commits == 3);
}

TEST_CASE("commit sync: a failed sync fails the file, names nothing and pauses on a full disk")
{
    Rig rig;
    offerFiles(rig, 2);
    deliver(rig, 0);
    rig.sink.syncing.erase(keyOf(0));
    rig.manager.onPartialSynced(keyOf(0), IoError{wire::FileOutcome::DiskFull, "no space left"});
    rig.drain();
    const auto results = rig.sent<wire::FileResult>();
    REQUIRE(results.size() == 1);
    CHECK(results[0].outcome == wire::FileOutcome::DiskFull);
    CHECK(rig.sink.committed.empty());
    const FileProgress f = rig.file(kOffer, fileIdOf(0));
    CHECK(f.state == FileState::Failed);
    CHECK(f.outcome == wire::FileOutcome::DiskFull);
    // Like any full disk: the offer waits for the user instead of failing file after file.
    CHECK(rig.sent<wire::TransferControl>().size() == 1);
    CHECK(rig.manager.snapshotOffer(kOffer, false)->paused.byLocal);

    // Resuming retries it; this time the sync works and the file lands.
    REQUIRE(rig.manager.resume(kOffer));
    rig.drain();
    deliver(rig, 0);
    rig.sink.syncing.erase(keyOf(0));
    rig.manager.onPartialSynced(keyOf(0), Done{});
    rig.drain();
    CHECK(verifiedResults(rig) == 1);
    CHECK(rig.sink.committed.count("f0") == 1);
}

TEST_CASE("commit sync: a cancel while syncing abandons the file and ignores its late outcome")
{
    Rig rig;
    offerFiles(rig, 2);
    deliver(rig, 0);
    deliver(rig, 1);
    REQUIRE(rig.manager.cancel(kOffer, fileIdOf(0)));
    rig.drain();
    CHECK(rig.sink.syncing.count(keyOf(0)) == 0); // the sink was told: discarded while syncing
    CHECK(rig.sink.abandonedSyncs == 1);
    CHECK(rig.file(kOffer, fileIdOf(0)).state == FileState::Cancelled);

    rig.manager.onPartialSynced(keyOf(0), Done{}); // the worker finished anyway
    rig.drain();
    CHECK(rig.sent<wire::FileResult>().empty());
    CHECK(rig.sink.committed.empty());
    CHECK(rig.file(kOffer, fileIdOf(0)).state == FileState::Cancelled);

    // The whole offer cancelled by the peer while file 1 syncs: nothing is named either.
    rig.manager.onMessage(wire::TransferControl{kOffer, 0, wire::TransferAction::Cancel});
    rig.drain();
    CHECK(rig.sink.syncing.empty());
    rig.manager.onPartialSynced(keyOf(1), Done{});
    rig.drain();
    CHECK(rig.sink.committed.empty());
    CHECK(offerState(rig.manager, kOffer) == OfferState::Cancelled);
}

TEST_CASE("commit sync: a lost link while syncing requests the file again after the reconnect")
{
    Rig rig;
    offerFiles(rig, 1);
    deliver(rig, 0);
    rig.manager.onDisconnected();
    rig.drain();
    CHECK(rig.sink.syncing.empty());
    CHECK(rig.file(kOffer, fileIdOf(0)).state == FileState::Pending);
    rig.manager.onPartialSynced(keyOf(0), Done{});
    rig.drain();
    CHECK(rig.sink.committed.empty());

    rig.manager.onConnected();
    rig.drain();
    const auto requests = rig.sent<wire::FileRequest>();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].fileId == fileIdOf(0));
    deliver(rig, 0);
    rig.sink.syncing.erase(keyOf(0));
    rig.manager.onPartialSynced(keyOf(0), Done{});
    rig.drain();
    CHECK(rig.sink.committed.count("f0") == 1);
}

TEST_CASE("commit sync: pending syncs hold their slots, so requests stop until they finish")
{
    TransferConfig config;
    config.filesRequestedAhead = 2;
    Rig rig(config);
    offerFiles(rig, 10);
    std::size_t requested = rig.sent<wire::FileRequest>().size();
    CHECK(requested == 2);
    // Deliver every requested file and never finish a sync: at most 2 x 2 files get opened.
    for (std::size_t round = 0; round < 10; ++round) {
        for (std::size_t i = 0; i < 10; ++i) {
            if (rig.file(kOffer, fileIdOf(i)).state != FileState::Active) continue;
            deliver(rig, i);
            requested += rig.sent<wire::FileRequest>().size();
        }
    }
    CHECK(requested == 4);
    CHECK(rig.sink.syncing.size() == 4);
    CHECK(rig.sink.maxOpen <= 4);
    CHECK(rig.manager.incoming(kOffer)->syncingFiles() == 4);

    // Each finished sync frees a slot and the next file is requested.
    rig.sink.syncing.erase(keyOf(0));
    rig.manager.onPartialSynced(keyOf(0), Done{});
    rig.drain();
    const auto requests = rig.sent<wire::FileRequest>();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].fileId == fileIdOf(4));
}

TEST_CASE("commit sync: a second FileDone while the file syncs is refused as suspicious")
{
    Rig rig;
    offerFiles(rig, 1);
    deliver(rig, 0);
    rig.manager.onMessage(wire::FileDone{fileIdOf(0), testHash(patternBytes(1, kSize))});
    rig.drain();
    CHECK(rig.suspicious() == 1);
    CHECK(rig.sink.syncsStarted == 1);
    CHECK(rig.sink.syncing.count(keyOf(0)) == 1);
    rig.sink.syncing.erase(keyOf(0));
    rig.manager.onPartialSynced(keyOf(0), Done{});
    rig.drain();
    CHECK(rig.sink.committed.count("f0") == 1);
}
