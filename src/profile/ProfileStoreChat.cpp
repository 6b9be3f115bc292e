// Chat operations on many rows at once: the batched, fully synchronous outbox insert, batched state
// changes, read receipts, search, export paging and clearing a conversation.
#include "duet/profile/StoreImpl.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace duet::profile {

namespace {

std::int64_t storedId(std::uint64_t messageId)
{
    return std::bit_cast<std::int64_t>(messageId);
}

std::int64_t sqlLimit(std::size_t limit)
{
    // A negative LIMIT means "no limit" to sqlite; clamp so a huge size_t cannot wrap into one.
    return static_cast<std::int64_t>(
        std::min<std::size_t>(limit, static_cast<std::size_t>(ProfileStore::kNewest)));
}

// `query` as a LIKE pattern that matches it literally anywhere in the text (escape character '\').
std::string containsPattern(std::string_view query)
{
    std::string pattern = "%";
    for (const char c : query) {
        if (c == '%' || c == '_' || c == '\\') pattern += '\\';
        pattern += c;
    }
    pattern += '%';
    return pattern;
}

// synchronous=FULL for the life of one outbox write. sqlite refuses to change it inside a transaction,
// so it wraps the transaction; the destructor puts NORMAL back even when the write failed.
class FullSync {
public:
    explicit FullSync(detail::Connection& connection) : m_connection(connection)
    {
        m_connection.exec("PRAGMA synchronous = FULL");
    }
    ~FullSync()
    {
        try {
            m_connection.exec("PRAGMA synchronous = NORMAL");
        } catch (const std::exception&) {
            // Staying at FULL is slower, never less safe.
        }
    }
    FullSync(const FullSync&) = delete;
    FullSync& operator=(const FullSync&) = delete;

private:
    detail::Connection& m_connection;
};

} // namespace

std::vector<std::int64_t> ProfileStore::storeOutgoingBatch(const std::vector<OutgoingDraft>& drafts)
{
    std::vector<std::int64_t> rows;
    if (drafts.empty()) return rows;
    rows.reserve(drafts.size());
    FullSync fullSync(*m_impl->connection);
    detail::Transaction transaction(*m_impl->connection);
    // A duplicate id is skipped by the statement itself, so one bad draft cannot abort the others.
    detail::Statement insert(
        *m_impl->connection,
        "INSERT INTO messages (peer_fingerprint, message_id, direction, text, sent_at_ms, "
        "state) VALUES (?1, ?2, 0, ?3, ?4, 0) "
        "ON CONFLICT (peer_fingerprint, direction, message_id) DO NOTHING");
    for (const OutgoingDraft& draft : drafts) {
        auto use = insert.use();
        insert.bindText(1, draft.peerFingerprint);
        insert.bindInt(2, storedId(draft.messageId));
        insert.bindText(3, draft.text);
        insert.bindInt(4, draft.sentAtMs);
        insert.run();
        rows.push_back(m_impl->connection->changes() == 1 ? m_impl->connection->lastInsertRowId() : 0);
    }
    transaction.commit();
    return rows;
}

std::vector<bool> ProfileStore::markStates(const std::vector<StateChange>& changes)
{
    std::vector<bool> moved;
    if (changes.empty()) return moved;
    moved.reserve(changes.size());
    detail::Transaction transaction(*m_impl->connection);
    for (const StateChange& change : changes)
        moved.push_back(markState(change.peerFingerprint, change.direction, change.messageId, change.state));
    transaction.commit();
    return moved;
}

std::vector<std::uint64_t> ProfileStore::markOutgoingReadUpTo(std::string_view peerFingerprint,
                                                              std::uint64_t upToMessageId)
{
    // The rows come back in no promised order; id (local storage order) sorts them.
    detail::Statement update(
        *m_impl->connection,
        "UPDATE messages SET state = 4 WHERE peer_fingerprint = ?1 AND direction = 0 AND state < 4 AND "
        "id <= (SELECT id FROM messages WHERE peer_fingerprint = ?1 AND direction = 0 AND message_id = ?2) "
        "RETURNING id, message_id");
    auto use = update.use();
    update.bindText(1, peerFingerprint);
    update.bindInt(2, storedId(upToMessageId));
    std::vector<std::pair<std::int64_t, std::uint64_t>> rows;
    while (update.step())
        rows.emplace_back(update.columnInt(0), std::bit_cast<std::uint64_t>(update.columnInt(1)));
    std::sort(rows.begin(), rows.end());
    std::vector<std::uint64_t> ids;
    ids.reserve(rows.size());
    for (const auto& row : rows)
        ids.push_back(row.second);
    return ids;
}

