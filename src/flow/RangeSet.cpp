#include "duet/flow/RangeSet.hpp"

#include <algorithm>
#include <iterator>

namespace duet::flow {

void RangeSet::insert(std::uint64_t begin, std::uint64_t end)
{
    if (begin >= end) return;
    auto it = m_ranges.upper_bound(begin);
    // Merge with the range starting at or before `begin` when it touches or overlaps.
    if (it != m_ranges.begin()) {
        auto before = std::prev(it);
        if (before->second >= begin) {
            begin = before->first;
            end = std::max(end, before->second);
            it = m_ranges.erase(before);
        }
    }
    while (it != m_ranges.end() && it->first <= end) {
        end = std::max(end, it->second);
        it = m_ranges.erase(it);
    }
    m_ranges.emplace(begin, end);
}

bool RangeSet::contains(std::uint64_t value) const
{
    // The largest value can never be stored (its range would end past 2^64), and value + 1 would wrap.
    return value != UINT64_MAX && covers(value, value + 1);
}

bool RangeSet::covers(std::uint64_t begin, std::uint64_t end) const
{
    if (begin >= end) return true;
    auto it = m_ranges.upper_bound(begin);
    if (it == m_ranges.begin()) return false;
    --it;
    return it->first <= begin && it->second >= end;
}

std::uint64_t RangeSet::contiguousEnd(std::uint64_t value) const
{
    auto it = m_ranges.upper_bound(value);
    if (it == m_ranges.begin()) return value;
    --it;
    return it->second > value ? it->second : value;
}

void RangeSet::eraseBelow(std::uint64_t floor)
{
    while (!m_ranges.empty() && m_ranges.begin()->first < floor) {
        auto first = m_ranges.begin();
        const std::uint64_t end = first->second;
        m_ranges.erase(first);
        if (end > floor) {
            m_ranges.emplace(floor, end);
            break;
        }
    }
}

void RangeSet::keepHighest(std::size_t count)
{
    while (m_ranges.size() > count)
        m_ranges.erase(m_ranges.begin());
}

std::optional<std::uint64_t> RangeSet::highest() const
{
    if (m_ranges.empty()) return std::nullopt;
    return std::prev(m_ranges.end())->second - 1;
}

} // namespace duet::flow
