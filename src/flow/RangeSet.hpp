#pragma once
// A set of unsigned 64-bit values stored as disjoint half-open ranges [begin, end), merged on insert.
// Used for received packet numbers and acknowledged stream bytes. Not thread-safe; pure.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>

namespace duet::flow {

class RangeSet {
public:
    // Adds [begin, end); an empty range is ignored.
    void insert(std::uint64_t begin, std::uint64_t end);
    bool contains(std::uint64_t value) const;
    // True when every value of [begin, end) is in the set (an empty range is covered).
    bool covers(std::uint64_t begin, std::uint64_t end) const;
    // End of the range holding `value`, or `value` itself when it is not in the set.
    std::uint64_t contiguousEnd(std::uint64_t value) const;
    void eraseBelow(std::uint64_t floor);
    // Drops the lowest ranges until at most `count` remain.
    void keepHighest(std::size_t count);
    std::optional<std::uint64_t> highest() const;
    bool empty() const { return m_ranges.empty(); }
    std::size_t rangeCount() const { return m_ranges.size(); }
    // begin -> end, ascending.
    const std::map<std::uint64_t, std::uint64_t>& ranges() const { return m_ranges; }

private:
    std::map<std::uint64_t, std::uint64_t> m_ranges;
};

} // namespace duet::flow
