#pragma once
// Internal: the connection and prepared statements behind a ProfileStore, shared by its .cpp files.
#include "duet/profile/ProfileStore.hpp"
#include "duet/profile/Sqlite.hpp"

#include <memory>

namespace duet::profile {

struct ProfileStore::Impl {
    // `connection` must already be configured and migrated: statements are prepared against the schema.
    explicit Impl(std::unique_ptr<detail::Connection> connection);

    // Declared first so it is destroyed last, after every statement is finalized.
    std::unique_ptr<detail::Connection> connection;

    detail::Statement selectSetting;
    detail::Statement upsertSetting;

    detail::Statement selectPeer;
    detail::Statement selectVerifiedPeers;
    detail::Statement selectAllPeers;
    detail::Statement upsertPinnedPeer;
    detail::Statement upsertSeenPeer;
    detail::Statement deletePeer;

    detail::Statement insertOutgoing;
    detail::Statement insertIncomingOnce;
    detail::Statement advanceState;
    detail::Statement selectHistory;
    detail::Statement selectOutbox;
};

namespace detail {

// Column order of every known_peers SELECT above.
KnownPeer readPeer(const Statement& row);
// Column order of every messages SELECT above.
StoredMessage readMessage(const Statement& row);

} // namespace detail

} // namespace duet::profile
