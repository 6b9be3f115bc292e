// Interruptions and failures: lost links, restarts of either side, damaged partials, sources that change,
// content that does not match (checklist H1, H2, H6, H7, C3, C8, C9). Storage failures: RepairTests.cpp.
#include "TestSupport.hpp"

#include <algorithm>
#include <map>

using namespace duet;
using namespace duet::transfer;
using namespace duet::transfer::test;

namespace {

constexpr std::uint64_t kC = kChunkBytes;

std::uint64_t receivedBytes(Link& link, std::uint64_t offerId, std::uint64_t fileId)
{
    return fileProgress(*link.b.manager, offerId, fileId).progress.doneBytes;
}

std::uint64_t partialChunks(Link& link, std::uint64_t offerId, std::uint64_t fileId)
{
    return link.b.sink.partials.at(FileKey{offerId, fileId}).chunkHashes.size();
}

} // namespace

TEST_CASE("resume: a link lost at 50% continues from the receiver's verified chunks re-sending under 1%")
{
    Link link(smallWindow());
    link.chunksPerStep = 2; // keep data in flight when the link drops
    const std::uint64_t size = 128ull << 20;
    const NewOffer offer = link.offerFromA({fileEntry("big.bin", size)});
    const std::uint64_t file = offer.fileIds[0];
    deliverAndAccept(link);
    REQUIRE(link.pumpUntil(
        [&] { return receivedBytes(link, offer.offerId, file) >= size / 2 && link.queuedChunkBytes() > 0; },
        100'000));
    const std::uint64_t verified = partialChunks(link, offer.offerId, file);
    const std::uint64_t sentBeforeCut = link.chunkBytesFromA;
    CHECK(sentBeforeCut > verified * kC); // some data really was lost in flight

    link.cut();
    CHECK(fileProgress(*link.a.manager, offer.offerId, file).state == FileState::Pending);
    CHECK(fileProgress(*link.b.manager, offer.offerId, file).state == FileState::Pending);
    link.reconnect();
    REQUIRE(link.pump(100'000));

    const auto requests = link.deliveredOf<wire::FileRequest>(false);
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].fromChunk == 0);
    CHECK(requests[1].fromChunk == verified); // the receiver names the offset
    CHECK(testHash(link.b.sink.committed.at("big.bin")) == patternHash(1, size));
    const std::uint64_t resent = link.chunkBytesFromA - size;
    CHECK(resent <= link.a.manager->windowBytes()); // only what was in flight
    CHECK(resent * 100 <= size);                    // <= 1% of the file
    CHECK(link.b.manager->incoming(offer.offerId)->duplicateChunks() == 0);
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Finished);
    // Speed ignores the bytes that were already there.
    CHECK(link.b.suspiciousDrops() == 0);
}

TEST_CASE("resume: the receiver restarts mid-file and continues from its partial (H2)")
{
    Link link(smallWindow());
    link.chunksPerStep = 2;
    const std::uint64_t size = 24 * kC + 1000;
    const NewOffer offer =
        link.offerFromA({fileEntry("a", 3 * kC), fileEntry("b", size), fileEntry("c", 10)});
    deliverAndAccept(link);
    REQUIRE(link.pumpUntil([&] { return receivedBytes(link, offer.offerId, offer.fileIds[1]) >= 12 * kC; }));
    const std::uint64_t verified = partialChunks(link, offer.offerId, offer.fileIds[1]);
    link.restart(link.b);
    REQUIRE(link.pump());
    CHECK(link.b.sink.committed.at("a") == patternBytes(1, 3 * kC));
    CHECK(link.b.sink.committed.at("b") == patternBytes(2, size));
    CHECK(link.b.sink.committed.at("c") == patternBytes(3, 10));
    const auto requests = link.deliveredOf<wire::FileRequest>(false);
    REQUIRE(requests.size() >= 4);
    bool resumed = false;
    for (const auto& r : requests)
        if (r.fileId == offer.fileIds[1] && r.fromChunk == verified) resumed = true;
    CHECK(resumed);
    CHECK(link.chunkBytesFromA - (3 * kC + size + 10) <= link.a.manager->windowBytes());
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Finished);
    CHECK(offerState(*link.b.manager, offer.offerId) == OfferState::Finished);
    // The already verified first file is announced again, not fetched again.
    CHECK(link.b.sink.commits == 3);
}

