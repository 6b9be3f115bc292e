#pragma once
// Wire format v1 messages. Handshake frames travel in plaintext; application messages travel inside
// encrypted records (FrameType::Record) and are encoded as: type u8 | body.
// All decoders are pure, total functions: any input yields a value or a DecodeError.
#include "duet/wire/Chunk.hpp"
#include "duet/wire/Frame.hpp"
#include "duet/wire/TransferMessages.hpp"

#include <array>
#include <string>
#include <variant>

namespace duet::wire {

using Key32 = std::array<std::uint8_t, 32>;
// AEAD(handshake key, identity public key 32 | Ed25519 signature 64) = 96 + 16-byte tag.
inline constexpr std::size_t kSealedIdentitySize = 112;
using SealedIdentity = std::array<std::uint8_t, kSealedIdentitySize>;

inline constexpr std::uint8_t kSuiteX25519Ed25519XChaCha = 1;
inline constexpr std::size_t kMaxDisplayName = 64;     // bytes of UTF-8
inline constexpr std::size_t kMaxChatText = 64 * 1024; // bytes of UTF-8
inline constexpr std::size_t kMaxCloseDetail = 256;

// ---- Handshake (plaintext frames) ----
struct HandshakeInit {
    std::uint8_t suite = kSuiteX25519Ed25519XChaCha;
    Key32 commitment{}; // BLAKE2b-256 of the initiator's ephemeral public key
};
struct HandshakeReply {
    Key32 ephemeral{};
};
struct HandshakeReveal {
    Key32 ephemeral{};
    SealedIdentity identity{};
};
struct HandshakeFinish {
    SealedIdentity identity{};
};

enum class CloseReason : std::uint16_t {
    Normal = 0,
    ProtocolError = 1,
    VersionUnsupported = 2,
    HandshakeFailed = 3,
    NotAccepting = 4,
    Busy = 5,
    UserRejected = 6,
    KeyMismatch = 7,
};
struct Close {
    CloseReason reason = CloseReason::Normal;
    std::string detail; // UTF-8, at most kMaxCloseDetail bytes
};

Bytes encode(const HandshakeInit& m);
Bytes encode(const HandshakeReply& m);
Bytes encode(const HandshakeReveal& m);
Bytes encode(const HandshakeFinish& m);
Bytes encode(const Close& m);
Result<HandshakeInit> decodeHandshakeInit(ByteSpan body);
Result<HandshakeReply> decodeHandshakeReply(ByteSpan body);
Result<HandshakeReveal> decodeHandshakeReveal(ByteSpan body);
Result<HandshakeFinish> decodeHandshakeFinish(ByteSpan body);
Result<Close> decodeClose(ByteSpan body);

// ---- Application messages (inside encrypted records) ----
enum class AppType : std::uint8_t {
    Hello = 0x20,
    PeerConfirmed = 0x21,
    Chat = 0x22,
    ChatAck = 0x23,
    ChatRead = 0x24,
    Typing = 0x25,
    Offer = 0x30,
    OfferReply = 0x31,
    FileRequest = 0x32,
    ChunkAck = 0x33,
    FileDone = 0x34,
    FileResult = 0x35,
    TransferControl = 0x36,
};

struct Hello {
    std::string displayName;
    std::uint32_t capabilities = 0; // kCapability* bits; unknown bits are ignored
};
// This side can seal bulk datagrams with AES-256-GCM in hardware; used when both sides set it.
inline constexpr std::uint32_t kCapabilityBulkAesGcm = 1u << 0;
// This side sends every Chat a second time on the chat echo channel and accepts it there (PROTOCOL.md §3.1).
inline constexpr std::uint32_t kCapabilityChatEcho = 1u << 1;
// This side sends and accepts bulk frames straight on the UDP socket, outside ENet (PROTOCOL.md §11.8).
inline constexpr std::uint32_t kCapabilityRawBulk = 1u << 2;
// This side reads raw bulk datagrams of up to kMaxRawBulkDatagram bytes, so the peer may probe the path
// for slices larger than kMaxBulkSlice (PROTOCOL.md §11.9).
inline constexpr std::uint32_t kCapabilityLargeBulk = 1u << 3;
// This side reads BulkData in the compact raw format (marker 0x7F, PROTOCOL.md §11.10).
inline constexpr std::uint32_t kCapabilityCompactBulk = 1u << 4;
// The sender's user compared the verification code and accepted it.
struct PeerConfirmed {};
struct Chat {
    std::uint64_t id = 0;
    std::int64_t sentAtMs = 0; // sender's wall clock, Unix milliseconds
    std::string text;
};
struct ChatAck {
    std::uint64_t id = 0;
};
// The receiver's user has seen every message of this conversation up to and including Chat `upToId`
// (the sender's order). Sent only when the receiver allows read receipts.
struct ChatRead {
    std::uint64_t upToId = 0;
};
// The sender's user is (or stopped) writing a message. Refreshed while typing; expires at the receiver.
struct Typing {
    bool active = false;
};

using AppMessage = std::variant<Hello, PeerConfirmed, Chat, ChatAck, Offer, OfferReply, FileRequest, ChunkAck,
                                FileDone, FileResult, TransferControl, ChatRead, Typing>;

Bytes encodeApp(const AppMessage& m);
Result<AppMessage> decodeApp(ByteSpan plaintext);

} // namespace duet::wire
