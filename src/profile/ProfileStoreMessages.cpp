#include "duet/profile/StoreImpl.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace duet::profile {

namespace {

// The wire id is unsigned; sqlite integers are signed. The bit pattern round-trips unchanged.
std::int64_t storedId(std::uint64_t messageId)
{
    return std::bit_cast<std::int64_t>(messageId);
}

bool isValidTarget(MessageDirection direction, MessageState state)
{
    if (direction == MessageDirection::Outgoing)
        return state == MessageState::Sent || state == MessageState::Delivered || state == MessageState::Read;
    return state == MessageState::Read;
}

} // namespace

std::int64_t ProfileStore::storeOutgoing(std::string_view peerFingerprint, std::uint64_t messageId,
                                         std::string_view text, std::int64_t sentAtMs)
{
    detail::Statement& insert = m_impl->insertOutgoing;
    auto use = insert.use();
    insert.bindText(1, peerFingerprint);
    insert.bindInt(2, storedId(messageId));
    insert.bindText(3, text);
    insert.bindInt(4, sentAtMs);
    insert.run();
    return m_impl->connection->lastInsertRowId();
}

bool ProfileStore::markState(std::string_view peerFingerprint, MessageDirection direction,
                             std::uint64_t messageId, MessageState state)
{
    if (!isValidTarget(direction, state))
        throw std::invalid_argument("markState: state not valid for direction");
    detail::Statement& update = m_impl->advanceState;
    auto use = update.use();
    update.bindText(1, peerFingerprint);
    update.bindInt(2, static_cast<std::int64_t>(direction));
    update.bindInt(3, storedId(messageId));
    update.bindInt(4, static_cast<std::int64_t>(state));
    update.run();
    return m_impl->connection->changes() > 0;
}

bool ProfileStore::storeIncomingOnce(std::string_view peerFingerprint, std::uint64_t messageId,
                                     std::string_view text, std::int64_t sentAtMs)
{
    detail::Statement& insert = m_impl->insertIncomingOnce;
    auto use = insert.use();
    insert.bindText(1, peerFingerprint);
    insert.bindInt(2, storedId(messageId));
    insert.bindText(3, text);
    insert.bindInt(4, sentAtMs);
    insert.run();
    return m_impl->connection->changes() == 1;
}

std::vector<StoredMessage> ProfileStore::history(std::string_view peerFingerprint, std::size_t limit,
                                                 std::int64_t beforeRowId)
{
    std::vector<StoredMessage> messages;
    if (limit == 0) return messages;
    detail::Statement& query = m_impl->selectHistory;
    auto use = query.use();
    query.bindText(1, peerFingerprint);
    query.bindInt(2, beforeRowId);
    // A negative LIMIT means "no limit" to sqlite; clamp so a huge size_t cannot wrap into one.
    query.bindInt(3,
                  static_cast<std::int64_t>(std::min<std::size_t>(limit, static_cast<std::size_t>(kNewest))));
    while (query.step())
        messages.push_back(detail::readMessage(query));
    return messages;
}

std::vector<StoredMessage> ProfileStore::pendingOutgoing(std::string_view peerFingerprint)
{
    std::vector<StoredMessage> messages;
    detail::Statement& query = m_impl->selectOutbox;
    auto use = query.use();
    query.bindText(1, peerFingerprint);
    while (query.step())
        messages.push_back(detail::readMessage(query));
    return messages;
}

} // namespace duet::profile
