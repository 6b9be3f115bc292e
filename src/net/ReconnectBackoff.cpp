#include "duet/net/ReconnectBackoff.hpp"

#include <algorithm>

namespace duet::net {

Millis ReconnectBackoff::nextDelay(double randomFraction)
{
    const double fraction = std::clamp(randomFraction, 0.0, 1.0);
    const double factor = 0.8 + 0.4 * fraction;
    const Millis delay{static_cast<Millis::rep>(static_cast<double>(m_base.count()) * factor)};
    m_base = std::min(kLongest, m_base * 2);
    return delay;
}

} // namespace duet::net
