#include "duet/net/ChatService.hpp"

#include <algorithm>
#include <stdexcept>

namespace duet::net {
namespace {

// Both copies of a Chat are at most one channel's backlog apart, far fewer messages than this.
constexpr std::size_t kRecentChatIds = 256;

} // namespace

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
    try {
        m_readReceipts = m_profile.setting(kReadReceiptsSetting).value_or("1") != "0";
        m_typingIndicator = m_profile.setting(kTypingSetting).value_or("1") != "0";
    } catch (const std::exception& e) {
        m_emit(event::Error{PeerId{}, std::string("chat settings: ") + e.what()});
    }
    m_emit(event::ChatOptions{m_readReceipts, m_typingIndicator});
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
    // The peer stops showing us typing when the message arrives; the next keystroke announces it anew.
    conversation(fingerprint).typingSent = false;
    m_pendingSends.push_back(
        PendingSend{peer, profile::OutgoingDraft{fingerprint, messageId, text, m_clock.wallMillis()}});
    if (m_pendingSends.size() >= kMaxSendBatch) flushSends();
}

void ChatService::flush()
{
    flushSends();
    flushMarks();
}

void ChatService::flushSends()
{
    if (m_pendingSends.empty()) return;
    std::vector<PendingSend> sends = std::move(m_pendingSends);
    m_pendingSends.clear();
    std::vector<profile::OutgoingDraft> drafts;
    drafts.reserve(sends.size());
    for (const PendingSend& send : sends)
        drafts.push_back(send.draft);
    std::vector<std::int64_t> rows;
    try {
        rows = m_profile.storeOutgoingBatch(drafts);
    } catch (const std::exception& e) {
        // The transaction rolled back: none of these was stored, none is reported Queued or sent.
        for (const PendingSend& send : sends)
            m_emit(event::Error{send.peer, std::string("cannot store the message: ") + e.what()});
        return;
    }
    std::vector<std::string> online; // conversations to pump, each once
    for (std::size_t i = 0; i < sends.size(); ++i) {
        profile::OutgoingDraft& draft = sends[i].draft;
        if (rows[i] == 0) {
            m_emit(event::Error{sends[i].peer, "cannot store the message: its id was used before"});
            continue;
        }
        Conversation& chat = conversation(draft.peerFingerprint);
        m_emit(event::ChatStateChanged{chat.active, draft.peerFingerprint, draft.messageId,
                                       MessageState::Queued, draft.sentAtMs});
        // Offline: the stored outbox is loaded when the peer is back, so it is not held here twice.
        if (!chat.outbox.online()) continue;
        chat.outbox.add(OutboxMessage{draft.messageId, std::move(draft.text), draft.sentAtMs});
        if (std::find(online.begin(), online.end(), draft.peerFingerprint) == online.end())
            online.push_back(draft.peerFingerprint);
    }
    for (const std::string& fingerprint : online) {
        // The map key outlives the session input; `fingerprint` here is a local vector's element.
        const auto it = m_conversations.find(fingerprint);
        Conversation& chat = it->second;
        const std::string& key = it->first;
        m_run(chat.active,
              [this, &chat, &key](Session& session, SessionActions& out) { pump(chat, key, session, out); });
    }
}

