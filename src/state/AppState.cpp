#include "duet/state/AppState.hpp"

#include "duet/state/TextSanitize.hpp"

#include <type_traits>

namespace duet::state {
namespace {

// "Alice (192.0.2.7:55555)", or whichever of the two is known.
std::string labelOf(const Peer& peer)
{
    if (peer.name.empty()) return peer.address.empty() ? std::string("unknown peer") : peer.address;
    if (peer.address.empty()) return peer.name;
    return peer.name + " (" + peer.address + ")";
}

} // namespace

void AppState::apply(const Event& event, std::int64_t nowMs)
{
    // Link statistics arrive every second per peer; an unchanged report must not cost the UI a redraw.
    if (const auto* stats = std::get_if<event::LinkStats>(&event)) {
        const LinkQuality quality{stats->rttMs, stats->lossRatio, stats->bytesInPerSec,
                                  stats->bytesOutPerSec};
        const std::optional<LinkQuality>& current = peerFor(stats->peer).link;
        if (current && current->rttMs == quality.rttMs && current->lossRatio == quality.lossRatio &&
            current->bytesInPerSec == quality.bytesInPerSec &&
            current->bytesOutPerSec == quality.bytesOutPerSec)
            return;
    }
    if (!applyTransfer(event, nowMs)) std::visit([&](const auto& e) { on(e, nowMs); }, event);
    ++m_revision;
}

void AppState::applyLocal(const Command& command, std::int64_t nowMs)
{
    std::visit(
        [&](const auto& c) {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, command::SendChat>) {
                Peer& peer = peerFor(c.peer);
                ChatMessage message;
                message.id = c.messageId;
                message.outgoing = true;
                message.text = sanitizeMultiline(c.text);
                message.timeMs = nowMs;
                appendMessage(peer, std::move(message));
            } else if constexpr (std::is_same_v<T, command::ConfirmPeer>) {
                if (Peer* peer = peerPtr(c.peer)) peer->confirmedLocally = true;
            } else if constexpr (std::is_same_v<T, command::RejectPeer>) {
                if (Peer* peer = peerPtr(c.peer)) peer->rejectedLocally = true;
            } else if constexpr (std::is_same_v<T, command::Disconnect>) {
                std::erase_if(m_keyChanges,
                              [&](const KeyChangeAlert& alert) { return alert.peer == c.peer; });
            } else if constexpr (std::is_same_v<T, command::SetDisplayName>) {
                setDisplayName(c.name);
            } else if constexpr (std::is_same_v<T, command::Connect>) {
                addLog(nowMs, LogLevel::Info,
                       "Joining " + sanitizeLine(c.host) + ":" + std::to_string(c.port) + "...");
            }
        },
        command);
    m_transfers.applyLocal(command);
    applyLocalChat(command);
    ++m_revision;
}

void AppState::markRead(PeerId peer)
{
    if (Peer* p = peerPtr(peer); p && p->unread != 0) {
        p->unread = 0;
        ++m_revision;
    }
}

const Peer* AppState::findPeer(PeerId peer) const
{
    const auto it = m_peerIndex.find(peer);
    return it == m_peerIndex.end() ? nullptr : &m_peers[it->second];
}

const Peer* AppState::peerNeedingVerification() const
{
    for (const Peer& peer : m_peers)
        if (peer.needsVerification()) return &peer;
    return nullptr;
}

void AppState::setDisplayName(std::string name)
{
    m_displayName = sanitizeLine(name);
}

Peer* AppState::peerPtr(PeerId id)
{
    const auto it = m_peerIndex.find(id);
    return it == m_peerIndex.end() ? nullptr : &m_peers[it->second];
}

Peer& AppState::peerFor(PeerId id)
{
    if (Peer* existing = peerPtr(id)) return *existing;
    m_peerIndex.emplace(id, m_peers.size());
    Peer& peer = m_peers.emplace_back();
    peer.id = id;
    return peer;
}

ChatMessage* AppState::findMessage(Peer& peer, std::uint64_t messageId)
{
    const auto byPeer = m_messageIndex.find(peer.id);
    if (byPeer == m_messageIndex.end()) return nullptr;
    const auto it = byPeer->second.find(messageId);
    return it == byPeer->second.end() ? nullptr : &peer.messages[it->second];
}

void AppState::appendMessage(Peer& peer, ChatMessage message)
{
    auto& index = m_messageIndex[peer.id];
    // A repeated id is a duplicate (or a peer reusing one of ours): the first message stands.
    if (!index.emplace(message.id, peer.messages.size()).second) return;
    peer.messages.push_back(std::move(message));
    ++peer.messagesRevision;
}

void AppState::addLog(std::int64_t nowMs, LogLevel level, std::string text)
{
    if (level == LogLevel::Error) {
        ++m_errorCount;
        m_lastError = text;
    }
    m_log.push_back(LogEntry{nowMs, level, std::move(text)});
    while (m_log.size() > kMaxLogEntries)
        m_log.pop_front();
}

