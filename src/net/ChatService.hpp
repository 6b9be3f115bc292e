#pragma once
// Durable chat: conversations are keyed by the peer's identity (fingerprint), never by a connection.
// Sending stores the message (Queued) before anything goes on the wire; whenever that identity has a
// verified connection, its undelivered messages are sent oldest first (ChatOutbox). Receiving stores the
// message (once per id) before acknowledging it, so a re-send after a lost acknowledgement is shown once.
// Incoming chat above kMaxMessagesPerSecond / kMaxBytesPerSecond (with bursts) closes the connection
// unacknowledged: what the peer sent beyond the limit is dropped here and comes again after reconnecting.
// Two verified connections to one identity: the one dialled by the lower fingerprint stays (both sides
// compute the same), the other is closed.
// Thread: the net thread only. Errors: database failures inside a session input propagate (the net loop
// closes that connection, nothing is acknowledged); failures of commands become event::Error.
#include "duet/core/Clock.hpp"
#include "duet/core/EngineApi.hpp"
#include "duet/net/ChatOutbox.hpp"
#include "duet/net/Session.hpp"
#include "duet/net/TokenBucket.hpp"
#include "duet/profile/ProfileStore.hpp"

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

    // Session hooks, called inside a session input; what to send goes to `out`.
    void onVerified(Session& session, SessionActions& out);
    void onChat(Session& session, const wire::Chat& chat, SessionActions& out);
    void onAck(Session& session, std::uint64_t messageId, SessionActions& out);

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
    };
    struct Link {
        std::string fingerprint;
        TokenBucket messages;
        TokenBucket bytes;
    };

    Conversation& conversation(const std::string& fingerprint);
    void pump(Conversation& conversation, const std::string& fingerprint, Session& session,
              SessionActions& out);
    // Of two connections dialled by different sides, whether the conversation's current one stays.
    bool keepsExisting(const Conversation& conversation, const std::string& fingerprint) const;
    std::vector<OutboxMessage> storedOutbox(const std::string& fingerprint);

    profile::ProfileStore& m_profile;
    const Clock& m_clock;
    std::string m_ownFingerprint;
    Emit m_emit;
    RunOnSession m_run;
    CloseConnection m_close;
    std::map<std::string, Conversation> m_conversations;
    std::unordered_map<std::uint64_t, Link> m_links; // verified connections, by PeerId value
};

// The profile's message state in the engine's vocabulary.
MessageState toEventState(profile::MessageState state);

} // namespace duet::net
