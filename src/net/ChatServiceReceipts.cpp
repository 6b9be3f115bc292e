// Read receipts, typing indicators and the chat privacy options (PROTOCOL.md §4.6).
#include "duet/net/ChatService.hpp"

namespace duet::net {

std::optional<std::string> ChatService::conversationOf(PeerId peer, const std::string& fingerprint,
                                                       const char* what)
{
    if (!fingerprint.empty()) return fingerprint;
    const auto link = m_links.find(peer.value);
    if (link == m_links.end()) {
        m_emit(event::Error{peer, std::string(what) + ": not a verified peer"});
        return std::nullopt;
    }
    return link->second.fingerprint;
}

void ChatService::sendToActive(const Conversation& chat, const wire::AppMessage& message)
{
    if (!chat.active) return;
    m_run(chat.active,
          [&message](Session& session, SessionActions& out) { session.sendChatRecord(message, out); });
}

void ChatService::sendReadReceipt(const Conversation& chat, const std::string& fingerprint, Session* session,
                                  SessionActions* out)
{
    if (!m_readReceipts) return;
    const std::optional<std::uint64_t> newest = m_profile.newestReadIncoming(fingerprint);
    if (!newest) return;
    const wire::ChatRead receipt{*newest};
    if (session != nullptr && out != nullptr)
        session->sendChatRecord(receipt, *out);
    else
        sendToActive(chat, receipt);
}

void ChatService::markRead(const command::MarkRead& command)
{
    const std::optional<std::string> fingerprint = conversationOf(command.peer, command.fingerprint, "read");
    if (!fingerprint) return;
    try {
        // Nothing new read: no receipt (the newest one already went, or goes on the next reconnection).
        if (m_profile.markIncomingRead(*fingerprint) == 0) return;
        const auto it = m_conversations.find(*fingerprint);
        if (it != m_conversations.end()) sendReadReceipt(it->second, *fingerprint, nullptr, nullptr);
    } catch (const std::exception& e) {
        m_emit(event::Error{command.peer, std::string("read: ") + e.what()});
    }
}

void ChatService::onRead(Session& session, std::uint64_t upToMessageId, SessionActions& out)
{
    const auto link = m_links.find(session.peer().value);
    if (link == m_links.end()) return;
    if (!takeChatTokens(link->second, 0)) {
        out.close = CloseRequest{wire::CloseReason::ProtocolError, "chat rate limit exceeded",
                                 "the peer sent read receipts faster than the limit"};
        return;
    }
    const std::string fingerprint = link->second.fingerprint;
    // Pending Sent/Delivered marks first, so the states are reported in lifecycle order.
    flushMarks();
    const std::int64_t now = m_clock.wallMillis();
    for (const std::uint64_t id : m_profile.markOutgoingReadUpTo(fingerprint, upToMessageId))
        out.events.push_back(
            event::ChatStateChanged{session.peer(), fingerprint, id, MessageState::Read, now});
}

void ChatService::setTyping(const command::SetTyping& command)
{
    if (!m_typingIndicator) return;
    const std::optional<std::string> fingerprint =
        conversationOf(command.peer, command.fingerprint, "typing");
    if (!fingerprint) return;
    Conversation& chat = conversation(*fingerprint);
    if (!chat.active) return; // offline: nobody to tell; typing is never queued
    const MonoTime now = m_clock.now();
    if (command.typing) {
        if (chat.typingSent && now - chat.typingSentAt < kTypingRefresh) return;
        chat.typingSent = true;
        chat.typingSentAt = now;
        sendToActive(chat, wire::Typing{true});
    } else if (chat.typingSent) {
        chat.typingSent = false;
        sendToActive(chat, wire::Typing{false});
    }
}

void ChatService::onTyping(Session& session, bool active, SessionActions& out)
{
    const auto link = m_links.find(session.peer().value);
    if (link == m_links.end()) return;
    if (!takeChatTokens(link->second, 0)) {
        out.close = CloseRequest{wire::CloseReason::ProtocolError, "chat rate limit exceeded",
                                 "the peer sent typing notices faster than the limit"};
        return;
    }
    if (!m_typingIndicator) return;
    const std::string fingerprint = link->second.fingerprint;
    Conversation& chat = conversation(fingerprint);
    if (!active) return peerStoppedTyping(chat, fingerprint);
    const bool wasTyping = chat.peerTypingUntil.has_value();
    chat.peerTypingUntil = m_clock.now() + kTypingExpiry;
    // A refresh only extends the deadline; the front end hears about changes.
    if (!wasTyping) out.events.push_back(event::PeerTyping{session.peer(), fingerprint, true});
}

void ChatService::peerStoppedTyping(Conversation& chat, const std::string& fingerprint)
{
    if (!chat.peerTypingUntil) return;
    chat.peerTypingUntil.reset();
    m_emit(event::PeerTyping{chat.active, fingerprint, false});
}

void ChatService::setOptions(const command::SetChatOptions& command)
{
    m_readReceipts = command.readReceipts.value_or(m_readReceipts);
    m_typingIndicator = command.typingIndicator.value_or(m_typingIndicator);
    try {
        m_profile.setSetting(kReadReceiptsSetting, m_readReceipts ? "1" : "0");
        m_profile.setSetting(kTypingSetting, m_typingIndicator ? "1" : "0");
    } catch (const std::exception& e) {
        // Applied for this run all the same: the user asked for less disclosure, never refuse that.
        m_emit(event::Error{PeerId{}, std::string("chat settings not saved: ") + e.what()});
    }
    if (!m_typingIndicator) {
        for (auto& entry : m_conversations) {
            Conversation& chat = entry.second;
            if (chat.typingSent) sendToActive(chat, wire::Typing{false});
            chat.typingSent = false;
            peerStoppedTyping(chat, entry.first);
        }
    }
    m_emit(event::ChatOptions{m_readReceipts, m_typingIndicator});
}

} // namespace duet::net