TEST_CASE("resume: the sender restarts mid-file - it re-hashes the prefix and continues (H1)")
{
    Link link(smallWindow());
    link.chunksPerStep = 2;
    const std::uint64_t size = 30 * kC;
    const NewOffer offer = link.offerFromA({fileEntry("f", size)});
    deliverAndAccept(link);
    REQUIRE(link.pumpUntil([&] { return receivedBytes(link, offer.offerId, offer.fileIds[0]) >= 15 * kC; }));
    const std::uint64_t readBefore = link.a.source.bytesRead;
    link.restart(link.a);
    REQUIRE(link.pump());
    CHECK(link.b.sink.committed.at("f") == patternBytes(1, size));
    // The whole file was read again from the start to rebuild the hash, but only the rest was sent.
    CHECK(link.a.source.bytesRead - readBefore == size);
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Finished);
}

TEST_CASE("resume: a corrupt last chunk in the partial is fetched again from there (H7)")
{
    Link link(smallWindow());
    link.chunksPerStep = 2;
    const std::uint64_t size = 20 * kC;
    const NewOffer offer = link.offerFromA({fileEntry("f", size)});
    const FileKey key{offer.offerId, offer.fileIds[0]};
    deliverAndAccept(link);
    REQUIRE(link.pumpUntil([&] { return receivedBytes(link, offer.offerId, key.fileId) >= 8 * kC; }));
    link.cut();
    const std::uint64_t written = partialChunks(link, offer.offerId, key.fileId);
    REQUIRE(written >= 8);
    link.b.sink.partials.at(key).data[(written - 1) * kC + 17] ^= 0x40; // bit rot in the last chunk
    link.reconnect();
    REQUIRE(link.pump());
    const auto requests = link.deliveredOf<wire::FileRequest>(false);
    REQUIRE(requests.size() == 2);
    CHECK(requests[1].fromChunk == written - 1);
    CHECK(link.b.sink.committed.at("f") == patternBytes(1, size));
}

TEST_CASE("resume: a partial that lies about its verified chunks never becomes a final file (C9)")
{
    Link link(smallWindow());
    link.chunksPerStep = 2;
    const std::uint64_t size = 12 * kC;
    const NewOffer offer = link.offerFromA({fileEntry("f", size)});
    const FileKey key{offer.offerId, offer.fileIds[0]};
    deliverAndAccept(link);
    REQUIRE(link.pumpUntil([&] { return receivedBytes(link, offer.offerId, key.fileId) >= 6 * kC; }));
    link.cut();
    link.b.sink.partials.at(key).data[kC + 5] ^= 1; // corrupt, and the sink will not notice
    link.b.sink.claimVerified = partialChunks(link, offer.offerId, key.fileId);
    link.reconnect();
    REQUIRE(link.pump());
    CHECK(link.b.sink.committed.empty());
    CHECK(link.b.sink.partials.count(key) == 0); // discarded
    const FileProgress atB = fileProgress(*link.b.manager, offer.offerId, key.fileId);
    CHECK(atB.state == FileState::Failed);
    CHECK(atB.outcome == wire::FileOutcome::HashMismatch);
    const auto results = link.deliveredOf<wire::FileResult>(false);
    REQUIRE(results.size() == 1);
    CHECK(results[0].outcome == wire::FileOutcome::HashMismatch);
    CHECK(fileProgress(*link.a.manager, offer.offerId, key.fileId).outcome ==
          wire::FileOutcome::HashMismatch);
    // With an honest sink a retry starts afresh and succeeds.
    link.b.sink.claimVerified.reset();
    CHECK(link.b.manager->retry(offer.offerId, key.fileId));
    REQUIRE(link.pump());
    CHECK(link.b.sink.committed.at("f") == patternBytes(1, size));
    CHECK(fileProgress(*link.a.manager, offer.offerId, key.fileId).state == FileState::Verified);
}

TEST_CASE("hash mismatch: a byte flipped in flight is caught and nothing is committed (C8)")
{
    Link link;
    const NewOffer offer = link.offerFromA({fileEntry("f", 6 * kC + 3)});
    bool flipped = false;
    link.intercept = [&](const Peer& from, Link::Item& item) {
        if (&from == &link.a && item.isChunk && item.chunkIndex == 2 && !flipped) {
            item.data[100] ^= 0x01;
            flipped = true;
        }
        return true;
    };
    deliverAndAccept(link);
    REQUIRE(link.pump());
    CHECK(flipped);
    CHECK(link.b.sink.committed.empty());
    CHECK(link.b.sink.commits == 0);
    CHECK(link.b.sink.partials.empty());
    const FileProgress atB = fileProgress(*link.b.manager, offer.offerId, offer.fileIds[0]);
    CHECK(atB.state == FileState::Failed);
    CHECK(atB.outcome == wire::FileOutcome::HashMismatch);
    const FileProgress atA = fileProgress(*link.a.manager, offer.offerId, offer.fileIds[0]);
    CHECK(atA.state == FileState::Failed);
    CHECK(atA.outcome == wire::FileOutcome::HashMismatch);
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Finished);
}

