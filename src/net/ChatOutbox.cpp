#include "duet/net/ChatOutbox.hpp"

#include <algorithm>

namespace duet::net {

void ChatOutbox::linkUp(std::vector<OutboxMessage> undelivered)
{
    m_messages.assign(std::make_move_iterator(undelivered.begin()),
                      std::make_move_iterator(undelivered.end()));
    m_firstUnsent = 0;
    m_online = true;
}

void ChatOutbox::linkDown()
{
    m_online = false;
    m_firstUnsent = 0;
}

void ChatOutbox::add(OutboxMessage message)
{
    m_messages.push_back(std::move(message));
}

std::optional<OutboxMessage> ChatOutbox::next(MonoTime now)
{
    if (!m_online || m_firstUnsent >= m_messages.size() || m_firstUnsent >= kWindow) return std::nullopt;
    if (!m_pacing.tryTake(now)) return std::nullopt;
    return m_messages[m_firstUnsent++];
}

bool ChatOutbox::acknowledge(std::uint64_t id)
{
    // Acknowledgements come in sending order, so this is almost always the front.
    const auto it = std::find_if(m_messages.begin(), m_messages.end(),
                                 [id](const OutboxMessage& message) { return message.id == id; });
    if (it == m_messages.end()) return false;
    const auto index = static_cast<std::size_t>(it - m_messages.begin());
    m_messages.erase(it);
    if (index < m_firstUnsent) --m_firstUnsent;
    return true;
}

std::optional<MonoTime> ChatOutbox::nextWake(MonoTime now)
{
    if (!m_online || m_firstUnsent >= m_messages.size() || m_firstUnsent >= kWindow) return std::nullopt;
    return now + m_pacing.waitFor(now);
}

} // namespace duet::net
