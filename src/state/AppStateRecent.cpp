// Recent unverified peers: identities the user reached in an earlier run without confirming the code. They
// are listed so they can be joined again, and must never be mistaken for pinned ones.
#include "duet/state/AppState.hpp"
#include "duet/state/TextSanitize.hpp"

#include <algorithm>

namespace duet::state {
namespace {

bool isRecentRow(const Peer& peer)
{
    return !peer.fingerprint.empty() && peer.phase == PeerPhase::Offline && peer.trust == Trust::Unverified;
}

} // namespace

void AppState::addRecentPeer(const std::string& fingerprint, const std::string& name,
                             const std::string& address, std::int64_t lastSeenMs)
{
    // Bounded before sanitizing too, so a huge profile value costs no more than a short one.
    const std::string cleanFingerprint = sanitizeLine(truncateUtf8(fingerprint, kMaxRecentAddressBytes));
    if (cleanFingerprint.empty()) return;
    for (const Peer& peer : m_peers)
        if (peer.fingerprint == cleanFingerprint) return;
    Peer& peer = peerFor(PeerId{m_nextRememberedId++});
    peer.fingerprint = cleanFingerprint;
    // U+FFFD replacements can grow the text, hence the second bound after sanitizing.
    peer.name = truncateUtf8(sanitizeLine(truncateUtf8(name, kMaxRecentNameBytes)), kMaxRecentNameBytes);
    peer.address =
        truncateUtf8(sanitizeLine(truncateUtf8(address, kMaxRecentAddressBytes)), kMaxRecentAddressBytes);
    peer.trust = Trust::Unverified; // a profile entry never vouches for a key
    peer.phase = PeerPhase::Offline;
    peer.remembered = true;
    peer.recent = true;
    peer.lastSeenMs = lastSeenMs;
    ++m_revision;

    std::vector<const Peer*> recent = recentPeers();
    if (recent.size() <= kMaxRecentPeers) return;
    const std::string oldest = recent.back()->fingerprint;
    forgetRecentPeer(oldest);
}

bool AppState::forgetRecentPeer(const std::string& fingerprint)
{
    const auto it = std::find_if(m_peers.begin(), m_peers.end(), [&](const Peer& peer) {
        return isRecentRow(peer) && peer.fingerprint == fingerprint;
    });
    if (it == m_peers.end()) return false;
    const PeerId id = it->id;
    m_messageIndex.erase(id);
    m_peers.erase(it);
    // Ids merged into the removed row must not point at whatever takes its index.
    std::erase_if(m_mergedIds, [&](const auto& merged) { return merged.second == id; });
    rebuildPeerIndex();
    ++m_revision;
    return true;
}

std::vector<const Peer*> AppState::recentPeers() const
{
    std::vector<const Peer*> recent;
    for (const Peer& peer : m_peers)
        if (isRecentRow(peer)) recent.push_back(&peer);
    // Rows of this run have no profile time yet: they count as newer than any listed from the profile.
    std::stable_sort(recent.begin(), recent.end(), [](const Peer* a, const Peer* b) {
        const bool aThisRun = !a->recent;
        const bool bThisRun = !b->recent;
        if (aThisRun != bThisRun) return aThisRun;
        return a->lastSeenMs > b->lastSeenMs;
    });
    return recent;
}

} // namespace duet::state
