#include "duet/net/Session.hpp"

#include "duet/crypto/Hashing.hpp"
#include "duet/net/ChatService.hpp"
#include "duet/net/Limits.hpp"

#include <type_traits>
#include <utility>

namespace duet::net {
namespace {

constexpr std::size_t kMaxEarlyChats = 16;

// The echo channel's stream has its own key, so it shares no nonce with the chat stream.
crypto::Key32 chatEchoKey(const crypto::Key32& chatKey)
{
    return crypto::labelledKey("duet-chat-echo-v1", chatKey);
}

bool isTransferMessage(const wire::AppMessage& message)
{
    return !std::holds_alternative<wire::Hello>(message) &&
           !std::holds_alternative<wire::PeerConfirmed>(message) &&
           !std::holds_alternative<wire::Chat>(message) && !std::holds_alternative<wire::ChatAck>(message) &&
           !std::holds_alternative<wire::ChatRead>(message) && !std::holds_alternative<wire::Typing>(message);
}

} // namespace

std::string withoutControlCharacters(std::string text)
{
    for (char& c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) c = '?';
    }
    return text;
}

std::string describeCloseReason(wire::CloseReason reason)
{
    switch (reason) {
    case wire::CloseReason::Normal:
        return "closed normally";
    case wire::CloseReason::ProtocolError:
        return "protocol error";
    case wire::CloseReason::VersionUnsupported:
        return "protocol version not supported";
    case wire::CloseReason::HandshakeFailed:
        return "handshake failed";
    case wire::CloseReason::NotAccepting:
        return "not accepting connections";
    case wire::CloseReason::Busy:
        return "busy";
    case wire::CloseReason::UserRejected:
        return "rejected by the user";
    case wire::CloseReason::KeyMismatch:
        return "key mismatch";
    }
    return "unknown reason";
}

Session::Session(SessionContext& context, PeerId peer, Role role, std::string address)
    : m_context(context), m_peer(peer), m_role(role), m_address(std::move(address)),
      m_handshake(role == Role::Initiator ? crypto::Handshake::Role::Initiator
                                          : crypto::Handshake::Role::Responder,
                  context.identity, context.random)
{
}

void Session::start(SessionActions& out)
{
    crypto::Handshake::Step step = m_handshake.start();
    for (wire::Bytes& frame : step.send)
        out.send.push_back({kControlChannel, std::move(frame)});
    if (step.failed) fail(wire::CloseReason::HandshakeFailed, step.error, out);
}

void Session::onPacket(std::uint8_t channel, wire::ByteSpan packet, SessionActions& out)
{
    if (m_closed) return;
    wire::Result<wire::FrameView> frame = wire::decodeFrame(packet);
    if (!frame)
        return dropBadPacket("undecodable frame (" + std::string(wire::describe(frame.error())) + ")", out);
    const wire::FrameType type = frame->type;
    const wire::ByteSpan body = frame->body;
    switch (type) {
    case wire::FrameType::Close: {
        wire::Result<wire::Close> close = wire::decodeClose(body);
        if (!close) return dropBadPacket("undecodable Close frame", out);
        m_closed = true;
        std::string reason = "peer closed the connection: " + describeCloseReason(close->reason);
        if (!close->detail.empty()) reason += " (" + withoutControlCharacters(close->detail) + ")";
        out.peerClosed = std::move(reason);
        out.peerCloseReason = close->reason;
        return;
    }
    case wire::FrameType::HandshakeInit:
    case wire::FrameType::HandshakeReply:
    case wire::FrameType::HandshakeReveal:
    case wire::FrameType::HandshakeFinish:
        if (channel != kControlChannel)
            return dropBadPacket("handshake frame outside the control channel", out);
        if (m_handshake.complete()) return dropBadPacket("handshake frame after the handshake", out);
        return onHandshakeFrame(type, body, out);
    case wire::FrameType::Record:
        if (!m_handshake.complete()) return dropBadPacket("record before the handshake completed", out);
        return onRecord(channel, body, out);
    case wire::FrameType::Chunk:
        if (channel != kDataChannel || !m_verified)
            return dropBadPacket("file data outside a verified data channel", out);
        out.chunkBodies.emplace_back(body.begin(), body.end());
        return;
    case wire::FrameType::BulkData:
    case wire::FrameType::BulkAck:
        // The net loop hands kBulkChannel packets to the connection's BulkLink; never to the session.
        return dropBadPacket("bulk datagram outside the bulk channel", out);
    case wire::FrameType::StreamChunk:
        // Clear file data is safe only inside the sealed bulk stream, which the net loop unpacks itself.
        return dropBadPacket("clear file data outside the bulk stream", out);
    }
    dropBadPacket("unknown frame type", out);
}

