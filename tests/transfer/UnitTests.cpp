// The small pure pieces: chunk arithmetic, the sender window, speed and ETA, offer splitting, the test
// hash itself, the shared pending-offer cap and resume-record checks.
#include "Fakes.hpp"
#include "duet/transfer/ChunkMath.hpp"
#include "duet/transfer/OfferParts.hpp"
#include "duet/transfer/PendingOfferLimit.hpp"
#include "duet/transfer/Progress.hpp"
#include "duet/transfer/ResumeRecord.hpp"
#include "duet/transfer/TransferWindow.hpp"
#include "duet/wire/Messages.hpp"

#include <doctest/doctest.h>
#include <limits>

using namespace duet;
using namespace duet::transfer;
using namespace std::chrono_literals;

namespace {
constexpr std::uint64_t kC = kChunkBytes;
constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
} // namespace

TEST_CASE("chunk math: counts and lengths and offsets at the edges")
{
    CHECK(chunkCount(0) == 0);
    CHECK(chunkCount(1) == 1);
    CHECK(chunkCount(kC) == 1);
    CHECK(chunkCount(kC + 1) == 2);
    CHECK(chunkCount(3 * kC) == 3);
    CHECK(chunkCount(kMax) == kMax / kC + 1); // no overflow in the rounding

    CHECK(chunkLength(0, 0) == 0);
    CHECK(chunkLength(10, 0) == 10);
    CHECK(chunkLength(10, 1) == 0);
    CHECK(chunkLength(3 * kC, 2) == kC);
    CHECK(chunkLength(3 * kC + 5, 3) == 5);
    CHECK(chunkLength(3 * kC + 5, 2) == kC);
    // Hostile indexes never multiply into an overflow.
    CHECK(chunkLength(kC * 4, kMax) == 0);
    CHECK(chunkLength(kC * 4, kMax / kC + 1) == 0);
    CHECK(chunkLength(kMax, kMax / kC) == kMax - (kMax / kC) * kC);

    CHECK(bytesBeforeChunk(3 * kC + 5, 0) == 0);
    CHECK(bytesBeforeChunk(3 * kC + 5, 2) == 2 * kC);
    CHECK(bytesBeforeChunk(3 * kC + 5, 4) == 3 * kC + 5);
    CHECK(bytesBeforeChunk(3 * kC + 5, kMax) == 3 * kC + 5);
}

TEST_CASE("window: cumulative acks and stale acks and acks beyond what was sent")
{
    TransferWindow w(3 * kC + 100, 0);
    CHECK(w.chunkCount() == 4);
    CHECK(w.bytesInFlight() == 0);
    CHECK(w.nextChunkLength() == kC);
    w.markSent();
    w.markSent();
    CHECK(w.sent() == 2);
    CHECK(w.bytesInFlight() == 2 * kC);
    CHECK(w.acknowledge(3) == TransferWindow::AckResult::BeyondSent);
    CHECK(w.acked() == 0);
    CHECK(w.acknowledge(1) == TransferWindow::AckResult::Advanced);
    CHECK(w.bytesInFlight() == kC);
    CHECK(w.acknowledge(1) == TransferWindow::AckResult::Stale);
    CHECK(w.acknowledge(0) == TransferWindow::AckResult::Stale);
    w.markSent();
    w.markSent();
    CHECK(w.allSent());
    CHECK(w.bytesInFlight() == 2 * kC + 100);
    CHECK(w.acknowledge(kMax) == TransferWindow::AckResult::BeyondSent);
    CHECK(w.acknowledge(4) == TransferWindow::AckResult::Advanced);
    CHECK(w.allAcked());
    CHECK(w.ackedBytes() == 3 * kC + 100);
    w.markSent(); // past the end: no effect
    CHECK(w.sent() == 4);
}

TEST_CASE("window: a resume starts with everything before fromChunk acknowledged")
{
    TransferWindow w(10 * kC, 6);
    CHECK(w.acked() == 6);
    CHECK(w.sent() == 6);
    CHECK(w.ackedBytes() == 6 * kC);
    CHECK(w.acknowledge(5) == TransferWindow::AckResult::Stale);
    TransferWindow empty(0, 0);
    CHECK(empty.allSent());
    CHECK(empty.allAcked());
    TransferWindow clamped(kC, 99);
    CHECK(clamped.acked() == 1);
}

