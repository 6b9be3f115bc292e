// Offers of many entries: the per-file bookkeeping stays linear in the size of the offer. Costs are
// counted (the ledger's own scan counter), never timed, so the tests hold on a loaded machine.
#include "duet/core/Clock.hpp"
#include "duet/transfer/Actions.hpp"
#include "duet/transfer/OfferLedger.hpp"
#include "duet/wire/Messages.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace duet;
using namespace duet::transfer;

namespace {

constexpr std::size_t kLargeOffer = 20'000;

std::vector<wire::OfferEntry> manySmallFiles(std::size_t count)
{
    std::vector<wire::OfferEntry> entries;
    entries.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
        entries.push_back(wire::OfferEntry{i + 1, wire::EntryKind::File, 4096, 0,
                                           "Small/d" + std::to_string(i % 20) + "/f" + std::to_string(i)});
    return entries;
}

struct LedgerRig {
    FakeClock clock;
    Outbox out;
    OfferLedger ledger{Direction::Incoming, 7, manySmallFiles(kLargeOffer), OfferState::Active, out, clock,
                       Millis{1000}};

    // Verifies the file at `index` and asks whether the offer is complete, as every file event does.
    bool verifyAndCheck(std::size_t index)
    {
        OfferLedger::File& file = ledger.files()[index];
        ledger.setFileState(file, FileState::Active);
        ledger.verifyFile(file, file.entry.path, true);
        (void)out.take(); // events are not the point here; keep memory flat
        return ledger.finishIfComplete();
    }
};

} // namespace

TEST_CASE("large offer: finishing 20,000 files in order costs a linear number of completion checks")
{
    LedgerRig rig;
    std::size_t finishedAt = 0;
    for (std::size_t i = 0; i < kLargeOffer; ++i)
        if (rig.verifyAndCheck(i)) finishedAt = i + 1;
    CHECK(finishedAt == kLargeOffer);
    CHECK(rig.ledger.state() == OfferState::Finished);
    // A scan of the whole offer per file would be 2 * 10^8 steps.
    CHECK(rig.ledger.finishScanSteps() <= 2 * kLargeOffer);
}

TEST_CASE("large offer: finishing in reverse order is linear too and finishes only at the last file")
{
    LedgerRig rig;
    for (std::size_t i = kLargeOffer; i-- > 1;)
        REQUIRE_FALSE(rig.verifyAndCheck(i));
    CHECK(rig.verifyAndCheck(0));
    CHECK(rig.ledger.finishScanSteps() <= 2 * kLargeOffer);
}

TEST_CASE("large offer: a file that runs again after the scan passed it keeps the offer open")
{
    LedgerRig rig;
    for (std::size_t i = 0; i + 1 < kLargeOffer; ++i)
        REQUIRE_FALSE(rig.verifyAndCheck(i));
    // File 10 was final when the scan passed it; it goes back to waiting (as a restarted file does).
    rig.ledger.setFileState(rig.ledger.files()[10], FileState::Pending);
    CHECK_FALSE(rig.verifyAndCheck(kLargeOffer - 1));
    CHECK(rig.ledger.state() == OfferState::Active);
    CHECK(rig.verifyAndCheck(10));
    CHECK(rig.ledger.state() == OfferState::Finished);
    CHECK(rig.ledger.finishScanSteps() <= 3 * kLargeOffer);
}
