#pragma once
// The SQLite database of one profile (duet.db in the profile directory): settings, known peers, chat and
// transfer resume records.
// Thread: one ProfileStore per thread, never shared. The net thread owns one; the UI may open a second,
// read-mostly one on the same directory. WAL mode lets them (and other processes) read while one writes;
// a writer waits up to kBusyTimeoutMs for another's write lock before failing.
// Errors: every database failure throws std::runtime_error with sqlite's message (the net thread catches
// and reports it); passing a state that makes no sense for the direction throws std::invalid_argument.
// Durability: synchronous=NORMAL, so a commit survives an app crash but may be lost on power failure;
// storeOutgoingBatch (the outbox) commits with synchronous=FULL, so a queued message survives that too.
#include "duet/profile/KnownPeer.hpp"
#include "duet/profile/StoredMessage.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace duet::profile {

// The schema version this build writes (PRAGMA user_version). Older databases are migrated on open;
// newer ones are refused.
inline constexpr int kProfileSchemaVersion = 4;

// One row of the transfer_resume table. direction: 0 outgoing, 1 incoming.
struct StoredTransferRecord {
    int direction = 0;
    std::uint64_t offerId = 0;
    std::string record;
};

// One row of the transfer_resume_file table: one file of an offer's record, by its place in the offer.
struct StoredTransferFile {
    int direction = 0;
    std::uint64_t offerId = 0;
    std::uint64_t position = 0;
    std::string record;
};

class ProfileStore {
public:
    static constexpr int kBusyTimeoutMs = 2000;
    static constexpr std::int64_t kNewest = std::numeric_limits<std::int64_t>::max();

    // Creates the directory (mode 0700) and database if missing, switches to WAL and migrates the schema.
    // Throws std::runtime_error naming the path and cause: unwritable directory, corrupt or foreign
    // database, or a schema newer than kProfileSchemaVersion.
    static std::unique_ptr<ProfileStore> open(const std::filesystem::path& profileDir);
    ~ProfileStore();
    ProfileStore(const ProfileStore&) = delete;
    ProfileStore& operator=(const ProfileStore&) = delete;

    const std::filesystem::path& directory() const { return m_directory; }
    std::filesystem::path identityKeyPath() const;
    std::filesystem::path imguiIniPath() const;
    std::filesystem::path databasePath() const;

    // ---- Settings: free-form UTF-8 key/value pairs.
    std::optional<std::string> setting(std::string_view key);
    void setSetting(std::string_view key, std::string_view value);
    // Every setting whose key starts with `prefix` (key, value), in key order.
    std::vector<std::pair<std::string, std::string>> settingsWithPrefix(std::string_view prefix);
    // Deletes these settings in one transaction; keys that do not exist are ignored.
    void eraseSettings(const std::vector<std::string>& keys);

    // ---- Transfer resume records (ProfileStoreTransfers.cpp): one opaque text per (peer, direction,
    // offer); the engine encodes and judges it.
    std::vector<StoredTransferRecord> transferRecords(std::string_view peerFingerprint);
    // Inserts or replaces one record, deleting the offer's file rows (the record holds its files).
    void putTransferRecord(std::string_view peerFingerprint, const StoredTransferRecord& record);
    // Deletes the record and its file rows. Returns false when there was no such record.
    bool deleteTransferRecord(std::string_view peerFingerprint, int direction, std::uint64_t offerId);
    // File rows of the peer's records, ordered by direction, offer and position.
    std::vector<StoredTransferFile> transferFiles(std::string_view peerFingerprint);
    // In one transaction: inserts or replaces `offers` (keeping their file rows) and `files`, and deletes
    // the `removed` (direction, offer) records with their file rows. Nothing is written when it throws.
    void writeTransferChanges(std::string_view peerFingerprint,
                              const std::vector<StoredTransferRecord>& offers,
                              const std::vector<StoredTransferFile>& files,
                              const std::vector<std::pair<int, std::uint64_t>>& removed);
    // In one transaction: stores `records` (replacing equal keys) and deletes the setting `legacyKey`, so
    // a crash leaves either the old setting or the new rows, never both nor neither.
    void importTransferRecords(std::string_view peerFingerprint,
                               const std::vector<StoredTransferRecord>& records, std::string_view legacyKey);

