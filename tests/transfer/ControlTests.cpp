// Pause, resume and cancel, per file and per offer, from either side.
#include "TestSupport.hpp"

using namespace duet;
using namespace duet::transfer;
using namespace duet::transfer::test;

namespace {

constexpr std::uint64_t kC = kChunkBytes;

std::uint64_t receivedBytes(Link& link, std::uint64_t offerId, std::uint64_t fileId)
{
    return fileProgress(*link.b.manager, offerId, fileId).progress.doneBytes;
}

} // namespace

TEST_CASE("control: the receiver pauses a file - only the receiver can resume it")
{
    Link link(smallWindow());
    const NewOffer offer = link.offerFromA({fileEntry("f", 40 * kC)});
    deliverAndAccept(link);
    const std::uint64_t file = offer.fileIds[0];
    REQUIRE(link.pumpUntil([&] { return receivedBytes(link, offer.offerId, file) >= 8 * kC; }));
    CHECK(link.b.manager->pause(offer.offerId, file));
    CHECK_FALSE(link.b.manager->pause(offer.offerId, file)); // already paused here
    REQUIRE(link.pump());
    const std::uint64_t sentAtPause = link.chunkBytesFromA;
    CHECK(sentAtPause < 40 * kC);
    CHECK(fileProgress(*link.a.manager, offer.offerId, file).paused == PauseFlags{false, true});
    CHECK(fileProgress(*link.b.manager, offer.offerId, file).paused == PauseFlags{true, false});
    CHECK(fileProgress(*link.b.manager, offer.offerId, file).state == FileState::Active);
    // Nothing moves while paused, however long we wait.
    link.clock.advance(std::chrono::minutes(5));
    REQUIRE(link.pump());
    CHECK(link.chunkBytesFromA == sentAtPause);
    CHECK(link.b.manager->snapshotOffer(offer.offerId)->progress.bytesPerSecond == 0);
    // The sender cannot lift the receiver's pause.
    CHECK_FALSE(link.a.manager->resume(offer.offerId, file));
    CHECK(link.b.manager->resume(offer.offerId, file));
    REQUIRE(link.pump());
    CHECK(link.b.sink.committed.at("f") == patternBytes(1, 40 * kC));
    CHECK(link.chunkBytesFromA == 40 * kC);
    const auto controls = link.deliveredOf<wire::TransferControl>(false);
    REQUIRE(controls.size() == 2);
    CHECK(controls[0].action == wire::TransferAction::Pause);
    CHECK(controls[0].fileId == file);
    CHECK(controls[1].action == wire::TransferAction::Resume);
}

TEST_CASE("control: the sender pauses the whole offer and resumes it")
{
    Link link(smallWindow());
    const NewOffer offer = link.offerFromA({fileEntry("a", 10 * kC), fileEntry("b", 10 * kC)});
    deliverAndAccept(link);
    REQUIRE(link.pumpUntil([&] { return receivedBytes(link, offer.offerId, offer.fileIds[0]) >= 4 * kC; }));
    CHECK(link.a.manager->pause(offer.offerId));
    REQUIRE(link.pump());
    const std::uint64_t sent = link.chunkBytesFromA;
    CHECK(link.b.manager->snapshotOffer(offer.offerId)->paused == PauseFlags{false, true});
    CHECK_FALSE(link.b.manager->resume(offer.offerId));
    REQUIRE(link.pump());
    CHECK(link.chunkBytesFromA == sent);
    CHECK(link.a.manager->resume(offer.offerId));
    REQUIRE(link.pump());
    CHECK(link.b.sink.committed.size() == 2);
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Finished);
}

TEST_CASE("control: paused by both sides moves only when both have resumed")
{
    Link link(smallWindow());
    const NewOffer offer = link.offerFromA({fileEntry("a", 12 * kC)});
    deliverAndAccept(link);
    REQUIRE(link.pumpUntil([&] { return receivedBytes(link, offer.offerId, offer.fileIds[0]) >= 2 * kC; }));
    CHECK(link.a.manager->pause(offer.offerId));
    CHECK(link.b.manager->pause(offer.offerId, offer.fileIds[0]));
    REQUIRE(link.pump());
    const std::uint64_t sent = link.chunkBytesFromA;
    CHECK(link.a.manager->resume(offer.offerId));
    REQUIRE(link.pump());
    CHECK(link.chunkBytesFromA == sent); // the receiver's pause still holds
    CHECK(link.b.manager->resume(offer.offerId, offer.fileIds[0]));
    REQUIRE(link.pump());
    CHECK(link.b.sink.committed.count("a") == 1);
}

