// Progress as the UI sees it: bytes, speed and ETA per offer and per file, under the fake clock.
#include "TestSupport.hpp"

using namespace duet;
using namespace duet::transfer;
using namespace duet::transfer::test;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t kC = kChunkBytes;
constexpr double kMiB = 1 << 20;

TransferConfig steadyConfig()
{
    TransferConfig config;
    config.speedWindow = 2000ms;
    return config;
}

// 4 chunks (1 MiB) cross the link every 100 ms: 10 MiB/s once the window is full.
void makeSteady(Link& link)
{
    link.stepTime = 100ms;
    link.chunksPerStep = 4;
}

} // namespace

TEST_CASE("progress: speed and ETA follow the fake clock on both sides")
{
    Link link(steadyConfig(), steadyConfig());
    makeSteady(link);
    const std::uint64_t size = 64ull << 20;
    const NewOffer offer = link.offerFromA({fileEntry("big", size)});
    deliverAndAccept(link);
    REQUIRE(link.pumpUntil(
        [&] { return link.b.manager->snapshotOffer(offer.offerId, false)->progress.doneBytes >= size / 2; },
        10'000));

    const OfferProgress atB = *link.b.manager->snapshotOffer(offer.offerId, true);
    CHECK(atB.state == OfferState::Active);
    CHECK(atB.progress.totalBytes == size);
    CHECK(atB.progress.doneBytes == size / 2);
    CHECK(atB.progress.bytesPerSecond == doctest::Approx(10 * kMiB).epsilon(0.05));
    REQUIRE(atB.progress.eta.has_value());
    CHECK(atB.progress.eta->count() >= 3);
    CHECK(atB.progress.eta->count() <= 4);
    REQUIRE(atB.files.size() == 1);
    CHECK(atB.files[0].state == FileState::Active);
    CHECK(atB.files[0].progress.bytesPerSecond == doctest::Approx(10 * kMiB).epsilon(0.05));

    // The sender counts acknowledged bytes: slightly behind, same speed.
    const OfferProgress atA = *link.a.manager->snapshotOffer(offer.offerId, false);
    CHECK(atA.progress.doneBytes <= size / 2);
    CHECK(atA.progress.doneBytes + (1u << 20) >= size / 2);
    CHECK(atA.progress.bytesPerSecond == doctest::Approx(10 * kMiB).epsilon(0.1));

    REQUIRE(link.pump(10'000));
    const OfferProgress done = *link.b.manager->snapshotOffer(offer.offerId, false);
    CHECK(done.state == OfferState::Finished);
    CHECK(done.progress.doneBytes == size);
    CHECK(done.progress.bytesPerSecond == 0);
    CHECK_FALSE(done.progress.eta.has_value());
    CHECK(done.entriesVerified == 1);
}

TEST_CASE("progress: paused shows no speed and no ETA - a resumed prefix is not counted as speed")
{
    Link link(steadyConfig(), steadyConfig());
    makeSteady(link);
    const std::uint64_t size = 32ull << 20;
    const NewOffer offer = link.offerFromA({fileEntry("f", size)});
    deliverAndAccept(link);
    REQUIRE(link.pumpUntil(
        [&] { return link.b.manager->snapshotOffer(offer.offerId, false)->progress.doneBytes >= 8 * kC; }));
    CHECK(link.b.manager->pause(offer.offerId));
    const OfferProgress paused = *link.b.manager->snapshotOffer(offer.offerId, true);
    CHECK(paused.progress.bytesPerSecond == 0);
    CHECK_FALSE(paused.progress.eta.has_value());
    CHECK(paused.paused.byLocal);
    CHECK(link.b.manager->resume(offer.offerId));

    REQUIRE(link.pumpUntil(
        [&] { return link.b.manager->snapshotOffer(offer.offerId, false)->progress.doneBytes >= size / 2; }));
    link.cut();
    link.clock.advance(10s);
    link.reconnect();
    // Right after the resume the verified half is there again, but it did not "arrive" just now.
    REQUIRE(link.pumpUntil([&] {
        return fileProgress(*link.b.manager, offer.offerId, offer.fileIds[0]).state == FileState::Active;
    }));
    const OfferProgress resumed = *link.b.manager->snapshotOffer(offer.offerId, false);
    CHECK(resumed.progress.doneBytes >= size / 2);
    CHECK(resumed.progress.bytesPerSecond < 20 * kMiB);
    REQUIRE(link.pump());
    CHECK(link.b.sink.committed.count("f") == 1);
}

TEST_CASE("progress: counts of entries and totals while undecided and after a partial accept")
{
    Link link;
    const NewOffer offer =
        link.offerFromA({fileEntry("a", 10), fileEntry("b", 20), dirEntry("c"), fileEntry("c/d", 30)});
    REQUIRE(link.pumpUntil([&] { return arrivedOffer(link.b) != 0; }));
    const OfferProgress undecided = *link.b.manager->snapshotOffer(offer.offerId, false);
    CHECK(undecided.state == OfferState::AwaitingDecision);
    CHECK(undecided.entries == 4);
    CHECK(undecided.progress.totalBytes == 60);
    const auto arrived = link.b.eventsOf<OfferArrived>();
    REQUIRE(arrived.size() == 1);
    CHECK(arrived[0].totalBytes == 60);
    CHECK(arrived[0].entries.size() == 4);
    const std::vector<std::uint64_t> some = {offer.fileIds[1], offer.fileIds[2], offer.fileIds[3]};
    CHECK_FALSE(link.b.manager->accept(offer.offerId, &some).has_value());
    REQUIRE(link.pump());
    const OfferProgress finished = *link.b.manager->snapshotOffer(offer.offerId, false);
    CHECK(finished.entriesAccepted == 3);
    CHECK(finished.entriesVerified == 3);
    CHECK(finished.entriesFailed == 0);
    CHECK(finished.progress.totalBytes == 50);
    CHECK(finished.progress.doneBytes == 50);
    const auto all = link.a.manager->snapshot();
    REQUIRE(all.size() == 1);
    CHECK(all[0].direction == Direction::Outgoing);
    CHECK(all[0].files.empty()); // files only when asked for
}