void Session::onHandshakeFrame(wire::FrameType type, wire::ByteSpan body, SessionActions& out)
{
    crypto::Handshake::Step step = m_handshake.onFrame(type, body);
    for (wire::Bytes& frame : step.send)
        out.send.push_back({kControlChannel, std::move(frame)});
    if (step.failed) return fail(wire::CloseReason::HandshakeFailed, step.error, out);
    if (m_handshake.complete()) onHandshakeComplete(out);
}

void Session::onHandshakeComplete(SessionActions& out)
{
    const crypto::SessionKeys& keys = m_handshake.keys();
    m_sendControl.emplace(keys.send.control);
    m_sendChat.emplace(keys.send.chat);
    m_openControl.emplace(keys.receive.control);
    m_openChat.emplace(keys.receive.chat);
    m_sendChatEcho.emplace(chatEchoKey(keys.send.chat));
    m_openChatEcho.emplace(chatEchoKey(keys.receive.chat));
    m_peerFingerprint = m_handshake.peerFingerprint();
    if (m_handshake.peerIdentity() == m_context.identity.publicKey())
        return fail(wire::CloseReason::ProtocolError, "connected to itself", out);
    // The responder completes first; it must not send a record the initiator could receive before its
    // own handshake is done, so only the initiator speaks now (PROTOCOL.md §4 step 3).
    if (m_role == Role::Initiator) {
        sendRecord(kControlChannel, ownHello(), out);
        m_helloSent = true;
    }
}

void Session::onRecord(std::uint8_t channel, wire::ByteSpan body, SessionActions& out)
{
    std::optional<crypto::StreamOpener>* opener = nullptr;
    if (channel == kControlChannel) opener = &m_openControl;
    if (channel == kChatChannel) opener = &m_openChat;
    if (channel == kChatEchoChannel) opener = &m_openChatEcho;
    if (opener == nullptr) return dropBadPacket("record on an unexpected channel", out);
    std::optional<wire::Bytes> plaintext = (*opener)->open(body);
    if (!plaintext) return dropBadPacket("record failed to authenticate", out);
    wire::Result<wire::AppMessage> message = wire::decodeApp(*plaintext);
    if (!message) {
        const std::string_view what = wire::describe(message.error());
        // Authenticated, so not line noise: the peer's own software sent it. The user hears of it (at most
        // kMaxBadPackets times before the session closes); a type from a newer version stays quiet.
        if (message.error() == wire::DecodeError::Oversized)
            out.events.push_back(event::Error{m_peer, "ignored a message from the peer over Duet's limits "
                                                      "(such as an offer of more than 100,000 entries)"});
        else if (message.error() != wire::DecodeError::UnknownType)
            out.events.push_back(event::Error{
                m_peer, "ignored a message from the peer that Duet cannot read (" + std::string(what) + ")"});
        return dropBadPacket("undecodable message (" + std::string(what) + ")", out);
    }
    if (isTransferMessage(*message)) {
        if (channel != kControlChannel || !m_verified)
            return dropBadPacket("file transfer message before verification or off the control channel", out);
        out.transferMessages.push_back(std::move(*message));
        return;
    }
    if (channel == kChatEchoChannel) {
        // Only copies of Chat travel here. Before verification the copy on channel 1 has the rules.
        if (!std::holds_alternative<wire::Chat>(*message))
            return dropBadPacket("a message other than Chat on the chat echo channel", out);
        if (m_verified) m_context.chat->onChat(*this, std::get<wire::Chat>(*message), out, ChatCopy::Echo);
        return;
    }
    if (channel == kControlChannel)
        onControlMessage(*message, out);
    else
        onChatMessage(*message, out);
}

