#pragma once
// Time sources. Timeouts and rates use the monotonic clock; timestamps shown to users use wall time.
// The Clock interface lets state machines run under a fake clock in tests.
#include <chrono>
#include <cstdint>

namespace duet {

using MonoTime = std::chrono::steady_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
public:
    virtual ~Clock() = default;
    virtual MonoTime now() const = 0;
    virtual std::int64_t wallMillis() const = 0; // Unix epoch milliseconds
};

class SystemClock final : public Clock {
public:
    MonoTime now() const override { return std::chrono::steady_clock::now(); }
    std::int64_t wallMillis() const override;
};

// Starts at an arbitrary fixed point; advances only when told to.
class FakeClock final : public Clock {
public:
    MonoTime now() const override { return m_now; }
    std::int64_t wallMillis() const override { return m_wall; }
    void advance(Millis d)
    {
        m_now += d;
        m_wall += d.count();
    }

private:
    MonoTime m_now{std::chrono::hours(1000)};
    std::int64_t m_wall = 1'800'000'000'000;
};

} // namespace duet
