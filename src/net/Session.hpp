#pragma once
// The secure session of one connection, independent of ENet: handshake, per-channel record streams,
// Hello, the trust decision against the profile, mutual confirmation and chat (PROTOCOL.md §4–§6).
// Every input appends what to do to a SessionActions; the net loop carries it out.
// Thread: the net thread only. Errors: peer data never throws; profile database failures propagate as
// std::runtime_error (the loop reports them and closes the connection).
#include "duet/core/Clock.hpp"
#include "duet/core/EngineApi.hpp"
#include "duet/crypto/Crypto.hpp"
#include "duet/profile/ProfileStore.hpp"

#include <deque>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace duet::net {

class ChatService;

struct OutgoingFrame {
    std::uint8_t channel = 0;
    wire::Bytes frame;
};

// We end the connection: send Close{reason, detail}, disconnect; our user is told `localReason`.
struct CloseRequest {
    wire::CloseReason reason = wire::CloseReason::Normal;
    std::string detail;
    std::string localReason;
};

struct SessionActions {
    std::vector<OutgoingFrame> send;
    std::vector<Event> events;
    std::optional<CloseRequest> close;
    std::optional<std::string> peerClosed; // the peer sent Close; why, in words for our user
    // The reason code of that Close.
    std::optional<wire::CloseReason> peerCloseReason;
    // File transfer input of a verified session, for the transfer layer: control messages from channel 0
    // and Chunk frame bodies from channel 2 (still sealed).
    std::vector<wire::AppMessage> transferMessages;
    std::vector<wire::Bytes> chunkBodies;
};

// What every session of one engine shares. Owned by the net loop; outlives all sessions.
struct SessionContext {
    const crypto::Identity& identity;
    crypto::Random& random;
    profile::ProfileStore& profile;
    const Clock& clock;
    std::string displayName;
    bool autoConfirm = false;
    ChatService* chat = nullptr;    // durable chat (ChatService.hpp); required
    std::uint32_t capabilities = 0; // wire::kCapability* bits this side announces in its Hello
};

// Which chat channel a Chat came on: the chat channel, or the echo channel that carries a second copy.
enum class ChatCopy : std::uint8_t { Primary, Echo };

class Session {
public:
    enum class Role { Initiator, Responder };

    Session(SessionContext& context, PeerId peer, Role role, std::string address);

    // The transport is up: the initiator sends HandshakeInit.
    void start(SessionActions& out);
    // One ENet packet from the peer.
    void onPacket(std::uint8_t channel, wire::ByteSpan packet, SessionActions& out);
    // Our user accepted the verification code (command::ConfirmPeer).
    void confirm(SessionActions& out);
    // A file transfer control message on channel 0 (only once verified; dropped otherwise).
    void sendTransferMessage(const wire::AppMessage& message, SessionActions& out);
    // The handshake's keys; valid once authenticated().
    const crypto::SessionKeys& keys() const { return m_handshake.keys(); }

    // Handshake done and the peer's Hello accepted: the connection is no longer "pending".
    bool authenticated() const { return m_helloReceived; }
    PeerId peer() const { return m_peer; }
    bool outgoing() const { return m_role == Role::Initiator; }
    // Known once the handshake completed (fingerprint) and the Hello arrived (name).
    const std::string& peerFingerprint() const { return m_peerFingerprint; }
    const std::string& peerName() const { return m_peerName; }
    // The capabilities both Hellos announced (0 before the peer's Hello).
    std::uint32_t sharedCapabilities() const { return m_context.capabilities & m_peerCapabilities; }
    // Seals a chat-channel message (Chat, ChatAck) for a verified session; used by ChatService. A Chat also
    // goes on the echo channel when both sides offer it, so one lost datagram does not hold it up.
    void sendChatRecord(const wire::AppMessage& message, SessionActions& out);
    bool verified() const { return m_verified; }
    bool closed() const { return m_closed; }
    int badPackets() const { return m_badPackets; }

private:
    void onHandshakeFrame(wire::FrameType type, wire::ByteSpan body, SessionActions& out);
    void onHandshakeComplete(SessionActions& out);
    void onRecord(std::uint8_t channel, wire::ByteSpan body, SessionActions& out);
    void onControlMessage(const wire::AppMessage& message, SessionActions& out);
    void onChatMessage(const wire::AppMessage& message, SessionActions& out);
    void onHello(const wire::Hello& hello, SessionActions& out);
    wire::Hello ownHello() const { return {m_context.displayName, m_context.capabilities}; }
    void onPeerConfirmed(SessionActions& out);
    void acceptChat(const wire::Chat& chat, SessionActions& out); // from the chat channel
    void confirmLocally(bool pinKey, SessionActions& out);
    void checkVerified(SessionActions& out);
    void sendRecord(std::uint8_t channel, const wire::AppMessage& message, SessionActions& out);
    void dropBadPacket(const std::string& why, SessionActions& out);
    void fail(wire::CloseReason reason, const std::string& why, SessionActions& out);
    profile::KnownPeer knownPeerRecord(bool verified) const;

    SessionContext& m_context;
    PeerId m_peer;
    Role m_role;
    std::string m_address;
    crypto::Handshake m_handshake;

    std::optional<crypto::StreamSealer> m_sendControl;
    std::optional<crypto::StreamSealer> m_sendChat;
    std::optional<crypto::StreamOpener> m_openControl;
    std::optional<crypto::StreamOpener> m_openChat;
    std::optional<crypto::StreamSealer> m_sendChatEcho;
    std::optional<crypto::StreamOpener> m_openChatEcho;

    std::string m_peerFingerprint;
    std::string m_peerName;
    std::uint32_t m_peerCapabilities = 0;
    bool m_helloSent = false;
    bool m_helloReceived = false;
    bool m_weConfirmed = false;
    bool m_theyConfirmed = false;
    bool m_verified = false;
    bool m_closed = false;
    int m_badPackets = 0;

    // Chat records may overtake the PeerConfirmed that allowed them (channels are ordered only within
    // themselves); the few that do wait here until it arrives.
    std::vector<wire::Chat> m_earlyChats;
    std::optional<std::uint64_t> m_earlyRead; // a ChatRead that overtook PeerConfirmed
};

} // namespace duet::net

namespace duet::net {

// A close reason in words, e.g. "busy" or "key mismatch".
std::string describeCloseReason(wire::CloseReason reason);
// Peer-chosen text with ASCII control characters (terminal escapes included) replaced by '?'.
std::string withoutControlCharacters(std::string text);

} // namespace duet::net