TEST_CASE("source changed mid-send: the file fails clearly and never arrives mixed (H6)")
{
    Link link(smallWindow());
    link.chunksPerStep = 2;
    const std::uint64_t size = 16 * kC;
    const NewOffer offer = link.offerFromA({fileEntry("doc", size), fileEntry("other", 100)});
    const FileKey key{offer.offerId, offer.fileIds[0]};
    link.a.source.beforeRead = [&](const FileKey& k, std::uint64_t offset) {
        if (k == key && offset == 8 * kC) {
            // Someone saves the document while it is being sent: new content, new mtime.
            FakeSource::File& f = link.a.source.file(key);
            f.seed = 99;
            f.mtimeMs += 1000;
        }
    };
    deliverAndAccept(link);
    REQUIRE(link.pump());
    CHECK(link.b.sink.committed.count("doc") == 0);
    CHECK(link.b.sink.partials.count(key) == 0);
    CHECK(link.b.sink.committed.count("other") == 1);
    const auto results = link.deliveredOf<wire::FileResult>(true);
    REQUIRE(results.size() == 1);
    CHECK(results[0].fileId == key.fileId);
    CHECK(results[0].outcome == wire::FileOutcome::SourceChanged);
    CHECK(results[0].detail == "the file was modified after it was offered");
    CHECK(link.deliveredOf<wire::FileDone>(true).size() == 1); // only for "other"
    const FileProgress atB = fileProgress(*link.b.manager, offer.offerId, key.fileId);
    CHECK(atB.state == FileState::Failed);
    CHECK(atB.outcome == wire::FileOutcome::SourceChanged);
    CHECK(atB.detail == "the sender reports the sender's file changed while it was being sent: the file was "
                        "modified after it was offered");
}

TEST_CASE("source changed: shrunk mid-send or changed before the request or unreadable")
{
    SUBCASE("shrunk while being read")
    {
        Link link(smallWindow());
        const NewOffer offer = link.offerFromA({fileEntry("f", 10 * kC)});
        const FileKey key{offer.offerId, offer.fileIds[0]};
        link.a.source.beforeRead = [&](const FileKey& k, std::uint64_t offset) {
            if (k == key && offset == 5 * kC) link.a.source.file(key).size = 5 * kC + 10;
        };
        deliverAndAccept(link);
        REQUIRE(link.pump());
        const auto results = link.deliveredOf<wire::FileResult>(true);
        REQUIRE(results.size() == 1);
        CHECK(results[0].outcome == wire::FileOutcome::SourceChanged);
        CHECK(results[0].detail == "the file is shorter than when it was offered");
        CHECK(link.b.sink.committed.empty());
    }
    SUBCASE("modified between the offer and the request")
    {
        Link link;
        const NewOffer offer = link.offerFromA({fileEntry("f", 1000)});
        link.a.source.file(FileKey{offer.offerId, offer.fileIds[0]}).size = 1200;
        deliverAndAccept(link);
        REQUIRE(link.pump());
        CHECK(link.chunkBytesFromA == 0);
        const auto results = link.deliveredOf<wire::FileResult>(true);
        REQUIRE(results.size() == 1);
        CHECK(results[0].outcome == wire::FileOutcome::SourceChanged);
        CHECK(results[0].detail == "the file's size changed from 1000 to 1200 bytes");
    }
    SUBCASE("unreadable: the partial is kept for a later retry")
    {
        Link link(smallWindow());
        const NewOffer offer = link.offerFromA({fileEntry("f", 10 * kC)});
        const FileKey key{offer.offerId, offer.fileIds[0]};
        link.a.source.beforeRead = [&](const FileKey& k, std::uint64_t offset) {
            if (k == key && offset == 6 * kC) link.a.source.file(key).unreadable = true;
        };
        deliverAndAccept(link);
        REQUIRE(link.pump());
        const FileProgress atB = fileProgress(*link.b.manager, offer.offerId, key.fileId);
        CHECK(atB.outcome == wire::FileOutcome::SourceUnreadable);
        REQUIRE(link.b.sink.partials.count(key) == 1);
        // Chunks 4 and 5 were in flight behind the result and were dropped; 4 are verified.
        const std::uint64_t kept = link.b.sink.partials.at(key).chunkHashes.size();
        CHECK(kept == 4);
        // The sender can read it again; the receiver retries from its verified chunks.
        link.a.source.beforeRead = nullptr;
        link.a.source.file(key).unreadable = false;
        CHECK(link.b.manager->retry(offer.offerId, key.fileId));
        REQUIRE(link.pump());
        CHECK(link.deliveredOf<wire::FileRequest>(false).back().fromChunk == kept);
        CHECK(link.b.sink.committed.at("f") == patternBytes(1, 10 * kC));
        CHECK(fileProgress(*link.a.manager, offer.offerId, key.fileId).state == FileState::Verified);
    }
}

