#pragma once
// A token bucket: `ratePerSecond` tokens refill continuously up to `burst`. Pure; the caller passes the
// monotonic time, so tests drive it with a FakeClock. Thread: not shared.
#include "duet/core/Clock.hpp"

#include <algorithm>
#include <chrono>

namespace duet::net {

class TokenBucket {
public:
    TokenBucket(double ratePerSecond, double burst, MonoTime now)
        : m_rate(ratePerSecond), m_burst(burst), m_tokens(burst), m_last(now)
    {
    }

    // Takes `cost` tokens if they are there; false (taking nothing) otherwise.
    bool tryTake(MonoTime now, double cost = 1.0)
    {
        refill(now);
        if (m_tokens < cost) return false;
        m_tokens -= cost;
        return true;
    }

    // How long until `cost` tokens are available (zero when they are now).
    Millis waitFor(MonoTime now, double cost = 1.0)
    {
        refill(now);
        if (m_tokens >= cost) return Millis{0};
        const double seconds = (cost - m_tokens) / m_rate;
        return Millis{static_cast<Millis::rep>(seconds * 1000.0) + 1};
    }

private:
    void refill(MonoTime now)
    {
        if (now <= m_last) return;
        const double elapsed = std::chrono::duration<double>(now - m_last).count();
        m_tokens = std::min(m_burst, m_tokens + elapsed * m_rate);
        m_last = now;
    }

    double m_rate;
    double m_burst;
    double m_tokens;
    MonoTime m_last;
};

} // namespace duet::net
