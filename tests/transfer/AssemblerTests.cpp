// OfferAssembler on its own: parts in any order, and every inconsistency a hostile sender can put in the
// parts of an offer (checklist C1, C2, C10 and the offer-level rows of the transfer brief).
#include "duet/transfer/OfferAssembler.hpp"

#include <doctest/doctest.h>
#include <limits>

using namespace duet;
using namespace duet::transfer;
using Status = OfferAssembler::Status;

namespace {

wire::OfferEntry file(std::uint64_t id, std::uint64_t size, std::string path = {})
{
    return wire::OfferEntry{id, wire::EntryKind::File, size, 0,
                            path.empty() ? "f" + std::to_string(id) : path};
}

wire::Offer part(std::uint32_t index, std::uint32_t count, std::uint32_t totalEntries,
                 std::uint64_t totalBytes, std::vector<wire::OfferEntry> entries, std::uint64_t offerId = 9)
{
    return wire::Offer{offerId, index, count, totalEntries, totalBytes, std::move(entries)};
}

OfferAssembler fresh(OfferLimits limits = {})
{
    return OfferAssembler(9, limits, FakeClock{}.now());
}

} // namespace

TEST_CASE("assembler: a single part completes at once")
{
    auto a = fresh();
    CHECK(a.add(part(0, 1, 2, 30, {file(1, 10), file(2, 20)})) == Status::Complete);
    const auto entries = a.takeEntries();
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].fileId == 1);
    CHECK(entries[1].path == "f2");
    CHECK(a.totalBytes() == 30);
}

TEST_CASE("assembler: parts in any order give entries in part order")
{
    auto a = fresh();
    CHECK(a.add(part(2, 3, 3, 6, {file(3, 3)})) == Status::Incomplete);
    CHECK(a.add(part(0, 3, 3, 6, {file(1, 1)})) == Status::Incomplete);
    CHECK(a.add(part(1, 3, 3, 6, {file(2, 2)})) == Status::Complete);
    const auto entries = a.takeEntries();
    REQUIRE(entries.size() == 3);
    CHECK(entries[0].fileId == 1);
    CHECK(entries[1].fileId == 2);
    CHECK(entries[2].fileId == 3);
}

TEST_CASE("assembler: empty parts and 64 parts are fine")
{
    auto a = fresh();
    for (std::uint32_t i = 0; i < 63; ++i)
        CHECK(a.add(part(i, 64, 1, 5, {})) == Status::Incomplete);
    CHECK(a.add(part(63, 64, 1, 5, {file(1, 5)})) == Status::Complete);
}

TEST_CASE("assembler: inconsistent parts are refused with a reason")
{
    struct Case {
        const char* name;
        std::vector<wire::Offer> parts;
        const char* reasonContains;
    };
    const std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    const std::vector<Case> cases = {
        {"totals disagree (bytes)",
         {part(0, 2, 2, 10, {file(1, 5)}), part(1, 2, 2, 11, {file(2, 5)})},
         "disagree"},
        {"totals disagree (entries)",
         {part(0, 2, 2, 10, {file(1, 5)}), part(1, 2, 3, 10, {file(2, 5)})},
         "disagree"},
        {"part count changes",
         {part(0, 2, 2, 10, {file(1, 5)}), part(1, 3, 2, 10, {file(2, 5)})},
         "disagree"},
        {"a part twice", {part(0, 2, 2, 10, {file(1, 5)}), part(0, 2, 2, 10, {file(2, 5)})}, "twice"},
        {"entries beyond totalEntries", {part(0, 1, 1, 10, {file(1, 5), file(2, 5)})}, "more entries"},
        {"fewer entries than declared", {part(0, 1, 3, 10, {file(1, 5), file(2, 5)})}, "declared 3"},
        {"duplicate file id", {part(0, 2, 2, 10, {file(1, 5)}), part(1, 2, 2, 10, {file(1, 5)})}, "twice"},
        {"file id 0", {part(0, 1, 1, 5, {file(0, 5)})}, "id 0"},
        {"directory with a size",
         {part(0, 1, 1, 5, {wire::OfferEntry{1, wire::EntryKind::Directory, 5, 0, "d"}})},
         "directory"},
        {"sizes above the declared total", {part(0, 1, 2, 10, {file(1, 6), file(2, 6)})}, "more than"},
        {"sizes below the declared total", {part(0, 1, 2, 10, {file(1, 1), file(2, 1)})}, "add up to 2"},
        {"sizes overflowing 64 bits", {part(0, 1, 2, 1000, {file(1, kMax), file(2, kMax)})}, "more than"},
        {"no entries at all", {part(0, 1, 0, 0, {})}, "no entries"},
        {"part count 0", {part(0, 0, 1, 1, {file(1, 1)})}, "parts"},
        {"part count above 64", {part(0, 65, 1, 1, {file(1, 1)})}, "parts"},
        {"index beyond count", {part(3, 2, 1, 1, {file(1, 1)})}, "beyond"},
        {"wrong offer id", {part(0, 1, 1, 1, {file(1, 1)}, 10)}, "offer id"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        auto a = fresh();
        Status last = Status::Incomplete;
        for (const wire::Offer& p : c.parts)
            last = a.add(p);
        CHECK(last == Status::Rejected);
        CHECK(a.reason().find(c.reasonContains) != std::string::npos);
        CHECK(a.takeEntries().empty());
    }
}

TEST_CASE("assembler: caps on entries and bytes and name bytes")
{
    const OfferLimits limits{10, 1000, 64};
    {
        auto a = fresh(limits);
        CHECK(a.add(part(0, 2, 11, 0, {})) == Status::Rejected);
        CHECK(a.reason().find("too many entries") != std::string::npos);
    }
    {
        auto a = fresh(limits);
        CHECK(a.add(part(0, 1, 1, 1001, {file(1, 1001)})) == Status::Rejected);
        CHECK(a.reason().find("too large") != std::string::npos);
    }
    {
        auto a = fresh(limits);
        CHECK(a.add(part(0, 1, 2, 2, {file(1, 1, std::string(40, 'a')), file(2, 1, std::string(40, 'b'))})) ==
              Status::Rejected);
        CHECK(a.reason().find("names are too long") != std::string::npos);
    }
    {
        // Over the per-part entry limit of the wire.
        auto a = fresh();
        std::vector<wire::OfferEntry> many;
        for (std::uint64_t i = 1; i <= wire::kMaxEntriesPerPart + 1; ++i)
            many.push_back(file(i, 0));
        CHECK(a.add(part(0, 1, static_cast<std::uint32_t>(many.size()), 0, many)) == Status::Rejected);
    }
}

TEST_CASE("assembler: nothing more after the offer is complete or refused")
{
    auto a = fresh();
    CHECK(a.add(part(0, 1, 1, 1, {file(1, 1)})) == Status::Complete);
    CHECK(a.add(part(0, 1, 1, 1, {file(1, 1)})) == Status::Rejected);
    auto b = fresh();
    CHECK(b.add(part(0, 1, 0, 0, {})) == Status::Rejected);
    CHECK(b.add(part(0, 1, 1, 1, {file(1, 1)})) == Status::Rejected);
}