TEST_CASE("resume: an undecided offer is withdrawn by a lost link and offered again")
{
    Link link;
    const NewOffer offer = link.offerFromA({fileEntry("f", 100)});
    REQUIRE(link.pumpUntil([&] { return arrivedOffer(link.b) != 0; }));
    link.cut();
    CHECK_FALSE(link.b.manager->snapshotOffer(offer.offerId).has_value());
    CHECK(link.b.eventsOf<OfferChanged>().back().state == OfferState::Cancelled);
    link.reconnect();
    REQUIRE(link.pump());
    CHECK(link.b.eventsOf<OfferArrived>().size() == 2);
    CHECK_FALSE(link.b.manager->accept(offer.offerId).has_value());
    REQUIRE(link.pump());
    CHECK(link.b.sink.committed.count("f") == 1);
}

TEST_CASE("resume: a lost reply or a lost final result is repaired after reconnecting")
{
    SUBCASE("the accept never reached the sender")
    {
        Link link;
        const NewOffer offer = link.offerFromA({fileEntry("f", 3 * kC)});
        REQUIRE(link.pumpUntil([&] { return arrivedOffer(link.b) != 0; }));
        CHECK_FALSE(link.b.manager->accept(offer.offerId).has_value());
        link.cut(); // the reply and the first request are lost
        link.reconnect();
        REQUIRE(link.pump());
        CHECK(link.b.eventsOf<OfferArrived>().size() == 1); // no second prompt
        CHECK(link.b.sink.committed.count("f") == 1);
        CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Finished);
    }
    SUBCASE("the Verified result never reached the sender")
    {
        Link link;
        const NewOffer offer = link.offerFromA({fileEntry("f", 3 * kC)});
        deliverAndAccept(link);
        REQUIRE(link.pumpUntil([&] { return link.b.sink.commits == 1; }));
        link.cut();
        CHECK(fileProgress(*link.a.manager, offer.offerId, offer.fileIds[0]).state == FileState::Finishing);
        link.reconnect();
        REQUIRE(link.pump());
        CHECK(fileProgress(*link.a.manager, offer.offerId, offer.fileIds[0]).state == FileState::Verified);
        CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Finished);
        CHECK(link.b.sink.commits == 1);
        CHECK(link.a.suspiciousDrops() == 0);
    }
}

TEST_CASE("resume: records survive a restart of both sides with pauses and outcomes intact")
{
    Link link(smallWindow());
    link.chunksPerStep = 2;
    const NewOffer offer = link.offerFromA({fileEntry("a", 100), fileEntry("b", 12 * kC), fileEntry("c", 5)});
    const std::vector<std::uint64_t> some = {offer.fileIds[0], offer.fileIds[1]};
    deliverAndAccept(link, &some);
    REQUIRE(link.pumpUntil([&] { return receivedBytes(link, offer.offerId, offer.fileIds[1]) >= 4 * kC; }));
    CHECK(link.b.manager->pause(offer.offerId, offer.fileIds[1]));
    REQUIRE(link.pump());

    const auto records = link.b.manager->resumeRecords();
    REQUIRE(records.size() == 1);
    CHECK(records[0].direction == Direction::Incoming);
    CHECK(records[0].files[0].state == FileState::Verified);
    CHECK(records[0].files[0].finalPath == "a");
    CHECK(records[0].files[1].pausedLocally);
    CHECK(records[0].files[2].state == FileState::NotAccepted);

    link.restart(link.a);
    link.restart(link.b);
    REQUIRE(link.pump());
    // Still paused by the receiver after both restarts; the sender learnt it again.
    CHECK(fileProgress(*link.a.manager, offer.offerId, offer.fileIds[1]).paused.byPeer);
    CHECK(fileProgress(*link.b.manager, offer.offerId, offer.fileIds[1]).paused.byLocal);
    CHECK(fileProgress(*link.a.manager, offer.offerId, offer.fileIds[0]).state == FileState::Verified);
    CHECK(link.b.manager->resume(offer.offerId, offer.fileIds[1]));
    REQUIRE(link.pump());
    CHECK(link.b.sink.committed.at("b") == patternBytes(2, 12 * kC));
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Finished);
    CHECK(offerState(*link.b.manager, offer.offerId) == OfferState::Finished);
}