TEST_CASE("control: the receiver cancels one file - the others complete")
{
    Link link(smallWindow());
    const NewOffer offer = link.offerFromA({fileEntry("a", 16 * kC), fileEntry("b", 3 * kC)});
    deliverAndAccept(link);
    REQUIRE(link.pumpUntil([&] { return receivedBytes(link, offer.offerId, offer.fileIds[0]) >= 4 * kC; }));
    CHECK(link.b.manager->cancel(offer.offerId, offer.fileIds[0]));
    CHECK(link.b.sink.partials.count(FileKey{offer.offerId, offer.fileIds[0]}) == 0); // discarded at once
    REQUIRE(link.pump());
    CHECK(link.b.sink.committed.count("a") == 0);
    CHECK(link.b.sink.committed.count("b") == 1);
    CHECK(fileProgress(*link.a.manager, offer.offerId, offer.fileIds[0]).state == FileState::Cancelled);
    CHECK(fileProgress(*link.b.manager, offer.offerId, offer.fileIds[0]).state == FileState::Cancelled);
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Finished);
    CHECK(offerState(*link.b.manager, offer.offerId) == OfferState::Finished);
    CHECK(link.chunkBytesFromA < 19 * kC);
    // Chunks that were already in flight are dropped quietly, not counted against the sender.
    CHECK(link.b.suspiciousDrops() == 0);
    CHECK(link.a.source.m_released.count(FileKey{offer.offerId, offer.fileIds[0]}) == 1);
}

TEST_CASE("control: the sender cancels the offer mid-way")
{
    Link link(smallWindow());
    const NewOffer offer = link.offerFromA({fileEntry("a", 16 * kC), fileEntry("b", 3 * kC)});
    deliverAndAccept(link);
    REQUIRE(link.pumpUntil([&] { return receivedBytes(link, offer.offerId, offer.fileIds[0]) >= 4 * kC; }));
    CHECK(link.a.manager->cancel(offer.offerId));
    CHECK_FALSE(link.a.manager->cancel(offer.offerId));
    REQUIRE(link.pump());
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Cancelled);
    CHECK(offerState(*link.b.manager, offer.offerId) == OfferState::Cancelled);
    CHECK(link.b.manager->snapshotOffer(offer.offerId)->reason == "cancelled by the peer");
    CHECK(link.b.sink.committed.empty());
    CHECK(link.b.sink.partials.empty());
    CHECK(link.b.suspiciousDrops() == 0);
    CHECK(link.a.manager->forget(offer.offerId));
    CHECK(link.b.manager->forget(offer.offerId));
    CHECK(link.a.manager->snapshot().empty());
}

TEST_CASE("control: the receiver cancels the offer mid-way")
{
    Link link(smallWindow());
    const NewOffer offer = link.offerFromA({fileEntry("a", 16 * kC)});
    deliverAndAccept(link);
    REQUIRE(link.pumpUntil([&] { return receivedBytes(link, offer.offerId, offer.fileIds[0]) >= 4 * kC; }));
    CHECK(link.b.manager->cancel(offer.offerId));
    REQUIRE(link.pump());
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Cancelled);
    CHECK(fileProgress(*link.a.manager, offer.offerId, offer.fileIds[0]).state == FileState::Cancelled);
    CHECK(link.b.sink.partials.empty());
    CHECK(link.a.suspiciousDrops() == 0);
}

TEST_CASE("control: the sender withdraws an offer before the receiver decides")
{
    Link link;
    const NewOffer offer = link.offerFromA({fileEntry("a", 100)});
    REQUIRE(link.pumpUntil([&] { return arrivedOffer(link.b) != 0; }));
    CHECK(link.a.manager->cancel(offer.offerId));
    REQUIRE(link.pump());
    CHECK(offerState(*link.b.manager, offer.offerId) == OfferState::Cancelled);
    CHECK(link.b.manager->accept(offer.offerId).has_value());
    CHECK(link.b.sink.partials.empty());
    // The receiver's prompt slot is free again for the next offer.
    const NewOffer next = link.offerFromA({fileEntry("b", 100)});
    deliverAndAccept(link);
    REQUIRE(link.pump());
    CHECK(link.b.sink.committed.count("b") == 1);
    (void)next;
}

TEST_CASE("control: actions on unknown or finished offers do nothing")
{
    Link link;
    const NewOffer offer = link.offerFromA({fileEntry("a", 100)});
    deliverAndAccept(link);
    REQUIRE(link.pump());
    CHECK_FALSE(link.a.manager->pause(offer.offerId));
    CHECK_FALSE(link.b.manager->pause(offer.offerId, offer.fileIds[0]));
    CHECK_FALSE(link.a.manager->cancel(offer.offerId));
    CHECK_FALSE(link.b.manager->retry(offer.offerId, offer.fileIds[0]));
    CHECK_FALSE(link.a.manager->pause(999));
    CHECK_FALSE(link.a.manager->forget(999));
    CHECK(link.a.manager->takeActions().empty());
}