void Session::onControlMessage(const wire::AppMessage& message, SessionActions& out)
{
    if (const auto* hello = std::get_if<wire::Hello>(&message)) return onHello(*hello, out);
    if (!m_helloReceived) return fail(wire::CloseReason::ProtocolError, "first message was not Hello", out);
    if (std::holds_alternative<wire::PeerConfirmed>(message)) return onPeerConfirmed(out);
    fail(wire::CloseReason::ProtocolError, "chat message on the control channel", out);
}

void Session::onChatMessage(const wire::AppMessage& message, SessionActions& out)
{
    if (const auto* chat = std::get_if<wire::Chat>(&message)) {
        if (m_verified) return acceptChat(*chat, out);
        // The peer may chat only after it has our PeerConfirmed, so before we confirmed it is an error;
        // after, its own PeerConfirmed may simply be late on the other channel.
        if (!m_weConfirmed) return fail(wire::CloseReason::ProtocolError, "chat before confirmation", out);
        if (m_earlyChats.size() >= kMaxEarlyChats)
            return fail(wire::CloseReason::ProtocolError, "too much chat before confirmation", out);
        m_earlyChats.push_back(*chat);
        return;
    }
    if (const auto* ack = std::get_if<wire::ChatAck>(&message)) {
        if (m_verified) m_context.chat->onAck(*this, ack->id, out);
        return;
    }
    // A receipt may overtake the PeerConfirmed that allowed it, like a Chat: the newest one waits.
    // Typing that races it is dropped (it is refreshed anyway).
    if (const auto* read = std::get_if<wire::ChatRead>(&message)) {
        if (m_verified) return m_context.chat->onRead(*this, read->upToId, out);
        if (m_weConfirmed) m_earlyRead = read->upToId;
        return;
    }
    if (const auto* typing = std::get_if<wire::Typing>(&message)) {
        if (m_verified) m_context.chat->onTyping(*this, typing->active, out);
        return;
    }
    fail(wire::CloseReason::ProtocolError, "control message on the chat channel", out);
}

void Session::onHello(const wire::Hello& hello, SessionActions& out)
{
    if (m_helloReceived) return fail(wire::CloseReason::ProtocolError, "second Hello", out);
    m_helloReceived = true;
    m_peerName = hello.displayName;
    m_peerCapabilities = hello.capabilities;
    profile::ProfileStore& store = m_context.profile;
    const std::optional<profile::KnownPeer> known = store.peerByFingerprint(m_peerFingerprint);
    const bool pinned = known && known->verified;
    if (!pinned) {
        // A new key under the name or host of a peer the user verified: possibly an impersonator.
        for (const profile::KnownPeer& other : store.verifiedPeersMatching(m_peerName, m_address)) {
            if (other.fingerprint == m_peerFingerprint) continue;
            out.events.push_back(
                event::PeerKeyChanged{m_peer, m_peerName, m_address, other.fingerprint, m_peerFingerprint});
            return fail(wire::CloseReason::KeyMismatch,
                        "the key differs from the one pinned for " + other.displayName, out);
        }
    }
    store.recordSeen(m_peerFingerprint, m_handshake.peerIdentity(), m_peerName, m_address,
                     m_context.clock.wallMillis());
    if (!m_helloSent) {
        sendRecord(kControlChannel, ownHello(), out);
        m_helloSent = true;
    }
    out.events.push_back(event::PeerConnected{m_peer, m_peerName, m_address, m_peerFingerprint,
                                              m_handshake.verificationCode(),
                                              pinned ? Trust::Verified : Trust::Unverified});
    if (pinned)
        confirmLocally(false, out);
    else if (m_context.autoConfirm)
        confirmLocally(true, out);
}

void Session::onPeerConfirmed(SessionActions& out)
{
    if (m_theyConfirmed) return fail(wire::CloseReason::ProtocolError, "second PeerConfirmed", out);
    m_theyConfirmed = true;
    checkVerified(out);
}