    // ---- Known peers.
    std::optional<KnownPeer> peerByFingerprint(std::string_view fingerprint);
    // Verified peers with this display name or this exact last address ("ip:port"):
    // the candidates for "a known peer shows up with a different key". Empty arguments match nothing.
    // Newest last-seen first.
    std::vector<KnownPeer> verifiedPeersMatching(std::string_view displayName, std::string_view address);
    // Inserts or replaces the peer with verified = 1. An existing row keeps its first_seen_ms.
    void pinPeer(const KnownPeer& peer);
    // Inserts an unverified peer, or updates name, address and last seen of a stored one without touching
    // `verified`. Throws std::runtime_error if the fingerprint is stored with a different public key.
    void recordSeen(std::string_view fingerprint, const PublicKey& publicKey, std::string_view displayName,
                    std::string_view address, std::int64_t nowMs);
    // All peers, most recently seen first.
    std::vector<KnownPeer> knownPeers();
    // Deletes the peer row; its chat history stays.
    void forgetPeer(std::string_view fingerprint);
    // Deletes the peer row only while it is unverified, so a pinned key is never dropped this way. True when
    // a row went; its chat history stays.
    bool forgetUnverifiedPeer(std::string_view fingerprint);
    // Keeps the `keep` most recently seen unverified peers and deletes older unverified rows; verified rows
    // stay. Returns how many rows went.
    std::size_t pruneUnverifiedPeers(std::size_t keep);

    // ---- Messages.
    // Stores a message the user sent, state Queued. Returns its row id. Throws if the same (peer,
    // messageId) was already stored as outgoing.
    std::int64_t storeOutgoing(std::string_view peerFingerprint, std::uint64_t messageId,
                               std::string_view text, std::int64_t sentAtMs);
    // Moves a message forward in its lifecycle (see MessageState). Returns false when the message does not
    // exist or is already at or past `state`. Outgoing accepts Sent, Delivered, Read; incoming only Read.
    bool markState(std::string_view peerFingerprint, MessageDirection direction, std::uint64_t messageId,
                   MessageState state);
    // Stores a received message, state Received. Returns false, storing nothing, when this peer's
    // messageId is already stored (a re-send after a lost ack).
    bool storeIncomingOnce(std::string_view peerFingerprint, std::uint64_t messageId, std::string_view text,
                           std::int64_t sentAtMs);
    // Up to `limit` messages of one peer with rowId < beforeRowId, newest first. For the next page pass
    // the rowId of the last message returned.
    std::vector<StoredMessage> history(std::string_view peerFingerprint, std::size_t limit,
                                       std::int64_t beforeRowId = kNewest);
    // Outgoing messages to this peer still Queued or Sent (not yet delivered), oldest first.
    std::vector<StoredMessage> pendingOutgoing(std::string_view peerFingerprint);

    // ---- Chat in bulk (ProfileStoreChat.cpp). One transaction per call.
    // Stores messages the user sent (Queued), durable on disk (synchronous=FULL) when this returns.
    // Returns one row id per draft, in order, or 0 for a draft refused (its id already stored for that
    // peer); the others are stored all the same.
    std::vector<std::int64_t> storeOutgoingBatch(const std::vector<OutgoingDraft>& drafts);
    // markState for many messages; returns, in input order, whether each one moved.
    std::vector<bool> markStates(const std::vector<StateChange>& changes);
    // The peer read our outgoing message `upToMessageId` and, by order, every earlier one: each of those
    // not yet Read becomes Read. Returns their message ids, oldest first (empty for an unknown id).
    std::vector<std::uint64_t> markOutgoingReadUpTo(std::string_view peerFingerprint,
                                                    std::uint64_t upToMessageId);
    // The user saw the conversation: every incoming Received message becomes Read. Returns how many moved.
    std::size_t markIncomingRead(std::string_view peerFingerprint);
    // The newest incoming message already Read (what a read receipt names), if any.
    std::optional<std::uint64_t> newestReadIncoming(std::string_view peerFingerprint);
    // Messages whose text contains `query` (LIKE, so ASCII letters ignore case; % _ and \ match
    // themselves), newest first, at most `limit`. An empty query matches nothing.
    std::vector<StoredMessage> searchHistory(std::string_view peerFingerprint, std::string_view query,
                                             std::size_t limit);
    // Up to `limit` messages with rowId > afterRowId, oldest first (export walks the history with it).
    std::vector<StoredMessage> historyAfter(std::string_view peerFingerprint, std::int64_t afterRowId,
                                            std::size_t limit);
    // Deletes the peer's history except outgoing messages not yet delivered (still in the outbox).
    // Returns how many were deleted.
    std::size_t clearHistory(std::string_view peerFingerprint);

private:
    struct Impl;
    ProfileStore(std::filesystem::path directory, std::unique_ptr<Impl> impl);

    std::filesystem::path m_directory;
    std::unique_ptr<Impl> m_impl;
};

} // namespace duet::profile
