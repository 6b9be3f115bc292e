#include "duet/profile/StoreImpl.hpp"

#include <stdexcept>

namespace duet::profile {

std::string_view addressHost(std::string_view address)
{
    if (address.starts_with('[')) {
        std::size_t close = address.find(']');
        return close == std::string_view::npos ? address : address.substr(1, close - 1);
    }
    std::size_t colon = address.find(':');
    // No colon: no port. Two or more: a bare IPv6 address, which cannot carry a port without brackets.
    if (colon == std::string_view::npos || address.find(':', colon + 1) != std::string_view::npos)
        return address;
    return address.substr(0, colon);
}

std::optional<KnownPeer> ProfileStore::peerByFingerprint(std::string_view fingerprint)
{
    detail::Statement& query = m_impl->selectPeer;
    auto use = query.use();
    query.bindText(1, fingerprint);
    if (!query.step()) return std::nullopt;
    return detail::readPeer(query);
}

std::vector<KnownPeer> ProfileStore::verifiedPeersMatching(std::string_view displayName,
                                                           std::string_view address)
{
    // Verified peers are the handful the user confirmed by hand, so filtering them here is simplest.
    // The whole "ip:port" must match: ENet sends and listens on one socket, so a peer's address is its
    // listening endpoint in both directions, and two profiles on one machine (or behind one NAT) are
    // different endpoints, not a key change.
    std::vector<KnownPeer> matches;
    detail::Statement& query = m_impl->selectVerifiedPeers;
    auto use = query.use();
    while (query.step()) {
        KnownPeer peer = detail::readPeer(query);
        bool sameName = !displayName.empty() && peer.displayName == displayName;
        bool sameAddress = !address.empty() && peer.lastAddress == address;
        if (sameName || sameAddress) matches.push_back(std::move(peer));
    }
    return matches;
}

void ProfileStore::pinPeer(const KnownPeer& peer)
{
    detail::Statement& upsert = m_impl->upsertPinnedPeer;
    auto use = upsert.use();
    upsert.bindText(1, peer.fingerprint);
    upsert.bindBlob(2, peer.publicKey);
    upsert.bindText(3, peer.displayName);
    upsert.bindText(4, peer.lastAddress);
    upsert.bindInt(5, peer.firstSeenMs);
    upsert.bindInt(6, peer.lastSeenMs);
    upsert.run();
}

void ProfileStore::recordSeen(std::string_view fingerprint, const PublicKey& publicKey,
                              std::string_view displayName, std::string_view address, std::int64_t nowMs)
{
    detail::Statement& upsert = m_impl->upsertSeenPeer;
    auto use = upsert.use();
    upsert.bindText(1, fingerprint);
    upsert.bindBlob(2, publicKey);
    upsert.bindText(3, displayName);
    upsert.bindText(4, address);
    upsert.bindInt(5, nowMs);
    upsert.run();
    // The upsert's WHERE skips the update when the stored key differs. Fingerprints are derived from keys,
    // so that means a bug or a tampered database: never overwrite a key silently.
    if (m_impl->connection->changes() == 0)
        throw std::runtime_error("profile database: fingerprint " + std::string(fingerprint) +
                                 " is stored with a different public key");
}

std::vector<KnownPeer> ProfileStore::knownPeers()
{
    std::vector<KnownPeer> peers;
    detail::Statement& query = m_impl->selectAllPeers;
    auto use = query.use();
    while (query.step())
        peers.push_back(detail::readPeer(query));
    return peers;
}

void ProfileStore::forgetPeer(std::string_view fingerprint)
{
    detail::Statement& remove = m_impl->deletePeer;
    auto use = remove.use();
    remove.bindText(1, fingerprint);
    remove.run();
}

bool ProfileStore::forgetUnverifiedPeer(std::string_view fingerprint)
{
    // One statement, so a pin by the engine's connection cannot slip between a check and the delete.
    detail::Statement remove(*m_impl->connection,
                             "DELETE FROM known_peers WHERE fingerprint = ?1 AND verified = 0");
    auto use = remove.use();
    remove.bindText(1, fingerprint);
    remove.run();
    return m_impl->connection->changes() > 0;
}

std::size_t ProfileStore::pruneUnverifiedPeers(std::size_t keep)
{
    std::size_t kept = 0;
    std::size_t removed = 0;
    for (const KnownPeer& peer : knownPeers()) { // most recently seen first
        if (peer.verified) continue;
        if (kept < keep) {
            ++kept;
        } else if (forgetUnverifiedPeer(peer.fingerprint)) {
            ++removed;
        }
    }
    return removed;
}

} // namespace duet::profile