void Session::confirm(SessionActions& out)
{
    if (m_closed) {
        out.events.push_back(event::Error{m_peer, "the connection is closing"});
        return;
    }
    if (!m_helloReceived) {
        out.events.push_back(event::Error{m_peer, "cannot confirm yet: the handshake is still running"});
        return;
    }
    confirmLocally(true, out);
}

void Session::confirmLocally(bool pinKey, SessionActions& out)
{
    if (m_weConfirmed) return;
    if (pinKey) m_context.profile.pinPeer(knownPeerRecord(true));
    m_weConfirmed = true;
    sendRecord(kControlChannel, wire::PeerConfirmed{}, out);
    checkVerified(out);
}

void Session::checkVerified(SessionActions& out)
{
    if (m_verified || !m_weConfirmed || !m_theyConfirmed) return;
    m_verified = true;
    out.events.push_back(event::PeerVerified{m_peer});
    m_context.chat->onVerified(*this, out);
    std::vector<wire::Chat> early = std::move(m_earlyChats);
    m_earlyChats.clear();
    for (const wire::Chat& chat : early)
        acceptChat(chat, out);
    if (m_earlyRead) m_context.chat->onRead(*this, *std::exchange(m_earlyRead, std::nullopt), out);
}

void Session::acceptChat(const wire::Chat& chat, SessionActions& out)
{
    // Stored once per id before the acknowledgement (ChatService).
    m_context.chat->onChat(*this, chat, out, ChatCopy::Primary);
}

void Session::sendChatRecord(const wire::AppMessage& message, SessionActions& out)
{
    if (m_closed || !m_verified) return;
    sendRecord(kChatChannel, message, out);
    // The copy rides its own ordered channel: when a datagram of one channel is lost, the other one still
    // delivers, so a lossy path costs a message one trip instead of a retransmission timeout.
    if (std::holds_alternative<wire::Chat>(message) &&
        (sharedCapabilities() & wire::kCapabilityChatEcho) != 0)
        sendRecord(kChatEchoChannel, message, out);
}

void Session::sendTransferMessage(const wire::AppMessage& message, SessionActions& out)
{
    if (m_closed || !m_verified) return;
    sendRecord(kControlChannel, message, out);
}

void Session::sendRecord(std::uint8_t channel, const wire::AppMessage& message, SessionActions& out)
{
    crypto::StreamSealer& sealer = channel == kControlChannel    ? *m_sendControl
                                   : channel == kChatEchoChannel ? *m_sendChatEcho
                                                                 : *m_sendChat;
    const wire::Bytes body = sealer.seal(wire::encodeApp(message));
    out.send.push_back({channel, wire::encodeFrame(wire::FrameType::Record, body)});
}

void Session::dropBadPacket(const std::string& why, SessionActions& out)
{
    ++m_badPackets;
    if (m_badPackets >= kMaxBadPackets)
        fail(wire::CloseReason::ProtocolError,
             "too many bad packets (" + std::to_string(m_badPackets) + "), last: " + why, out);
}

void Session::fail(wire::CloseReason reason, const std::string& why, SessionActions& out)
{
    if (m_closed) return;
    m_closed = true;
    // The peer learns which rule it broke, except on a key mismatch: an impersonator is not told whose
    // name or address it collided with.
    std::string detail = reason == wire::CloseReason::KeyMismatch ? std::string() : why;
    out.close = CloseRequest{reason, std::move(detail), describeCloseReason(reason) + ": " + why};
}

profile::KnownPeer Session::knownPeerRecord(bool verified) const
{
    const std::int64_t now = m_context.clock.wallMillis();
    profile::KnownPeer peer;
    peer.fingerprint = m_peerFingerprint;
    peer.publicKey = m_handshake.peerIdentity();
    peer.displayName = m_peerName;
    peer.lastAddress = m_address;
    peer.firstSeenMs = now;
    peer.lastSeenMs = now;
    peer.verified = verified;
    return peer;
}

} // namespace duet::net