TEST_CASE("resume: a damaged record is refused at restore")
{
    Link link;
    ResumeRecord bad;
    bad.direction = Direction::Incoming;
    bad.offerId = 1;
    bad.state = OfferState::AwaitingDecision;
    ResumeFile f;
    f.entry = wire::OfferEntry{1, wire::EntryKind::File, 1, 0, "x"};
    bad.files.push_back(f);
    const auto refused = link.b.manager->restore({bad});
    REQUIRE(refused.size() == 1);
    CHECK(refused[0] == "offer 1: an undecided incoming offer is not resumable");
    // Ids already in use are refused too.
    const NewOffer offer = link.offerFromA({fileEntry("f", 10)});
    auto records = link.a.manager->resumeRecords();
    CHECK(link.a.manager->restore(records).size() == 1);
    (void)offer;
}

TEST_CASE("resume: a sender that lost the offer tells the receiver to stop waiting")
{
    Link link;
    const NewOffer offer = link.offerFromA({fileEntry("f", 5 * kC)});
    deliverAndAccept(link);
    REQUIRE(link.pumpUntil([&] { return receivedBytes(link, offer.offerId, offer.fileIds[0]) >= kC; }));
    // The sender comes back without its records.
    link.cut();
    link.a.manager = std::make_unique<TransferManager>(
        TransferConfig{}, ManagerDeps{link.a.source, link.a.sink, link.a.hashes, link.clock, simpleValidator,
                                      [] { return std::uint64_t{7}; }, nullptr});
    link.reconnect();
    REQUIRE(link.pump());
    CHECK(offerState(*link.b.manager, offer.offerId) == OfferState::Cancelled);
    CHECK(link.b.sink.partials.empty());
}

TEST_CASE("resume: a FileDone lost with the link is asked for again with a request from the end")
{
    Link link;
    const std::uint64_t size = 3 * kC + 1;
    const NewOffer offer = link.offerFromA({fileEntry("f", size)});
    bool dropDone = true;
    link.intercept = [&](const Peer& from, Link::Item& item) {
        if (&from == &link.a && !item.isChunk && dropDone) {
            const auto decoded = wire::decodeApp(item.message);
            if (decoded.ok() && std::holds_alternative<wire::FileDone>(decoded.value())) return false;
        }
        return true;
    };
    deliverAndAccept(link);
    REQUIRE(link.pump());
    CHECK(fileProgress(*link.b.manager, offer.offerId, offer.fileIds[0]).state == FileState::Finishing);
    CHECK(link.b.sink.commits == 0);
    link.cut();
    dropDone = false;
    link.reconnect();
    REQUIRE(link.pump());
    const auto requests = link.deliveredOf<wire::FileRequest>(false);
    REQUIRE(requests.size() == 2);
    CHECK(requests[1].fromChunk == 4); // everything is verified here; only the hash is missing
    CHECK(link.chunkBytesFromA == size);
    CHECK(link.b.sink.committed.at("f") == patternBytes(1, size));
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Finished);
}

