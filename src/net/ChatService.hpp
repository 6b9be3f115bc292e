#pragma once
// Durable chat: conversations are keyed by the peer's identity (fingerprint), never by a connection.
// Sending stores the message (Queued) before anything goes on the wire; whenever that identity has a
// verified connection, its undelivered messages are sent oldest first (ChatOutbox). Receiving stores the
// message (once per id) before acknowledging it, so a re-send after a lost acknowledgement is shown once.
// Incoming chat above kMaxMessagesPerSecond / kMaxBytesPerSecond (with bursts) closes the connection
// unacknowledged: what the peer sent beyond the limit is dropped here and comes again after reconnecting.
// Two verified connections to one identity: dialled by the same side, the newer replaces the older (that
// side restarted); dialled by both sides at once, the one dialled by the lower fingerprint stays (both
// sides compute the same). The other is closed.
// Sends are batched: a SendChat is stored (one fully synchronous transaction per batch, see
// ProfileStore::storeOutgoingBatch) when the net loop next runs the timers, at the latest after
// kMaxSendBatch sends, and only then reported Queued and put on the wire. State marks (Sent, Delivered)
// are batched the same way: a crash before the mark only re-sends a message the peer stores once.
// Read receipts (ChatRead) and typing (Typing) follow PROTOCOL.md §4.6 and the user's ChatOptions.
// Thread: the net thread only. Errors: database failures inside a session input propagate (the net loop
// closes that connection, nothing is acknowledged); failures of commands become event::Error.
#include "duet/core/Clock.hpp"
#include "duet/core/EngineApi.hpp"
#include "duet/net/ChatOutbox.hpp"
#include "duet/net/Session.hpp"
#include "duet/net/TokenBucket.hpp"
#include "duet/profile/ProfileStore.hpp"

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

namespace duet::net {

class ChatService {
public:
    static constexpr double kMaxMessagesPerSecond = 1000;
    static constexpr double kMessageBurst = 2000;
    static constexpr double kMaxBytesPerSecond = 8.0 * 1024 * 1024;
    static constexpr double kByteBurst = 16.0 * 1024 * 1024;
    static constexpr std::uint32_t kMaxHistoryPage = 1000;
    static constexpr std::size_t kMaxSendBatch = 1000;
    static constexpr Millis kTypingRefresh{3000}; // at most one Typing{1} per conversation this often
    static constexpr Millis kTypingExpiry{6000};  // a peer's typing shown this long without a refresh
    static constexpr const char* kReadReceiptsSetting = "chat.read_receipts";
    static constexpr const char* kTypingSetting = "chat.typing_indicator";

    using SessionInput = std::function<void(Session&, SessionActions&)>;
    // Runs an input on the session of a live connection (nothing when it is gone or closing).
    using RunOnSession = std::function<void(PeerId, const SessionInput&)>;
    using CloseConnection = std::function<void(PeerId, const CloseRequest&)>;
    using Emit = std::function<void(Event)>;

    ChatService(profile::ProfileStore& profile, const Clock& clock, std::string ownFingerprint, Emit emit,
                RunOnSession run, CloseConnection close);

    // command::SendChat for an identity the caller resolved; `peer` only labels errors.
    void send(PeerId peer, const std::string& fingerprint, std::uint64_t messageId, const std::string& text);
    // command::SendChat addressed by fingerprint: the peer must be pinned (it may be offline).
    void sendToIdentity(const command::SendChat& command);
    void loadHistory(const command::LoadHistory& command);
    // ChatServiceHistory.cpp
    void searchHistory(const command::SearchHistory& command);
    void clearHistory(const command::ClearHistory& command);
    void exportHistory(const command::ExportHistory& command);
    // ChatServiceReceipts.cpp
    void markRead(const command::MarkRead& command);
    void setTyping(const command::SetTyping& command);
    void setOptions(const command::SetChatOptions& command);
    // Stores the batched sends and state marks now (also run by runTimers and before shutting down).
    // Database failures become event::Error.
    void flush();

    // Session hooks, called inside a session input; what to send goes to `out`.
    void onVerified(Session& session, SessionActions& out);
    // `copy`: which chat channel it came on. The first copy of an id on a link is taken; a later echo
    // is dropped, and so is a primary copy after its echo was taken (both were acknowledged already).
    // A primary copy taken before is a re-send after a lost acknowledgement: acknowledged again.
    void onChat(Session& session, const wire::Chat& chat, SessionActions& out, ChatCopy copy);
    void onAck(Session& session, std::uint64_t messageId, SessionActions& out);
    void onRead(Session& session, std::uint64_t upToMessageId, SessionActions& out);
    void onTyping(Session& session, bool active, SessionActions& out);

    // Any connection ended (verified or not).
    void onConnectionGone(PeerId peer);
    void runTimers(MonoTime now);
    std::optional<MonoTime> nextWake(MonoTime now);
    // The verified connection carrying this identity's chat, if any.
    std::optional<PeerId> activeConnection(const std::string& fingerprint) const;

private:
    struct Conversation {
        explicit Conversation(MonoTime now) : outbox(now) {}
        PeerId active;               // zero while offline
        bool activeOutgoing = false; // we dialled the active connection
        ChatOutbox outbox;
        bool typingSent = false; // our last Typing on the active link said "typing"
        MonoTime typingSentAt{};
        std::optional<MonoTime> peerTypingUntil; // set while the peer is shown typing
    };
    struct PendingSend {
        PeerId peer; // labels errors
        profile::OutgoingDraft draft;
    };
    struct PendingMark {
        PeerId peer;
        profile::StateChange change;
        std::int64_t timeMs = 0;
    };
    struct Link {
        std::string fingerprint;
        TokenBucket messages;
        TokenBucket bytes;
        // The last Chats taken on this link and the channel each came on first: the other copy is
        // dropped before the rate limit counts it twice.
        std::deque<std::pair<std::uint64_t, ChatCopy>> recentChats{};
    };

    Conversation& conversation(const std::string& fingerprint);
    void pump(Conversation& conversation, const std::string& fingerprint, Session& session,
              SessionActions& out);
    // Of two connections dialled by different sides, whether the conversation's current one stays.
    bool keepsExisting(const Conversation& conversation, const std::string& fingerprint) const;
    std::vector<OutboxMessage> storedOutbox(const std::string& fingerprint);
    void flushSends();
    void flushMarks();
    // The conversation a command names (its fingerprint, else its verified connection's), or an Error.
    std::optional<std::string> conversationOf(PeerId peer, const std::string& fingerprint, const char* what);
    // Sends one chat-channel record to the conversation's active link, if it has one.
    void sendToActive(const Conversation& chat, const wire::AppMessage& message);
    void sendReadReceipt(const Conversation& chat, const std::string& fingerprint, Session* session,
                         SessionActions* out);
    void peerStoppedTyping(Conversation& chat, const std::string& fingerprint);
    bool takeChatTokens(Link& link, double bytes);

    profile::ProfileStore& m_profile;
    const Clock& m_clock;
    std::string m_ownFingerprint;
    Emit m_emit;
    RunOnSession m_run;
    CloseConnection m_close;
    std::map<std::string, Conversation> m_conversations;
    std::unordered_map<std::uint64_t, Link> m_links; // verified connections, by PeerId value
    std::vector<PendingSend> m_pendingSends;         // validated, not yet stored
    std::vector<PendingMark> m_pendingMarks;         // Sent/Delivered marks not yet stored, in order
    bool m_readReceipts = true;
    bool m_typingIndicator = true;
};

// The profile's message state in the engine's vocabulary.
MessageState toEventState(profile::MessageState state);

} // namespace duet::net
