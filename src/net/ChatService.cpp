#include "duet/net/ChatService.hpp"

#include <algorithm>
#include <stdexcept>

namespace duet::net {

MessageState toEventState(profile::MessageState state)
{
    switch (state) {
    case profile::MessageState::Queued:
        return MessageState::Queued;
    case profile::MessageState::Sent:
        return MessageState::Sent;
    case profile::MessageState::Delivered:
        return MessageState::Delivered;
    case profile::MessageState::Received:
        return MessageState::Received;
    case profile::MessageState::Read:
        return MessageState::Read;
    }
    return MessageState::Queued;
}

ChatService::ChatService(profile::ProfileStore& profile, const Clock& clock, std::string ownFingerprint,
                         Emit emit, RunOnSession run, CloseConnection close)
    : m_profile(profile), m_clock(clock), m_ownFingerprint(std::move(ownFingerprint)),
      m_emit(std::move(emit)), m_run(std::move(run)), m_close(std::move(close))
{
}

ChatService::Conversation& ChatService::conversation(const std::string& fingerprint)
{
    auto it = m_conversations.find(fingerprint);
    if (it == m_conversations.end())
        it = m_conversations.emplace(fingerprint, Conversation(m_clock.now())).first;
    return it->second;
}

void ChatService::send(PeerId peer, const std::string& fingerprint, std::uint64_t messageId,
                       const std::string& text)
{
    auto refuse = [&](std::string why) { m_emit(event::Error{peer, std::move(why)}); };
    if (messageId == 0) return refuse("message id must not be zero");
    if (text.size() > wire::kMaxChatText)
        return refuse("message too long (at most " + std::to_string(wire::kMaxChatText) + " bytes)");
    if (!wire::isValidUtf8(text)) return refuse("message is not valid UTF-8");
    const std::int64_t now = m_clock.wallMillis();
    try {
        m_profile.storeOutgoing(fingerprint, messageId, text, now);
    } catch (const std::exception& e) {
        // Most likely the id was used before (UNIQUE constraint); either way nothing was stored or sent.
        return refuse(std::string("cannot store the message: ") + e.what());
    }
    Conversation& chat = conversation(fingerprint);
    m_emit(event::ChatStateChanged{chat.active, fingerprint, messageId, MessageState::Queued, now});
    // Offline: the stored outbox is loaded when the peer is back, so it is not held here twice.
    if (!chat.outbox.online()) return;
    chat.outbox.add(OutboxMessage{messageId, text, now});
    m_run(chat.active, [this, &chat, &fingerprint](Session& session, SessionActions& out) {
        pump(chat, fingerprint, session, out);
    });
}

void ChatService::sendToIdentity(const command::SendChat& command)
{
    std::optional<profile::KnownPeer> known;
    try {
        known = m_profile.peerByFingerprint(command.toFingerprint);
    } catch (const std::exception& e) {
        return m_emit(event::Error{PeerId{}, std::string("profile database: ") + e.what()});
    }
    if (!known || !known->verified)
        return m_emit(
            event::Error{PeerId{}, "cannot send: " + command.toFingerprint + " is not a verified peer"});
    send(PeerId{}, command.toFingerprint, command.messageId, command.text);
}

void ChatService::loadHistory(const command::LoadHistory& command)
{
    std::string fingerprint = command.fingerprint;
    if (fingerprint.empty()) {
        const auto link = m_links.find(command.peer.value);
        if (link == m_links.end()) return m_emit(event::Error{command.peer, "history: not a verified peer"});
        fingerprint = link->second.fingerprint;
    }
    const std::size_t limit = std::clamp<std::uint32_t>(command.limit, 1, kMaxHistoryPage);
    std::vector<profile::StoredMessage> rows;
    try {
        // One row more than asked tells whether an older page exists.
        rows = m_profile.history(fingerprint, limit + 1, command.beforeRowId);
    } catch (const std::exception& e) {
        return m_emit(event::Error{command.peer, std::string("history: ") + e.what()});
    }
    event::HistoryPage page;
    page.fingerprint = fingerprint;
    page.more = rows.size() > limit;
    if (page.more) rows.resize(limit);
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
        page.messages.push_back(event::HistoryEntry{it->rowId, it->messageId,
                                                    it->direction == profile::MessageDirection::Outgoing,
                                                    it->text, it->sentAtMs, toEventState(it->state)});
    }
    m_emit(std::move(page));
}

bool ChatService::keepsExisting(const Conversation& chat, const std::string& fingerprint) const
{
    // Both apps compute this from the same two fingerprints, so both keep the same connection.
    const std::string& lower = std::min(m_ownFingerprint, fingerprint);
    const std::string& existingDialler = chat.activeOutgoing ? m_ownFingerprint : fingerprint;
    return existingDialler == lower;
}

std::vector<OutboxMessage> ChatService::storedOutbox(const std::string& fingerprint)
{
    std::vector<OutboxMessage> messages;
    for (profile::StoredMessage& stored : m_profile.pendingOutgoing(fingerprint))
        messages.push_back(OutboxMessage{stored.messageId, std::move(stored.text), stored.sentAtMs});
    return messages;
}