void ChatService::flushMarks()
{
    if (m_pendingMarks.empty()) return;
    std::vector<PendingMark> marks = std::move(m_pendingMarks);
    m_pendingMarks.clear();
    std::vector<profile::StateChange> changes;
    changes.reserve(marks.size());
    for (const PendingMark& mark : marks)
        changes.push_back(mark.change);
    std::vector<bool> moved;
    try {
        moved = m_profile.markStates(changes);
    } catch (const std::exception& e) {
        // The messages stay Queued/Sent in the database: they are re-sent and stored once by the peer.
        return m_emit(event::Error{PeerId{}, std::string("cannot record message states: ") + e.what()});
    }
    for (std::size_t i = 0; i < marks.size(); ++i) {
        if (!moved[i]) continue; // a re-send, or an acknowledgement of a duplicate
        const PendingMark& mark = marks[i];
        const std::uint64_t id = mark.change.messageId;
        if (mark.change.state == profile::MessageState::Sent) {
            m_emit(event::ChatSent{mark.peer, id, mark.timeMs});
            m_emit(event::ChatStateChanged{mark.peer, mark.change.peerFingerprint, id, MessageState::Sent,
                                           mark.timeMs});
        } else {
            m_emit(event::ChatDelivered{mark.peer, id});
            m_emit(event::ChatStateChanged{mark.peer, mark.change.peerFingerprint, id,
                                           MessageState::Delivered, mark.timeMs});
        }
    }
}

void ChatService::sendToIdentity(const command::SendChat& command)
{
    std::optional<profile::KnownPeer> known;
    try {
        known = m_profile.peerByFingerprint(command.toFingerprint);
    } catch (const std::exception& e) {
        return m_emit(event::Error{command.peer, std::string("profile database: ") + e.what()});
    }
    if (!known || !known->verified)
        return m_emit(
            event::Error{command.peer, "cannot send: " + command.toFingerprint + " is not a verified peer"});
    send(command.peer, command.toFingerprint, command.messageId, command.text);
}

void ChatService::loadHistory(const command::LoadHistory& command)
{
    flush(); // the page shows every message sent before this command
    const std::optional<std::string> conversationName =
        conversationOf(command.peer, command.fingerprint, "history");
    if (!conversationName) return;
    const std::string& fingerprint = *conversationName;
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
    if (chat.active && chat.active != session.peer()) {
        // A second dial by the same side is no race: that side restarted (or lost the link) and the old
        // connection has not timed out here yet, so the old one is dead and only holds one of the
        // address's few connection slots. The new one takes over at once, as it does for transfers.
        // Dials from both sides at once are a race, settled by keepsExisting.
        const bool sameDialler = chat.activeOutgoing == session.outgoing();
        const CloseRequest duplicate{wire::CloseReason::Normal, "duplicate connection",
                                     "duplicate connection (another one to this peer is in use)"};
        const CloseRequest replaced{wire::CloseReason::Normal, "replaced by a new connection",
                                    "replaced by a new connection from the same peer"};
        if (!sameDialler && keepsExisting(chat, fingerprint)) {
            out.close = duplicate;
            return;
        }
        const PeerId previous = chat.active;
        chat.active = PeerId{};
        chat.outbox.linkDown();
        m_close(previous, sameDialler ? replaced : duplicate);
    }
    chat.active = session.peer();
    chat.activeOutgoing = session.outgoing();
    chat.outbox.linkUp(storedOutbox(fingerprint));
    pump(chat, fingerprint, session, out);
    // Again on every link: a receipt lost with the previous one is repaired, a repeat changes nothing.
    sendReadReceipt(chat, fingerprint, &session, &out);
}

void ChatService::onChat(Session& session, const wire::Chat& chat, SessionActions& out, ChatCopy copy)
{
    const auto link = m_links.find(session.peer().value);
    // Chat is accepted on every verified connection of the identity: the sender uses one at a time and
    // storage is once per id, so a message that raced a duplicate connection's close is still shown once.
    if (link == m_links.end()) return;
    const std::string fingerprint = link->second.fingerprint;
    auto& recent = link->second.recentChats;
    const auto seen =
        std::find_if(recent.begin(), recent.end(), [&](const auto& r) { return r.first == chat.id; });
    if (seen != recent.end() && (copy == ChatCopy::Echo || seen->second == ChatCopy::Echo)) return;
    if (seen == recent.end()) {
        recent.emplace_back(chat.id, copy);
        if (recent.size() > kRecentChatIds) recent.pop_front();
    }
    if (!takeChatTokens(link->second, static_cast<double>(chat.text.size()))) {
        out.close = CloseRequest{wire::CloseReason::ProtocolError, "chat rate limit exceeded",
                                 "the peer sent chat faster than the limit"};
        return;
    }
    const bool isNew = m_profile.storeIncomingOnce(fingerprint, chat.id, chat.text, chat.sentAtMs);
    session.sendChatRecord(wire::ChatAck{chat.id}, out);
    peerStoppedTyping(conversation(fingerprint), fingerprint);
    if (isNew)
        out.events.push_back(event::ChatReceived{session.peer(), chat.id, session.peerName(), chat.text,
                                                 chat.sentAtMs, fingerprint});
}