namespace {

// Applies record changes the way a store does, so the result can be compared with the whole records.
void applyChanges(std::map<std::uint64_t, ResumeRecord>& mirror, std::vector<ResumeChange> changes)
{
    for (ResumeChange& change : changes) {
        ResumeRecord& record = mirror[change.header.offerId];
        std::vector<ResumeFile> files = std::move(record.files);
        record = std::move(change.header);
        record.files = std::move(files);
        for (auto& [position, file] : change.files) {
            if (record.files.size() <= position) record.files.resize(position + 1);
            record.files[position] = std::move(file);
        }
    }
}

bool sameRecords(const std::map<std::uint64_t, ResumeRecord>& mirror, const std::vector<ResumeRecord>& whole)
{
    if (mirror.size() != whole.size()) return false;
    for (const ResumeRecord& r : whole) {
        const auto it = mirror.find(r.offerId);
        if (it == mirror.end()) return false;
        const ResumeRecord& m = it->second;
        if (m.state != r.state || m.pausedLocally != r.pausedLocally || m.endedLocally != r.endedLocally ||
            m.reason != r.reason || m.files.size() != r.files.size())
            return false;
        for (std::size_t i = 0; i < r.files.size(); ++i) {
            const ResumeFile& a = m.files[i];
            const ResumeFile& b = r.files[i];
            if (a.entry.fileId != b.entry.fileId || a.state != b.state || a.outcome != b.outcome ||
                a.detail != b.detail || a.finalPath != b.finalPath || a.pausedLocally != b.pausedLocally ||
                a.decidedLocally != b.decidedLocally)
                return false;
        }
    }
    return true;
}

} // namespace

TEST_CASE("resume changes: only what changed is reported, and applying it gives the whole records")
{
    Link link(smallWindow());
    link.chunksPerStep = 2;
    const NewOffer offer = link.offerFromA(
        {fileEntry("a", 100), fileEntry("b", 3 * kC), fileEntry("c", 5), fileEntry("d", 2 * kC)});
    std::map<std::uint64_t, ResumeRecord> sent;
    std::map<std::uint64_t, ResumeRecord> received;
    std::vector<ResumeChange> first = link.a.manager->takeResumeChanges();
    REQUIRE(first.size() == 1);
    CHECK(first[0].header.files.empty());
    CHECK(first[0].files.size() == 4); // a new offer: every file
    applyChanges(sent, std::move(first));
    CHECK(link.a.manager->takeResumeChanges().empty()); // nothing since

    deliverAndAccept(link);
    bool consistent = true;
    REQUIRE(link.pumpUntil([&] {
        applyChanges(received, link.b.manager->takeResumeChanges());
        applyChanges(sent, link.a.manager->takeResumeChanges());
        consistent = consistent && sameRecords(received, link.b.manager->resumeRecords()) &&
                     sameRecords(sent, link.a.manager->resumeRecords());
        return offerState(*link.b.manager, offer.offerId) == OfferState::Finished &&
               offerState(*link.a.manager, offer.offerId) == OfferState::Finished;
    }));
    applyChanges(received, link.b.manager->takeResumeChanges());
    applyChanges(sent, link.a.manager->takeResumeChanges());
    CHECK(consistent);
    CHECK(sameRecords(received, link.b.manager->resumeRecords()));
    CHECK(sameRecords(sent, link.a.manager->resumeRecords()));
    CHECK(received.at(offer.offerId).files[1].state == FileState::Verified);
    CHECK(link.b.manager->resumeKeys() ==
          std::vector<std::pair<Direction, std::uint64_t>>{{Direction::Incoming, offer.offerId}});

    // A forgotten offer has no record any more.
    CHECK(link.b.manager->forget(offer.offerId));
    CHECK(link.b.manager->resumeKeys().empty());
}

TEST_CASE("resume changes: one file's event reports that file alone, at its place in the offer")
{
    Link link(smallWindow());
    const NewOffer offer =
        link.offerFromA({fileEntry("a", 4 * kC), fileEntry("b", 4 * kC), fileEntry("c", 4 * kC)});
    deliverAndAccept(link);
    (void)link.b.manager->takeResumeChanges();
    CHECK(link.b.manager->pause(offer.offerId, offer.fileIds[2]));
    const std::vector<ResumeChange> changes = link.b.manager->takeResumeChanges();
    REQUIRE(changes.size() == 1);
    REQUIRE(changes[0].files.size() == 1);
    CHECK(changes[0].files[0].first == 2);
    CHECK(changes[0].files[0].second.entry.fileId == offer.fileIds[2]);
    CHECK(changes[0].files[0].second.pausedLocally);
    CHECK(link.b.manager->pause(offer.offerId, 0)); // the whole offer: every file again
    const std::vector<ResumeChange> all = link.b.manager->takeResumeChanges();
    REQUIRE(all.size() == 1);
    CHECK(all[0].files.size() == 3);
    CHECK(all[0].header.pausedLocally);
}
