#include "duet/ui/ItemLocator.hpp"

#include <algorithm>
#include <cmath>

namespace duet::ui {

void ItemLocator::record(std::string_view key, ScreenRect rect)
{
    m_items.insert_or_assign(std::string(key), rect);
}

std::optional<ScreenRect> ItemLocator::find(std::string_view key) const
{
    const auto it = m_items.find(std::string(key));
    if (it == m_items.end()) return std::nullopt;
    return it->second;
}

std::vector<std::string> ItemLocator::keysWithPrefix(std::string_view prefix) const
{
    std::vector<std::string> keys;
    for (const auto& [key, rect] : m_items)
        if (key.starts_with(prefix)) keys.push_back(key);
    std::sort(keys.begin(), keys.end());
    return keys;
}

std::string ItemLocator::describe() const
{
    std::string out;
    for (const std::string& key : keysWithPrefix("")) {
        const ScreenRect& r = m_items.at(key);
        out += key;
        for (const float value : {r.minX, r.minY, r.maxX, r.maxY}) {
            out += ' ';
            out += std::to_string(static_cast<long>(std::lround(value)));
        }
        out += '\n';
    }
    return out;
}

} // namespace duet::ui