TEST_CASE("rate meter: steady speed and sliding window and stall and restart")
{
    FakeClock clock;
    RateMeter meter(5000ms);
    std::uint64_t bytes = 0;
    meter.record(clock.now(), bytes);
    CHECK(meter.bytesPerSecond() == 0);
    // 1 MiB every 100 ms for 10 s: 10 MiB/s.
    for (int i = 0; i < 100; ++i) {
        clock.advance(100ms);
        bytes += 1 << 20;
        meter.record(clock.now(), bytes);
    }
    CHECK(meter.bytesPerSecond() == doctest::Approx(10.0 * (1 << 20)).epsilon(0.001));
    CHECK(meter.sampleCount() <= 5000 / 250 + 2);
    // Slow down to 1 MiB/s: once a full window (plus one sample spacing) has passed, only the new speed
    // counts.
    for (int i = 0; i < 53; ++i) {
        clock.advance(100ms);
        bytes += (1 << 20) / 10;
        meter.record(clock.now(), bytes);
    }
    CHECK(meter.bytesPerSecond() == doctest::Approx(1.0 * (1 << 20)).epsilon(0.001));
    // Stalled: the speed decays to zero within the window.
    for (int i = 0; i < 60; ++i) {
        clock.advance(100ms);
        meter.record(clock.now(), bytes);
    }
    CHECK(meter.bytesPerSecond() == 0);
    // A smaller total (file restarted) starts afresh instead of going negative.
    meter.record(clock.now(), 10);
    CHECK(meter.sampleCount() == 1);
    CHECK(meter.bytesPerSecond() == 0);
}