void ChatService::onVerified(Session& session, SessionActions& out)
{
    const std::string& fingerprint = session.peerFingerprint();
    const MonoTime now = m_clock.now();
    m_links.insert_or_assign(session.peer().value,
                             Link{fingerprint, TokenBucket(kMaxMessagesPerSecond, kMessageBurst, now),
                                  TokenBucket(kMaxBytesPerSecond, kByteBurst, now)});
    Conversation& chat = conversation(fingerprint);
    // A second dial by the same side (the user connected twice, or that side restarted and the old
    // connection has not timed out yet) is no race: it stays as a standby that takes over when the
    // active one ends. Dials from both sides at once are a race, settled by keepsExisting.
    const bool sameDialler = chat.activeOutgoing == session.outgoing();
    if (chat.active && chat.active != session.peer() && sameDialler) return;
    if (chat.active && chat.active != session.peer()) {
        const CloseRequest duplicate{wire::CloseReason::Normal, "duplicate connection",
                                     "duplicate connection (another one to this peer is in use)"};
        if (keepsExisting(chat, fingerprint)) {
            out.close = duplicate;
            return;
        }
        const PeerId previous = chat.active;
        chat.active = PeerId{};
        chat.outbox.linkDown();
        m_close(previous, duplicate);
    }
    chat.active = session.peer();
    chat.activeOutgoing = session.outgoing();
    chat.outbox.linkUp(storedOutbox(fingerprint));
    pump(chat, fingerprint, session, out);
}

void ChatService::onChat(Session& session, const wire::Chat& chat, SessionActions& out)
{
    const auto link = m_links.find(session.peer().value);
    // Chat is accepted on every verified connection of the identity: the sender uses one at a time and
    // storage is once per id, so a message that raced a duplicate connection's close is still shown once.
    if (link == m_links.end()) return;
    const std::string fingerprint = link->second.fingerprint;
    const MonoTime now = m_clock.now();
    if (!link->second.messages.tryTake(now) ||
        !link->second.bytes.tryTake(now, static_cast<double>(chat.text.size()))) {
        out.close = CloseRequest{wire::CloseReason::ProtocolError, "chat rate limit exceeded",
                                 "the peer sent chat faster than the limit"};
        return;
    }
    const bool isNew = m_profile.storeIncomingOnce(fingerprint, chat.id, chat.text, chat.sentAtMs);
    session.sendChatRecord(wire::ChatAck{chat.id}, out);
    if (isNew)
        out.events.push_back(event::ChatReceived{session.peer(), chat.id, session.peerName(), chat.text,
                                                 chat.sentAtMs, fingerprint});
}

void ChatService::onAck(Session& session, std::uint64_t messageId, SessionActions& out)
{
    const auto link = m_links.find(session.peer().value);
    if (link == m_links.end()) return;
    const std::string fingerprint = link->second.fingerprint;
    Conversation& chat = conversation(fingerprint);
    chat.outbox.acknowledge(messageId);
    // Unknown ids are acknowledgements of re-sent duplicates; nothing to report.
    if (m_profile.markState(fingerprint, profile::MessageDirection::Outgoing, messageId,
                            profile::MessageState::Delivered)) {
        out.events.push_back(event::ChatDelivered{session.peer(), messageId});
        out.events.push_back(event::ChatStateChanged{session.peer(), fingerprint, messageId,
                                                     MessageState::Delivered, m_clock.wallMillis()});
    }
    if (chat.active == session.peer()) pump(chat, fingerprint, session, out);
}

void ChatService::pump(Conversation& chat, const std::string& fingerprint, Session& session,
                       SessionActions& out)
{
    const MonoTime now = m_clock.now();
    while (std::optional<OutboxMessage> message = chat.outbox.next(now)) {
        session.sendChatRecord(wire::Chat{message->id, message->sentAtMs, message->text}, out);
        // Only the first send is news; a re-send after a reconnection keeps the state Sent.
        if (m_profile.markState(fingerprint, profile::MessageDirection::Outgoing, message->id,
                                profile::MessageState::Sent)) {
            out.events.push_back(event::ChatSent{session.peer(), message->id, message->sentAtMs});
            out.events.push_back(event::ChatStateChanged{session.peer(), fingerprint, message->id,
                                                         MessageState::Sent, message->sentAtMs});
        }
    }
}

void ChatService::onConnectionGone(PeerId peer)
{
    const auto link = m_links.find(peer.value);
    if (link == m_links.end()) return;
    const std::string fingerprint = link->second.fingerprint;
    Conversation& chat = conversation(fingerprint);
    m_links.erase(link);
    if (chat.active != peer) return;
    chat.active = PeerId{};
    chat.outbox.linkDown();
    // A standby connection of the same identity takes over, with the whole stored outbox again.
    for (const auto& [id, other] : m_links) {
        if (other.fingerprint != fingerprint) continue;
        const PeerId standby{id};
        m_run(standby, [this, &chat, &fingerprint, standby](Session& session, SessionActions& out) {
            chat.active = standby;
            chat.activeOutgoing = session.outgoing();
            chat.outbox.linkUp(storedOutbox(fingerprint));
            pump(chat, fingerprint, session, out);
        });
        if (chat.active) return;
    }
}

void ChatService::runTimers(MonoTime now)
{
    // Plain references rather than structured bindings: clang 14 cannot capture bindings in a lambda.
    for (auto& entry : m_conversations) {
        const auto& fingerprint = entry.first;
        auto& chat = entry.second;
        const std::optional<MonoTime> wake = chat.outbox.nextWake(now);
        if (!wake || *wake > now) continue;
        m_run(chat.active, [this, &chat, &fingerprint](Session& session, SessionActions& out) {
            pump(chat, fingerprint, session, out);
        });
    }
}

std::optional<MonoTime> ChatService::nextWake(MonoTime now)
{
    std::optional<MonoTime> earliest;
    for (auto& [fingerprint, chat] : m_conversations) {
        const std::optional<MonoTime> wake = chat.outbox.nextWake(now);
        if (wake && (!earliest || *wake < *earliest)) earliest = wake;
    }
    return earliest;
}

std::optional<PeerId> ChatService::activeConnection(const std::string& fingerprint) const
{
    const auto it = m_conversations.find(fingerprint);
    if (it == m_conversations.end() || !it->second.active) return std::nullopt;
    return it->second.active;
}

} // namespace duet::net
