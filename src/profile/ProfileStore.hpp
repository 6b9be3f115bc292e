#pragma once
// The SQLite database of one profile (duet.db in the profile directory): settings, known peers and chat.
// Thread: one ProfileStore per thread, never shared. The net thread owns one; the UI may open a second,
// read-mostly one on the same directory. WAL mode lets them (and other processes) read while one writes;
// a writer waits up to kBusyTimeoutMs for another's write lock before failing.
// Errors: every database failure throws std::runtime_error with sqlite's message (the net thread catches
// and reports it); passing a state that makes no sense for the direction throws std::invalid_argument.
// Durability: synchronous=NORMAL, so a commit survives an app crash but may be lost on power failure.
// The durable outbox built on storeOutgoing is meant to switch those writes to synchronous=FULL.
#include "duet/profile/KnownPeer.hpp"
#include "duet/profile/StoredMessage.hpp"

#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace duet::profile {

// The schema version this build writes (PRAGMA user_version). Older databases are migrated on open;
// newer ones are refused.
inline constexpr int kProfileSchemaVersion = 1;

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

private:
    struct Impl;
    ProfileStore(std::filesystem::path directory, std::unique_ptr<Impl> impl);

    std::filesystem::path m_directory;
    std::unique_ptr<Impl> m_impl;
};

} // namespace duet::profile
