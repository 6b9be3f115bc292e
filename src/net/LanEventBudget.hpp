#pragma once
// Rate limit for LAN discovery events, so a beacon flood cannot flood the UI or a script. A peer over the
// budget is reported at its next beacon; an update of a reported peer waits for budget; a lost peer is
// reported only if its arrival was, and always then. Pure (the caller passes the time); net thread only.
#include "duet/core/Clock.hpp"
#include "duet/net/TokenBucket.hpp"

#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

namespace duet::net {

class LanEventBudget {
public:
    static constexpr double kEventsPerSecond = 20;
    static constexpr double kEventBurst = 64;

    explicit LanEventBudget(MonoTime start) : m_budget(kEventsPerSecond, kEventBurst, start) {}

    // A peer was found or changed: true when it is to be reported now.
    bool admitFound(const std::string& key, MonoTime now);
    // A peer is gone: true when the consumer was told about it (and so must be told it left).
    bool admitLost(const std::string& key, MonoTime now);
    // An explicit listing reports everything, outside the budget.
    void markReported(const std::string& key) { m_reported.insert(key); }
    // Deferred updates that fit the budget now, in the order of `listed` (the keys still in the table);
    // deferred keys no longer listed are forgotten (their loss is reported through admitLost).
    std::vector<std::string> releaseDeferred(const std::vector<std::string>& listed, MonoTime now);
    bool hasDeferred() const { return !m_deferred.empty(); }
    std::size_t reportedCount() const { return m_reported.size(); }

private:
    TokenBucket m_budget;
    std::unordered_set<std::string> m_reported;
    std::unordered_set<std::string> m_deferred;
};

} // namespace duet::net
