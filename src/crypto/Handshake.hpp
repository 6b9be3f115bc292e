#pragma once
// The authenticated key exchange of one connection (see PROTOCOL.md "Handshake"): fresh X25519 ephemerals,
// identities proven by Ed25519 signatures over the transcript, and an initiator commitment so a man in the
// middle cannot grind the short verification code.
// Thread: one thread at a time. The Random passed in must outlive the Handshake.
// Errors: peer data never throws; it fails the handshake for good with a readable reason. The accessors
// below throw std::logic_error when called before complete(), which is a bug in the caller.
#include "duet/crypto/Identity.hpp"

#include <memory>
#include <string>
#include <vector>

namespace duet::crypto {

// Per-direction, per-purpose keys derived from one handshake (crypto_kx, then crypto_kdf).
struct DirectionKeys {
    Key32 control{}; // secretstream over ENet channel 0
    Key32 chat{};    // secretstream over ENet channel 1
    Key32 file{};    // XChaCha20-Poly1305 chunks
};
// From this side's point of view: our `send` keys are the peer's `receive` keys.
struct SessionKeys {
    DirectionKeys send;
    DirectionKeys receive;
};

// Pure state machine: feed it frames, send what it returns. Copies share one state.
class Handshake {
public:
    enum class Role { Initiator, Responder };
    struct Step {
        std::vector<Bytes> send; // complete wire frames to send on channel 0, in order
        bool failed = false;     // true: close the connection; `error` says why
        std::string error;
    };

    Handshake(Role role, const Identity& identity, Random& random);

    // Initiator: returns the HandshakeInit frame to send. Responder: returns an empty step.
    Step start();
    // Feeds one received handshake frame body. A frame out of order (including any frame after completion),
    // malformed, or failing verification fails the handshake for good.
    Step onFrame(wire::FrameType type, ByteSpan body);

    bool complete() const;
    bool failed() const;
    const std::string& error() const; // empty unless failed()
    // Valid once complete():
    const Key32& peerIdentity() const;
    std::string peerFingerprint() const { return fingerprintOf(peerIdentity()); }
    std::string verificationCode() const; // "123 456": same on both ends of an honest connection
    const SessionKeys& keys() const;

private:
    struct State;
    std::shared_ptr<State> m_state;
};

} // namespace duet::crypto