std::size_t ProfileStore::markIncomingRead(std::string_view peerFingerprint)
{
    detail::Statement update(*m_impl->connection,
                             "UPDATE messages SET state = 4 WHERE peer_fingerprint = ?1 AND direction = 1 "
                             "AND state = 3");
    auto use = update.use();
    update.bindText(1, peerFingerprint);
    update.run();
    return static_cast<std::size_t>(m_impl->connection->changes());
}

std::optional<std::uint64_t> ProfileStore::newestReadIncoming(std::string_view peerFingerprint)
{
    detail::Statement query(*m_impl->connection,
                            "SELECT message_id FROM messages WHERE peer_fingerprint = ?1 AND direction = 1 "
                            "AND state = 4 ORDER BY id DESC LIMIT 1");
    auto use = query.use();
    query.bindText(1, peerFingerprint);
    if (!query.step()) return std::nullopt;
    return std::bit_cast<std::uint64_t>(query.columnInt(0));
}

std::vector<StoredMessage> ProfileStore::searchHistory(std::string_view peerFingerprint,
                                                       std::string_view query, std::size_t limit)
{
    std::vector<StoredMessage> messages;
    if (query.empty() || limit == 0) return messages;
    detail::Statement select(*m_impl->connection,
                             "SELECT id, peer_fingerprint, message_id, direction, text, sent_at_ms, state "
                             "FROM messages WHERE peer_fingerprint = ?1 AND text LIKE ?2 ESCAPE '\\' "
                             "ORDER BY id DESC LIMIT ?3");
    auto use = select.use();
    select.bindText(1, peerFingerprint);
    select.bindText(2, containsPattern(query));
    select.bindInt(3, sqlLimit(limit));
    while (select.step())
        messages.push_back(detail::readMessage(select));
    return messages;
}

std::vector<StoredMessage> ProfileStore::historyAfter(std::string_view peerFingerprint,
                                                      std::int64_t afterRowId, std::size_t limit)
{
    std::vector<StoredMessage> messages;
    if (limit == 0) return messages;
    detail::Statement select(*m_impl->connection,
                             "SELECT id, peer_fingerprint, message_id, direction, text, sent_at_ms, state "
                             "FROM messages WHERE peer_fingerprint = ?1 AND id > ?2 ORDER BY id LIMIT ?3");
    auto use = select.use();
    select.bindText(1, peerFingerprint);
    select.bindInt(2, afterRowId);
    select.bindInt(3, sqlLimit(limit));
    while (select.step())
        messages.push_back(detail::readMessage(select));
    return messages;
}

std::size_t ProfileStore::clearHistory(std::string_view peerFingerprint)
{
    detail::Transaction transaction(*m_impl->connection);
    detail::Statement remember(*m_impl->connection,
                               "INSERT OR IGNORE INTO cleared_incoming (peer_fingerprint, message_id) "
                               "SELECT peer_fingerprint, message_id FROM messages "
                               "WHERE peer_fingerprint = ?1 AND direction = 1");
    {
        auto use = remember.use();
        remember.bindText(1, peerFingerprint);
        remember.run();
    }
    detail::Statement remove(*m_impl->connection, "DELETE FROM messages WHERE peer_fingerprint = ?1 AND "
                                                  "NOT (direction = 0 AND state < 2)");
    std::size_t removed = 0;
    {
        auto use = remove.use();
        remove.bindText(1, peerFingerprint);
        remove.run();
        removed = static_cast<std::size_t>(m_impl->connection->changes());
    }
    transaction.commit();
    return removed;
}

} // namespace duet::profile
