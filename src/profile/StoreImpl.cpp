#include "duet/profile/StoreImpl.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

namespace duet::profile {

// Macros so the column lists join the SQL as adjacent string literals; readPeer and readMessage rely on
// this order.
#define DUET_PEER_COLUMNS                                                                                    \
    "fingerprint, public_key, display_name, last_address, first_seen_ms, last_seen_ms, verified"
#define DUET_MESSAGE_COLUMNS "id, peer_fingerprint, message_id, direction, text, sent_at_ms, state"

// The literal "direction = 0 AND state < 2" in selectOutbox repeats the partial index's WHERE clause, so
// sqlite can prove the index applies; a bound parameter there would hide it.
ProfileStore::Impl::Impl(std::unique_ptr<detail::Connection> openedConnection)
    : connection(std::move(openedConnection)),
      selectSetting(*connection, "SELECT value FROM settings WHERE key = ?1"),
      upsertSetting(*connection, "INSERT INTO settings (key, value) VALUES (?1, ?2) "
                                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
      selectPeer(*connection, "SELECT " DUET_PEER_COLUMNS " FROM known_peers WHERE fingerprint = ?1"),
      selectVerifiedPeers(*connection, "SELECT " DUET_PEER_COLUMNS " FROM known_peers WHERE verified = 1 "
                                       "ORDER BY last_seen_ms DESC NULLS LAST, fingerprint"),
      selectAllPeers(*connection, "SELECT " DUET_PEER_COLUMNS
                                  " FROM known_peers ORDER BY last_seen_ms DESC NULLS LAST, fingerprint"),
      upsertPinnedPeer(*connection,
                       "INSERT INTO known_peers (" DUET_PEER_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1) "
                       "ON CONFLICT (fingerprint) DO UPDATE SET public_key = excluded.public_key, "
                       "display_name = excluded.display_name, last_address = excluded.last_address, "
                       "last_seen_ms = excluded.last_seen_ms, verified = 1"),
      upsertSeenPeer(*connection,
                     "INSERT INTO known_peers (" DUET_PEER_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?5, 0) "
                     "ON CONFLICT (fingerprint) DO UPDATE SET display_name = excluded.display_name, "
                     "last_address = excluded.last_address, last_seen_ms = excluded.last_seen_ms "
                     "WHERE known_peers.public_key = excluded.public_key"),
      deletePeer(*connection, "DELETE FROM known_peers WHERE fingerprint = ?1"),
      insertOutgoing(*connection,
                     "INSERT INTO messages (peer_fingerprint, message_id, direction, text, sent_at_ms, "
                     "state) VALUES (?1, ?2, 0, ?3, ?4, 0)"),
      insertIncomingOnce(
          *connection,
          "INSERT INTO messages (peer_fingerprint, message_id, direction, text, sent_at_ms, state) "
          "SELECT ?1, ?2, 1, ?3, ?4, 3 WHERE NOT EXISTS (SELECT 1 FROM cleared_incoming "
          "WHERE peer_fingerprint = ?1 AND message_id = ?2) "
          "ON CONFLICT (peer_fingerprint, direction, message_id) DO NOTHING"),
      advanceState(*connection,
                   "UPDATE messages SET state = ?4 "
                   "WHERE peer_fingerprint = ?1 AND direction = ?2 AND message_id = ?3 AND state < ?4"),
      selectHistory(*connection, "SELECT " DUET_MESSAGE_COLUMNS " FROM messages "
                                 "WHERE peer_fingerprint = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3"),
      selectOutbox(*connection, "SELECT " DUET_MESSAGE_COLUMNS " FROM messages "
                                "WHERE peer_fingerprint = ?1 AND direction = 0 AND state < 2 ORDER BY id")
{
}

#undef DUET_PEER_COLUMNS
#undef DUET_MESSAGE_COLUMNS

namespace detail {

KnownPeer readPeer(const Statement& row)
{
    KnownPeer peer;
    peer.fingerprint = row.columnText(0);
    std::vector<std::uint8_t> key = row.columnBlob(1);
    // The table's CHECK guarantees 32 bytes; a file edited by hand could still disagree.
    if (key.size() != peer.publicKey.size())
        throw std::runtime_error("profile database: public key of " + peer.fingerprint + " is " +
                                 std::to_string(key.size()) + " bytes, not 32");
    std::copy(key.begin(), key.end(), peer.publicKey.begin());
    peer.displayName = row.columnText(2);
    peer.lastAddress = row.columnText(3);
    peer.firstSeenMs = row.columnInt(4);
    peer.lastSeenMs = row.columnInt(5);
    peer.verified = row.columnInt(6) != 0;
    return peer;
}

StoredMessage readMessage(const Statement& row)
{
    StoredMessage message;
    message.rowId = row.columnInt(0);
    message.peerFingerprint = row.columnText(1);
    message.messageId = std::bit_cast<std::uint64_t>(row.columnInt(2));
    std::int64_t direction = row.columnInt(3);
    std::int64_t state = row.columnInt(6);
    if (direction < 0 || direction > 1 || state < 0 || state > static_cast<std::int64_t>(MessageState::Read))
        throw std::runtime_error("profile database: message row " + std::to_string(message.rowId) +
                                 " has an unknown direction or state");
    message.direction = static_cast<MessageDirection>(direction);
    message.text = row.columnText(4);
    message.sentAtMs = row.columnInt(5);
    message.state = static_cast<MessageState>(state);
    return message;
}

} // namespace detail

} // namespace duet::profile
