// AppState's side of read receipts, typing indicators and the chat options. Events name the conversation
// by fingerprint (the peer id is zero while offline), so they apply to every entry of that identity.
#include "duet/state/AppState.hpp"
#include "duet/state/TextSanitize.hpp"

namespace duet::state {

void AppState::on(const event::ChatStateChanged& e, std::int64_t)
{
    // Queued, Sent and Delivered arrive as ChatSent / ChatDelivered too; only Read is news here.
    if (e.state != MessageState::Read) return;
    for (Peer& peer : m_peers) {
        if (peer.fingerprint != e.fingerprint) continue;
        if (ChatMessage* message = findMessage(peer, e.messageId); message && message->outgoing) {
            message->delivery = Delivery::Read;
            ++peer.messagesRevision;
        }
    }
}

void AppState::on(const event::PeerTyping& e, std::int64_t)
{
    for (Peer& peer : m_peers) {
        // A stop applies to every entry of the identity; a start only to the connection it came on.
        if (peer.fingerprint == e.fingerprint && (!e.typing || !e.peer || peer.id == e.peer))
            peer.typing = e.typing;
    }
}

void AppState::on(const event::ChatOptions& e, std::int64_t)
{
    m_chatOptions = e;
}

namespace {

Delivery deliveryOf(MessageState state)
{
    switch (state) {
    case MessageState::Queued:
        return Delivery::Sending;
    case MessageState::Sent:
        return Delivery::Sent;
    case MessageState::Delivered:
        return Delivery::Delivered;
    case MessageState::Read:
    case MessageState::Received:
        break;
    }
    return Delivery::Read;
}

} // namespace

void AppState::applyLocalChat(const Command& command)
{
    if (const auto* load = std::get_if<command::LoadHistory>(&command)) {
        if (Peer* peer = peerPtr(load->peer)) {
            peer->historyRequested = true;
            peer->historyLoading = true;
        }
    }
}

void AppState::on(const event::HistoryPage& e, std::int64_t)
{
    // The entry that asked for it: the newest one of this identity with a page on its way.
    Peer* target = nullptr;
    for (auto it = m_peers.rbegin(); it != m_peers.rend() && !target; ++it)
        if (it->fingerprint == e.fingerprint && it->historyLoading) target = &*it;
    if (!target) return;
    Peer& peer = *target;
    peer.historyLoading = false;
    peer.olderHistory = e.more;
    if (!e.messages.empty()) peer.oldestRow = e.messages.front().rowId;
    auto& index = m_messageIndex[peer.id];
    std::vector<ChatMessage> older;
    for (const event::HistoryEntry& entry : e.messages) {
        // Messages of this run are already shown (the newest page overlaps them).
        if (index.count(entry.messageId) != 0) continue;
        ChatMessage message;
        message.id = entry.messageId;
        message.outgoing = entry.outgoing;
        message.from = entry.outgoing ? std::string() : peer.name;
        message.text = sanitizeMultiline(entry.text);
        message.timeMs = entry.sentAtMs;
        message.delivery = entry.outgoing ? deliveryOf(entry.state) : Delivery::Delivered;
        older.push_back(std::move(message));
    }
    if (older.empty()) return;
    peer.messages.insert(peer.messages.begin(), std::make_move_iterator(older.begin()),
                         std::make_move_iterator(older.end()));
    index.clear();
    for (std::size_t i = 0; i < peer.messages.size(); ++i)
        index.emplace(peer.messages[i].id, i);
    ++peer.prepends;
    ++peer.messagesRevision;
}

void AppState::on(const event::HistoryCleared& e, std::int64_t)
{
    for (Peer& peer : m_peers) {
        if (peer.fingerprint != e.fingerprint) continue;
        // What is still queued stays visible, like in the database.
        std::vector<ChatMessage> kept;
        for (ChatMessage& message : peer.messages)
            if (message.outgoing &&
                (message.delivery == Delivery::Sending || message.delivery == Delivery::Sent))
                kept.push_back(std::move(message));
        peer.messages = std::move(kept);
        auto& index = m_messageIndex[peer.id];
        index.clear();
        for (std::size_t i = 0; i < peer.messages.size(); ++i)
            index.emplace(peer.messages[i].id, i);
        peer.olderHistory = false;
        peer.oldestRow = 0;
        ++peer.prepends;
        ++peer.messagesRevision;
    }
}

} // namespace duet::state
