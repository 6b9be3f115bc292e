// A receiver that cannot write: a full disk, a download folder that is not writable (checklist H4). The
// offer waits, paused on both sides, until the user repairs it and resumes from the kept partials.
#include "TestSupport.hpp"

using namespace duet;
using namespace duet::transfer;
using namespace duet::transfer::test;

namespace {

constexpr std::uint64_t kC = kChunkBytes;

} // namespace

TEST_CASE("disk full: the file fails and the sender is told and the offer waits until room is made (H4)")
{
    Link link(smallWindow());
    const NewOffer offer = link.offerFromA({fileEntry("a", 10 * kC), fileEntry("b", kC)});
    const FileKey key{offer.offerId, offer.fileIds[0]};
    link.b.sink.diskFullAfterBytes = 3 * kC + 10;
    deliverAndAccept(link);
    REQUIRE(link.pump());
    CHECK(link.b.sink.committed.empty());
    REQUIRE(link.b.sink.partials.count(key) == 1);
    CHECK(link.b.sink.partials.at(key).chunkHashes.size() == 3); // kept for resume
    const auto results = link.deliveredOf<wire::FileResult>(false);
    REQUIRE(results.size() == 1);
    CHECK(results[0].outcome == wire::FileOutcome::DiskFull);
    CHECK(results[0].detail == "no space left on device");
    const auto controls = link.deliveredOf<wire::TransferControl>(false);
    REQUIRE(controls.size() == 1);
    CHECK(controls[0].fileId == 0);
    CHECK(controls[0].action == wire::TransferAction::Pause);
    CHECK(fileProgress(*link.a.manager, offer.offerId, key.fileId).outcome == wire::FileOutcome::DiskFull);
    const auto atB = link.b.manager->snapshotOffer(offer.offerId, false);
    CHECK(atB->paused.byLocal);
    CHECK(atB->state == OfferState::Active);
    // "b" (requested ahead) does not fail in turn: the offer waits for room instead.
    CHECK(fileProgress(*link.b.manager, offer.offerId, offer.fileIds[1]).state == FileState::Active);
    CHECK(link.b.sink.committed.count("b") == 0);

    link.b.sink.diskFullAfterBytes.reset();
    CHECK(link.b.manager->resume(offer.offerId));
    REQUIRE(link.pump());
    bool resumedAt3 = false;
    for (const auto& r : link.deliveredOf<wire::FileRequest>(false))
        if (r.fileId == key.fileId && r.fromChunk == 3) resumedAt3 = true;
    CHECK(resumedAt3);
    CHECK(link.b.sink.committed.at("a") == patternBytes(1, 10 * kC));
    CHECK(link.b.sink.committed.count("b") == 1);
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Finished);
    CHECK(fileProgress(*link.a.manager, offer.offerId, key.fileId).state == FileState::Verified);
}

TEST_CASE("download folder not writable: both sides keep the offer open and resume moves no data again")
{
    Link link(smallWindow());
    const NewOffer offer = link.offerFromA({fileEntry("only", 6 * kC)});
    const FileKey key{offer.offerId, offer.fileIds[0]};
    link.b.sink.refuseCommit = "cannot move the received file to 'only': Permission denied";
    deliverAndAccept(link);
    REQUIRE(link.pump());
    CHECK(link.b.sink.committed.empty());
    REQUIRE(link.b.sink.partials.count(key) == 1);
    CHECK(link.b.sink.partials.at(key).chunkHashes.size() == 6); // every chunk verified and kept
    const FileProgress atB = fileProgress(*link.b.manager, offer.offerId, key.fileId);
    CHECK(atB.state == FileState::Failed);
    CHECK(atB.outcome == wire::FileOutcome::WriteFailed);
    CHECK(atB.detail.find("Permission denied") != std::string::npos);
    // The pause travels before the result, so the sender never counts the offer as finished.
    const auto controls = link.deliveredOf<wire::TransferControl>(false);
    REQUIRE(controls.size() == 1);
    CHECK(controls[0].action == wire::TransferAction::Pause);
    CHECK(offerState(*link.b.manager, offer.offerId) == OfferState::Active);
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Active);
    CHECK(link.b.manager->snapshotOffer(offer.offerId, false)->paused.byLocal);
    CHECK(link.a.manager->snapshotOffer(offer.offerId, false)->paused.byPeer);
    CHECK(fileProgress(*link.a.manager, offer.offerId, key.fileId).outcome == wire::FileOutcome::WriteFailed);

    // The user fixes the folder and resumes: the file is asked for from its end and only committed.
    link.b.sink.refuseCommit.reset();
    const std::uint64_t chunkBytesBefore = link.chunkBytesFromA;
    CHECK(link.b.manager->resume(offer.offerId));
    REQUIRE(link.pump());
    CHECK(link.deliveredOf<wire::FileRequest>(false).back().fromChunk == 6);
    CHECK(link.chunkBytesFromA == chunkBytesBefore);
    CHECK(link.b.sink.committed.at("only") == patternBytes(1, 6 * kC));
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Finished);
    CHECK(offerState(*link.b.manager, offer.offerId) == OfferState::Finished);
    CHECK(fileProgress(*link.a.manager, offer.offerId, key.fileId).state == FileState::Verified);
}

TEST_CASE("disk full: chunks still in flight when the user resumes at once are dropped, not a violation")
{
    Link link;
    link.chunksPerStep = 1; // the sender's window is still on the wire when the receiver fails
    const NewOffer offer = link.offerFromA({fileEntry("a", 12 * kC)});
    const FileKey key{offer.offerId, offer.fileIds[0]};
    link.b.sink.diskFullAfterBytes = 3 * kC + 10;
    deliverAndAccept(link);
    REQUIRE(link.pumpUntil([&] { return !link.deliveredOf<wire::FileResult>(false).empty(); }));
    REQUIRE(link.queuedChunkBytes() > kC); // later chunks of the old stream are still travelling
    link.b.sink.diskFullAfterBytes.reset();
    CHECK(link.b.manager->resume(offer.offerId));
    REQUIRE(link.pump());
    CHECK(link.b.suspiciousDrops() == 0);
    CHECK(link.b.sink.committed.at("a") == patternBytes(1, 12 * kC));
    CHECK(fileProgress(*link.b.manager, offer.offerId, key.fileId).state == FileState::Verified);
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Finished);
}

TEST_CASE("download folder not writable: cancelling the waiting offer ends it on both sides")
{
    Link link(smallWindow());
    const NewOffer offer = link.offerFromA({fileEntry("only", 2 * kC)});
    link.b.sink.refuseCommit = "Permission denied";
    deliverAndAccept(link);
    REQUIRE(link.pump());
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Active);
    CHECK(link.b.manager->cancel(offer.offerId));
    REQUIRE(link.pump());
    CHECK(offerState(*link.b.manager, offer.offerId) == OfferState::Cancelled);
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Cancelled);
}
