#include "duet/discovery/AnswerLimiter.hpp"

namespace duet::discovery {

void AnswerLimiter::onAnnounced(MonoTime now)
{
    m_pending = false;
    m_lastAnnounce = now;
}

std::optional<MonoTime> AnswerLimiter::deadline() const
{
    if (!m_pending) return std::nullopt;
    if (!m_lastAnnounce) return MonoTime{};
    return *m_lastAnnounce + m_minSpacing;
}

bool AnswerLimiter::answerDue(MonoTime now) const
{
    const auto when = deadline();
    return when && now >= *when;
}

} // namespace duet::discovery