void AppState::on(const event::Listening& e, std::int64_t nowMs)
{
    m_listeningPort = e.port;
    m_ownFingerprint = sanitizeLine(e.fingerprint);
    m_listeningAddresses.clear();
    for (const std::string& address : e.addresses)
        m_listeningAddresses.push_back(sanitizeLine(address));
    addLog(nowMs, LogLevel::Info, "Listening on UDP port " + std::to_string(e.port));
}

void AppState::on(const event::HostingChanged& e, std::int64_t nowMs)
{
    m_hosting = e.accepting;
    addLog(nowMs, LogLevel::Info,
           e.accepting ? "Hosting: accepting incoming connections"
                       : "Hosting off: incoming connections refused");
}

void AppState::on(const event::PeerConnecting& e, std::int64_t nowMs)
{
    Peer& peer = peerFor(e.peer);
    peer.address = sanitizeLine(e.address);
    peer.outgoing = e.outgoing;
    peer.phase = PeerPhase::Connecting;
    peer.disconnectReason.clear();
    peer.redial = e.outgoing && knownOfflineAt(peer.address);
    addLog(nowMs, LogLevel::Info,
           (e.outgoing ? "Connecting to " : "Incoming connection from ") + peer.address + ", securing...");
}

void AppState::on(const event::PeerConnected& e, std::int64_t nowMs)
{
    Peer& peer = peerFor(e.peer);
    peer.name = sanitizeLine(e.name);
    peer.address = sanitizeLine(e.address);
    peer.fingerprint = sanitizeLine(e.fingerprint);
    peer.code = sanitizeLine(e.code);
    peer.trust = e.trust;
    peer.phase = PeerPhase::Verifying;
    peer.confirmedLocally = false;
    peer.rejectedLocally = false;
    addLog(nowMs, LogLevel::Info,
           "Secure connection with " + labelOf(peer) +
               (e.trust == Trust::Verified ? " (known key)" : ", compare the verification code"));
    // The same identity listed Offline (remembered, or an earlier connection): one row, one history.
    mergeIntoEarlierEntry(m_peerIndex.at(e.peer));
}

void AppState::on(const event::PeerVerified& e, std::int64_t nowMs)
{
    Peer& peer = peerFor(e.peer);
    peer.phase = PeerPhase::Online;
    peer.trust = Trust::Verified;
    addLog(nowMs, LogLevel::Info, "Verified " + labelOf(peer) + ": chat is open");
}

void AppState::on(const event::PeerKeyChanged& e, std::int64_t nowMs)
{
    KeyChangeAlert alert{e.peer, sanitizeLine(e.name), sanitizeLine(e.address),
                         sanitizeLine(e.pinnedFingerprint), sanitizeLine(e.presentedFingerprint)};
    addLog(nowMs, LogLevel::Error,
           "Identity of " + (alert.name.empty() ? alert.address : alert.name) +
               " has changed; the connection was refused");
    m_keyChanges.push_back(std::move(alert));
    if (Peer* peer = peerPtr(e.peer)) peer->phase = PeerPhase::Offline;
}

void AppState::on(const event::PeerDisconnected& e, std::int64_t nowMs)
{
    Peer& peer = peerFor(e.peer);
    peer.phase = PeerPhase::Offline;
    peer.disconnectReason = sanitizeLine(e.reason);
    peer.link.reset();
    addLog(nowMs, LogLevel::Info,
           "Disconnected from " + labelOf(peer) +
               (peer.disconnectReason.empty() ? std::string() : ": " + peer.disconnectReason));
    dropFailedRedial(m_peerIndex.at(e.peer));
}

void AppState::on(const event::ChatSent& e, std::int64_t)
{
    Peer& peer = peerFor(e.peer);
    if (ChatMessage* message = findMessage(peer, e.messageId); message && message->outgoing) {
        if (message->delivery == Delivery::Sending) message->delivery = Delivery::Sent;
        message->timeMs = e.timeMs;
        ++peer.messagesRevision;
    }
}

void AppState::on(const event::ChatReceived& e, std::int64_t)
{
    Peer& peer = peerFor(e.peer);
    ChatMessage message;
    message.id = e.messageId;
    message.from = sanitizeLine(e.from);
    message.text = sanitizeMultiline(e.text);
    message.timeMs = e.sentAtMs;
    const std::size_t before = peer.messages.size();
    appendMessage(peer, std::move(message));
    if (peer.messages.size() != before) ++peer.unread;
}

void AppState::on(const event::ChatDelivered& e, std::int64_t)
{
    Peer& peer = peerFor(e.peer);
    if (ChatMessage* message = findMessage(peer, e.messageId); message && message->outgoing) {
        message->delivery = Delivery::Delivered;
        ++peer.messagesRevision;
    }
}

void AppState::on(const event::LinkStats& e, std::int64_t)
{
    peerFor(e.peer).link = LinkQuality{e.rttMs, e.lossRatio, e.bytesInPerSec, e.bytesOutPerSec};
}

void AppState::on(const event::Error& e, std::int64_t nowMs)
{
    std::string text = sanitizeLine(e.reason);
    if (e.peer)
        if (const Peer* peer = findPeer(e.peer)) text = labelOf(*peer) + ": " + text;
    addLog(nowMs, LogLevel::Error, std::move(text));
}

} // namespace duet::state