TEST_CASE("rate meter: many records in one instant use bounded memory")
{
    FakeClock clock;
    RateMeter meter;
    for (std::uint64_t i = 0; i < 10'000; ++i)
        meter.record(clock.now(), i);
    CHECK(meter.sampleCount() <= 2);
}

TEST_CASE("eta: rounds up and is none when nothing moves or nothing remains")
{
    CHECK(estimateRemaining(100, 10.0) == std::chrono::seconds(10));
    CHECK(estimateRemaining(101, 10.0) == std::chrono::seconds(11));
    CHECK_FALSE(estimateRemaining(100, 0.0).has_value());
    CHECK_FALSE(estimateRemaining(0, 10.0).has_value());
    CHECK_FALSE(estimateRemaining(kMax, 1e-9).has_value());
}

TEST_CASE("offer parts: entry and byte budgets with totals on every part and too many parts refused")
{
    std::vector<wire::OfferEntry> entries;
    for (std::uint64_t i = 1; i <= 10'000; ++i)
        entries.push_back(wire::OfferEntry{i, wire::EntryKind::File, i, 0, "f" + std::to_string(i)});
    auto parts = splitOffer(7, entries);
    REQUIRE(parts.has_value());
    CHECK(parts->size() == 3); // 4096 + 4096 + 1808
    std::size_t seen = 0;
    for (std::size_t i = 0; i < parts->size(); ++i) {
        const wire::Offer& p = (*parts)[i];
        CHECK(p.offerId == 7);
        CHECK(p.partIndex == i);
        CHECK(p.partCount == 3);
        CHECK(p.totalEntries == 10'000);
        CHECK(p.totalBytes == 10'000ull * 10'001 / 2);
        CHECK(p.entries.front().fileId == seen + 1);
        seen += p.entries.size();
        // Every part encodes within one record.
        CHECK(wire::encodeApp(p).size() < wire::kMaxFrameBody);
    }
    CHECK(seen == 10'000);

    // Long names: the byte budget cuts parts long before the entry count does.
    std::vector<wire::OfferEntry> longNames;
    for (std::uint64_t i = 1; i <= 1000; ++i)
        longNames.push_back(wire::OfferEntry{i, wire::EntryKind::File, 0, 0, std::string(4000, 'a')});
    auto longParts = splitOffer(8, longNames);
    REQUIRE(longParts.has_value());
    for (const wire::Offer& p : *longParts)
        CHECK(wire::encodeApp(p).size() <= kPartBudgetBytes + 4096);
    // So many long names need more than kMaxOfferParts parts.
    std::vector<wire::OfferEntry> tooMany;
    for (std::uint64_t i = 1; i <= 9000; ++i)
        tooMany.push_back(wire::OfferEntry{i, wire::EntryKind::File, 0, 0, std::string(4096, 'b')});
    CHECK_FALSE(splitOffer(9, tooMany).has_value());
    CHECK_FALSE(splitOffer(9, {}).has_value());
    // Sizes that overflow 64 bits.
    std::vector<wire::OfferEntry> huge{{1, wire::EntryKind::File, kMax, 0, "a"},
                                       {2, wire::EntryKind::File, 1, 0, "b"}};
    CHECK_FALSE(splitOffer(10, huge).has_value());
}

TEST_CASE("test hash: incremental equals one shot and any change shows")
{
    const wire::Bytes data = test::patternBytes(3, 10'000);
    const Hash32 whole = test::testHash(data);
    for (std::size_t split : {0u, 1u, 7u, 8u, 9u, 4095u, 9999u, 10'000u}) {
        test::TestHasher h;
        h.update(wire::ByteSpan(data.data(), split));
        h.update(wire::ByteSpan(data.data() + split, data.size() - split));
        CHECK(h.finish() == whole);
    }
    wire::Bytes flipped = data;
    flipped[5000] ^= 1;
    CHECK(test::testHash(flipped) != whole);
    CHECK(test::testHash(wire::ByteSpan(data.data(), 9999)) != whole);
    CHECK(test::testHash({}) != test::testHash(wire::Bytes{0}));
}

TEST_CASE("pending offer limit: tickets take and give back places")
{
    PendingOfferLimit limit(2);
    auto t1 = limit.tryTake();
    auto t2 = limit.tryTake();
    auto t3 = limit.tryTake();
    CHECK(t1);
    CHECK(t2);
    CHECK_FALSE(t3);
    CHECK(limit.inUse() == 2);
    t1.release();
    CHECK(limit.inUse() == 1);
    {
        auto moved = std::move(t2);
        CHECK_FALSE(t2);
        CHECK(limit.inUse() == 1);
    }
    CHECK(limit.inUse() == 0);
}

TEST_CASE("resume record check refuses damaged records")
{
    TransferConfig config;
    ResumeRecord good;
    good.direction = Direction::Incoming;
    good.offerId = 5;
    good.state = OfferState::Active;
    ResumeFile file;
    file.entry = wire::OfferEntry{1, wire::EntryKind::File, 10, 0, "a"};
    good.files.push_back(file);
    CHECK_FALSE(checkResumeRecord(good, config).has_value());

    auto broken = [&](auto edit) {
        ResumeRecord r = good;
        edit(r);
        return checkResumeRecord(r, config).has_value();
    };
    CHECK(broken([](ResumeRecord& r) { r.offerId = 0; }));
    CHECK(broken([](ResumeRecord& r) { r.files.clear(); }));
    CHECK(broken([](ResumeRecord& r) { r.state = OfferState::AwaitingDecision; }));
    CHECK(broken([](ResumeRecord& r) { r.state = static_cast<OfferState>(42); }));
    CHECK(broken([](ResumeRecord& r) { r.files[0].state = static_cast<FileState>(42); }));
    CHECK(broken([](ResumeRecord& r) { r.files[0].outcome = static_cast<wire::FileOutcome>(42); }));
    CHECK(broken([](ResumeRecord& r) { r.files[0].entry.fileId = 0; }));
    CHECK(broken([](ResumeRecord& r) { r.files.push_back(r.files[0]); }));
    CHECK(broken([](ResumeRecord& r) { r.files[0].entry.kind = wire::EntryKind::Directory; }));
    CHECK(broken([](ResumeRecord& r) { r.files[0].entry.path.clear(); }));
    CHECK(broken([](ResumeRecord& r) {
        r.files[0].entry.size = kMax;
        ResumeFile second;
        second.entry = wire::OfferEntry{2, wire::EntryKind::File, 5, 0, "b"};
        r.files.push_back(second);
    }));
    CHECK(broken([](ResumeRecord& r) { r.direction = static_cast<Direction>(9); }));
}

TEST_CASE("peer text is made safe to show")
{
    CHECK(displaySafe("disk full") == "disk full");
    CHECK(displaySafe("a\x1b[1A\rb\x07") == "a?[1A?b?");
    CHECK(displaySafe("x\x7fy") == "x?y");
    CHECK(displaySafe("c1 \xc2\x9b here") == "c1 ? here");
    CHECK(displaySafe("evil\xe2\x80\xaetxt.exe") == "evil?txt.exe");
    CHECK(displaySafe("iso \xe2\x81\xa6x") == "iso ?x");
    CHECK(displaySafe("caf\xc3\xa9 \xe2\x82\xac") == "caf\xc3\xa9 \xe2\x82\xac"); // é and € stay
    CHECK(clampReason(std::string(600, 'a')).size() == wire::kMaxReasonText);
    std::string accents;
    for (int i = 0; i < 300; ++i)
        accents += "\xc3\xa9";
    const std::string clamped = clampReason(accents);
    CHECK(clamped.size() == wire::kMaxReasonText);
    CHECK(wire::isValidUtf8(clamped));
}
