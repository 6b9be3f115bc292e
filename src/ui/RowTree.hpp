#pragma once
// Row counts of a list of entries (a Fenwick tree): where an entry starts, which entry holds a row, and a
// changed count, each in O(log n), so a 100,000-message history never walks every entry to scroll.
// Thread: whoever owns it.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace duet::ui {

class RowTree {
public:
    // Replaces every count; O(n).
    void assign(const std::vector<std::uint32_t>& counts)
    {
        m_tree.assign(counts.size() + 1, 0);
        for (std::size_t i = 1; i <= counts.size(); ++i) {
            m_tree[i] += counts[i - 1];
            const std::size_t parent = i + (i & (~i + 1));
            if (parent < m_tree.size()) m_tree[parent] += m_tree[i];
        }
    }
    void push_back(std::uint32_t count)
    {
        if (m_tree.empty()) m_tree.push_back(0);
        const std::size_t i = m_tree.size(); // its node sums entries [i - lowbit(i), i - 1]
        m_tree.push_back(count + before(i - 1) - before(i - (i & (~i + 1))));
    }
    std::size_t size() const { return m_tree.empty() ? 0 : m_tree.size() - 1; }
    void add(std::size_t entry, std::int64_t delta)
    {
        for (std::size_t i = entry + 1; i < m_tree.size(); i += i & (~i + 1))
            m_tree[i] = static_cast<std::uint64_t>(static_cast<std::int64_t>(m_tree[i]) + delta);
    }
    // Rows of the entries before `entry`.
    std::uint64_t before(std::size_t entry) const
    {
        std::uint64_t sum = 0;
        for (std::size_t i = entry; i > 0; i -= i & (~i + 1))
            sum += m_tree[i];
        return sum;
    }
    std::uint64_t total() const { return before(size()); }
    // The entry that holds `row` (the last entry when `row` is past the end; 0 when empty). Entries of
    // zero rows never hold one.
    std::size_t entryAt(std::uint64_t row) const
    {
        std::size_t at = 0;
        std::size_t step = 1;
        while (step * 2 < m_tree.size())
            step *= 2;
        for (; step > 0; step /= 2)
            if (at + step < m_tree.size() && m_tree[at + step] <= row) {
                at += step;
                row -= m_tree[at];
            }
        return at < size() ? at : (size() == 0 ? 0 : size() - 1);
    }

private:
    std::vector<std::uint64_t> m_tree; // 1-based
};

} // namespace duet::ui