bool ChatService::takeChatTokens(Link& link, double bytes)
{
    const MonoTime now = m_clock.now();
    // Both buckets are checked before either is charged, so a refused record costs nothing.
    if (link.messages.waitFor(now) > Millis{0} || link.bytes.waitFor(now, bytes) > Millis{0}) return false;
    return link.messages.tryTake(now) && link.bytes.tryTake(now, bytes);
}

void ChatService::onAck(Session& session, std::uint64_t messageId, SessionActions& out)
{
    const auto link = m_links.find(session.peer().value);
    if (link == m_links.end()) return;
    const std::string fingerprint = link->second.fingerprint;
    Conversation& chat = conversation(fingerprint);
    chat.outbox.acknowledge(messageId);
    // Unknown ids are acknowledgements of re-sent duplicates: the batched mark then moves nothing.
    m_pendingMarks.push_back(
        PendingMark{session.peer(),
                    profile::StateChange{fingerprint, profile::MessageDirection::Outgoing, messageId,
                                         profile::MessageState::Delivered},
                    m_clock.wallMillis()});
    if (chat.active == session.peer()) pump(chat, fingerprint, session, out);
}

void ChatService::pump(Conversation& chat, const std::string& fingerprint, Session& session,
                       SessionActions& out)
{
    const MonoTime now = m_clock.now();
    while (std::optional<OutboxMessage> message = chat.outbox.next(now)) {
        session.sendChatRecord(wire::Chat{message->id, message->sentAtMs, message->text}, out);
        // Only the first send is news (the batched mark moves nothing on a re-send).
        m_pendingMarks.push_back(
            PendingMark{session.peer(),
                        profile::StateChange{fingerprint, profile::MessageDirection::Outgoing, message->id,
                                             profile::MessageState::Sent},
                        message->sentAtMs});
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
    peerStoppedTyping(chat, fingerprint);
    chat.active = PeerId{};
    chat.outbox.linkDown();
    chat.typingSent = false;
    // No other connection takes over: onVerified closes every second connection of an identity, so the
    // next verified one (a redial) starts the conversation again.
}

void ChatService::runTimers(MonoTime now)
{
    flush();
    // Plain references rather than structured bindings: clang 14 cannot capture bindings in a lambda.
    for (auto& entry : m_conversations) {
        const auto& fingerprint = entry.first;
        auto& chat = entry.second;
        if (chat.peerTypingUntil && *chat.peerTypingUntil <= now) peerStoppedTyping(chat, fingerprint);
        const std::optional<MonoTime> wake = chat.outbox.nextWake(now);
        if (!wake || *wake > now) continue;
        m_run(chat.active, [this, &chat, &fingerprint](Session& session, SessionActions& out) {
            pump(chat, fingerprint, session, out);
        });
    }
}

std::optional<MonoTime> ChatService::nextWake(MonoTime now)
{
    if (!m_pendingSends.empty() || !m_pendingMarks.empty()) return now;
    std::optional<MonoTime> earliest;
    for (auto& [fingerprint, chat] : m_conversations) {
        for (const std::optional<MonoTime>& wake : {chat.outbox.nextWake(now), chat.peerTypingUntil})
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
