// The discovery event budget: a flood of new peers is reported at a bounded rate, updates of listed
// peers are delayed rather than lost, and a loss is reported exactly for the peers that were reported.
#include "duet/net/LanEventBudget.hpp"

#include <doctest/doctest.h>

using namespace duet;
using net::LanEventBudget;

namespace {

std::string keyOf(int i)
{
    return "peer-" + std::to_string(i);
}

} // namespace

TEST_CASE("lan events: a flood of new peers is reported within the burst and then at the rate")
{
    const MonoTime start{};
    LanEventBudget budget(start);
    int reported = 0;
    for (int i = 0; i < 1000; ++i)
        if (budget.admitFound(keyOf(i), start)) ++reported;
    CHECK(reported == static_cast<int>(LanEventBudget::kEventBurst));

    // One more second of flood at 1,000 new peers per second: about kEventsPerSecond more.
    int laterReported = 0;
    for (int i = 0; i < 1000; ++i)
        if (budget.admitFound(keyOf(1000 + i), start + Millis{i})) ++laterReported;
    CHECK(laterReported >= static_cast<int>(LanEventBudget::kEventsPerSecond) - 1);
    CHECK(laterReported <= static_cast<int>(LanEventBudget::kEventsPerSecond) + 1);
}

TEST_CASE("lan events: an unreported peer is reported at its next beacon once budget is back")
{
    const MonoTime start{};
    LanEventBudget budget(start);
    for (int i = 0; i < static_cast<int>(LanEventBudget::kEventBurst); ++i)
        REQUIRE(budget.admitFound(keyOf(i), start));
    CHECK_FALSE(budget.admitFound("late", start));
    CHECK_FALSE(budget.hasDeferred()); // it was never listed, so nothing waits for it
    CHECK_FALSE(budget.admitLost("late", start));
    CHECK(budget.admitFound("late", start + Millis{2000}));
    CHECK(budget.admitLost("late", start + Millis{2000}));
}

TEST_CASE("lan events: an update of a listed peer waits for budget and is then released")
{
    const MonoTime start{};
    LanEventBudget budget(start);
    REQUIRE(budget.admitFound("real", start));
    for (int i = 1; i < static_cast<int>(LanEventBudget::kEventBurst); ++i)
        REQUIRE(budget.admitFound(keyOf(i), start));
    CHECK_FALSE(budget.admitFound("real", start)); // renamed while the budget is spent
    CHECK(budget.hasDeferred());
    CHECK(budget.releaseDeferred({"real"}, start).empty());
    const auto released = budget.releaseDeferred({keyOf(1), "real"}, start + Millis{1000});
    CHECK(released == std::vector<std::string>{"real"});
    CHECK_FALSE(budget.hasDeferred());
}

TEST_CASE("lan events: a deferred update of a peer that left the table is dropped, its loss reported")
{
    const MonoTime start{};
    LanEventBudget budget(start);
    REQUIRE(budget.admitFound("real", start));
    for (int i = 1; i < static_cast<int>(LanEventBudget::kEventBurst); ++i)
        REQUIRE(budget.admitFound(keyOf(i), start));
    CHECK_FALSE(budget.admitFound("real", start));
    CHECK(budget.releaseDeferred({keyOf(1)}, start + Millis{5000}).empty());
    CHECK_FALSE(budget.hasDeferred());
    CHECK(budget.admitLost("real", start + Millis{5000})); // spent budget never hides a loss
    CHECK_FALSE(budget.admitLost("real", start + Millis{5000}));
}

TEST_CASE("lan events: losses are reported even with no budget left, and only once")
{
    const MonoTime start{};
    LanEventBudget budget(start);
    for (int i = 0; i < static_cast<int>(LanEventBudget::kEventBurst); ++i)
        REQUIRE(budget.admitFound(keyOf(i), start));
    int lost = 0;
    for (int i = 0; i < static_cast<int>(LanEventBudget::kEventBurst); ++i)
        if (budget.admitLost(keyOf(i), start)) ++lost;
    CHECK(lost == static_cast<int>(LanEventBudget::kEventBurst));
    CHECK(budget.reportedCount() == 0);
}

TEST_CASE("lan events: an explicit listing marks peers as reported, so their loss is reported")
{
    const MonoTime start{};
    LanEventBudget budget(start);
    budget.markReported("listed");
    CHECK(budget.admitLost("listed", start));
}
