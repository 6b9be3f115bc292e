#pragma once
// When to dial a known peer again: the first retry after kFirst, doubling up to kLongest, each delay
// jittered by +-20% so two apps that lost each other at the same moment do not dial in lockstep.
// Pure: the caller passes time and a random fraction in [0, 1). Thread: not shared.
#include "duet/core/Clock.hpp"

namespace duet::net {

class ReconnectBackoff {
public:
    static constexpr Millis kFirst{1000};
    static constexpr Millis kLongest{60000};

    // A failed (or lost) attempt: returns the delay before the next one and grows the following one.
    Millis nextDelay(double randomFraction);
    // A connection came up and was verified: start again from kFirst next time.
    void reset() { m_base = kFirst; }
    Millis base() const { return m_base; }

private:
    Millis m_base = kFirst;
};

} // namespace duet::net
