// AppState's conversations that outlive a connection: peers remembered from the profile, and the merge of a
// new connection into the Offline entry of the same identity, so one identity is one row with one history.
#include "duet/state/AppState.hpp"
#include "duet/state/TextSanitize.hpp"

#include <algorithm>

namespace duet::state {

void AppState::addRememberedPeer(const std::string& fingerprint, const std::string& name,
                                 const std::string& address)
{
    const std::string cleanFingerprint = sanitizeLine(fingerprint);
    if (cleanFingerprint.empty()) return;
    for (const Peer& peer : m_peers)
        if (peer.fingerprint == cleanFingerprint) return;
    Peer& peer = peerFor(PeerId{m_nextRememberedId++});
    peer.fingerprint = cleanFingerprint;
    peer.name = sanitizeLine(name);
    peer.address = sanitizeLine(address);
    peer.trust = Trust::Verified; // only pinned identities are remembered
    peer.phase = PeerPhase::Offline;
    peer.remembered = true;
    ++m_revision;
}

void AppState::mergeIntoEarlierEntry(std::size_t connected)
{
    const std::string& fingerprint = m_peers[connected].fingerprint;
    if (fingerprint.empty()) return;
    std::size_t earlier = m_peers.size();
    for (std::size_t i = 0; i < m_peers.size() && earlier == m_peers.size(); ++i)
        if (i != connected && m_peers[i].fingerprint == fingerprint && m_peers[i].phase == PeerPhase::Offline)
            earlier = i;
    if (earlier == m_peers.size()) return;

    Peer fresh = std::move(m_peers[connected]);
    Peer& target = m_peers[earlier];
    const PeerId oldId = target.id;
    const PeerId newId = fresh.id;
    // The connection's facts come from the new entry; the conversation and its paging stay.
    target.id = newId;
    if (!fresh.name.empty()) target.name = std::move(fresh.name);
    target.address = std::move(fresh.address);
    target.code = std::move(fresh.code);
    target.trust = fresh.trust;
    target.phase = fresh.phase;
    target.outgoing = fresh.outgoing;
    target.remembered = false;
    target.recent = false;
    target.confirmedLocally = fresh.confirmedLocally;
    target.rejectedLocally = fresh.rejectedLocally;
    target.disconnectReason.clear();
    target.link = fresh.link;
    target.typing = fresh.typing;
    target.unread += fresh.unread;
    auto& index = m_messageIndex[oldId];
    for (ChatMessage& message : fresh.messages)
        if (index.emplace(message.id, target.messages.size()).second)
            target.messages.push_back(std::move(message));
    ++target.messagesRevision;
    auto node = m_messageIndex.extract(oldId);
    m_messageIndex.erase(newId);
    node.key() = newId;
    m_messageIndex.insert(std::move(node));

    m_peers.erase(m_peers.begin() + static_cast<std::ptrdiff_t>(connected));
    for (auto& [before, current] : m_mergedIds)
        if (current == oldId) current = newId;
    m_mergedIds[oldId] = newId;
    rebuildPeerIndex();
}

bool AppState::dropFailedRedial(std::size_t index)
{
    const Peer& attempt = m_peers[index];
    if (!attempt.fingerprint.empty() || !attempt.messages.empty() || !knownOfflineAt(attempt.address))
        return false;
    m_messageIndex.erase(attempt.id);
    m_peers.erase(m_peers.begin() + static_cast<std::ptrdiff_t>(index));
    rebuildPeerIndex();
    return true;
}

bool AppState::knownOfflineAt(const std::string& address) const
{
    if (address.empty()) return false;
    return std::any_of(m_peers.begin(), m_peers.end(), [&](const Peer& peer) {
        return !peer.fingerprint.empty() && peer.phase == PeerPhase::Offline && peer.address == address;
    });
}

void AppState::rebuildPeerIndex()
{
    m_peerIndex.clear();
    for (std::size_t i = 0; i < m_peers.size(); ++i)
        m_peerIndex.emplace(m_peers[i].id, i);
    for (const auto& [before, current] : m_mergedIds)
        if (const auto it = m_peerIndex.find(current); it != m_peerIndex.end())
            m_peerIndex.emplace(before, it->second);
}

} // namespace duet::state
