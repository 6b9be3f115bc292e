#include "duet/flow/RangeSet.hpp"

#include <doctest/doctest.h>
#include <random>
#include <set>

namespace duet::flow {

TEST_CASE("flow RangeSet: inserts merge overlapping and adjacent ranges")
{
    RangeSet set;
    set.insert(10, 20);
    set.insert(30, 40);
    CHECK(set.rangeCount() == 2);
    set.insert(20, 30); // bridges both: adjacent on each side
    REQUIRE(set.rangeCount() == 1);
    CHECK(set.ranges().begin()->first == 10);
    CHECK(set.ranges().begin()->second == 40);
    set.insert(5, 12);
    set.insert(38, 50);
    CHECK(set.rangeCount() == 1);
    CHECK(set.covers(5, 50));
    CHECK_FALSE(set.covers(4, 50));
    CHECK_FALSE(set.contains(50));
    CHECK(set.highest() == 49u);
    set.insert(7, 7); // empty: ignored
    CHECK(set.rangeCount() == 1);
}

TEST_CASE("flow RangeSet: contiguousEnd, eraseBelow and keepHighest")
{
    RangeSet set;
    set.insert(0, 100);
    set.insert(200, 300);
    set.insert(400, 500);
    CHECK(set.contiguousEnd(0) == 100);
    CHECK(set.contiguousEnd(50) == 100);
    CHECK(set.contiguousEnd(100) == 100); // not in the set
    CHECK(set.contiguousEnd(250) == 300);
    set.eraseBelow(250);
    CHECK(set.rangeCount() == 2);
    CHECK(set.ranges().begin()->first == 250);
    set.keepHighest(1);
    CHECK(set.rangeCount() == 1);
    CHECK(set.ranges().begin()->first == 400);
    CHECK_FALSE(RangeSet{}.highest().has_value());
    CHECK_FALSE(set.contains(UINT64_MAX)); // would wrap in a naive [v, v + 1) test
}

TEST_CASE("flow RangeSet: agrees with a plain set under random inserts")
{
    std::mt19937 random(5);
    RangeSet set;
    std::set<std::uint64_t> reference;
    for (int i = 0; i < 2000; ++i) {
        const std::uint64_t begin = random() % 1000;
        const std::uint64_t end = begin + random() % 8;
        set.insert(begin, end);
        for (std::uint64_t v = begin; v < end; ++v)
            reference.insert(v);
    }
    for (std::uint64_t v = 0; v < 1010; ++v)
        REQUIRE(set.contains(v) == (reference.count(v) == 1));
    // Ranges are disjoint and never adjacent.
    std::uint64_t previousEnd = 0;
    bool first = true;
    for (const auto& [begin, end] : set.ranges()) {
        CHECK(begin < end);
        if (!first) CHECK(begin > previousEnd);
        previousEnd = end;
        first = false;
    }
}

} // namespace duet::flow
