#include "duet/net/LanEventBudget.hpp"

namespace duet::net {

bool LanEventBudget::admitFound(const std::string& key, MonoTime now)
{
    if (m_budget.tryTake(now)) {
        m_deferred.erase(key);
        m_reported.insert(key);
        return true;
    }
    // A peer the consumer already lists must not keep a stale name or address for good.
    if (m_reported.contains(key)) m_deferred.insert(key);
    return false;
}

bool LanEventBudget::admitLost(const std::string& key, MonoTime now)
{
    m_deferred.erase(key);
    if (m_reported.erase(key) == 0) return false;
    // Always reported (bounded by the table size), but it still spends budget so floods of churn slow down.
    m_budget.tryTake(now);
    return true;
}

std::vector<std::string> LanEventBudget::releaseDeferred(const std::vector<std::string>& listed, MonoTime now)
{
    std::vector<std::string> released;
    if (m_deferred.empty()) return released;
    std::unordered_set<std::string> stillDeferred;
    for (const std::string& key : listed) {
        if (!m_deferred.contains(key)) continue;
        if (m_budget.tryTake(now))
            released.push_back(key);
        else
            stillDeferred.insert(key);
    }
    m_deferred = std::move(stillDeferred);
    return released;
}

} // namespace duet::net
