#pragma once
// libsodium behind a small API: identity keys, the handshake, record and chunk encryption, hashing.
// Thread: any, but each object is used by one thread at a time (the net thread in the app).
// Errors: functions that parse peer data return std::nullopt / a failed step, never throw. Only local
// I/O (identity file) throws std::runtime_error.
#include "duet/wire/Messages.hpp"

#include <array>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

namespace duet::crypto {

using wire::ByteSpan;
using wire::Bytes;
using wire::Key32;
using Signature = std::array<std::uint8_t, 64>;
using Hash32 = std::array<std::uint8_t, 32>;
using NoncePrefix = std::array<std::uint8_t, 16>;

// Calls sodium_init once. Returns false if libsodium cannot be used (the engine refuses to start).
bool initialize();

// Source of randomness, so the handshake can run deterministically in tests.
class Random {
public:
    virtual ~Random() = default;
    virtual void fill(std::span<std::uint8_t> out) = 0;
};
class SystemRandom final : public Random {
public:
    void fill(std::span<std::uint8_t> out) override;
};
// Deterministic stream from a 32-byte seed (randombytes_buf_deterministic with a running counter).
class SeededRandom final : public Random {
public:
    explicit SeededRandom(std::uint64_t seed);
    void fill(std::span<std::uint8_t> out) override;

private:
    std::array<std::uint8_t, 32> m_seed{};
    std::uint64_t m_counter = 0;
};

// Human-readable fingerprint of an identity public key, e.g. "7KQ2-M9XD-4FHA-PW3N-..." (base32 of a hash).
std::string fingerprintOf(const Key32& identityPublicKey);

// Long-term Ed25519 identity of a profile.
class Identity {
public:
    // Loads the key from `file`, or creates it (mode 0600, parent directory 0700) on first run.
    // Throws std::runtime_error if the file cannot be read or written, or is corrupt.
    static Identity loadOrCreate(const std::filesystem::path& file);
    static Identity fromSeed(const std::array<std::uint8_t, 32>& seed);
    static Identity generate(Random& random);

    const Key32& publicKey() const { return m_public; }
    std::string fingerprint() const { return fingerprintOf(m_public); }
    Signature sign(ByteSpan message) const;

private:
    Key32 m_public{};
    std::array<std::uint8_t, 64> m_secret{};
};

bool verifySignature(const Key32& publicKey, ByteSpan message, const Signature& signature);

// Per-direction, per-purpose keys derived from one handshake (crypto_kx, then crypto_kdf).
struct DirectionKeys {
    Key32 control{}; // secretstream over ENet channel 0
    Key32 chat{};    // secretstream over ENet channel 1
    Key32 file{};    // XChaCha20-Poly1305 chunks
};
struct SessionKeys {
    DirectionKeys send;
    DirectionKeys receive;
};

// The authenticated key exchange of one connection. Pure state machine: feed it frames, send what it
// returns. See PROTOCOL.md "Handshake". The initiator commits to its ephemeral key before it sees the
// responder's, so the short verification code cannot be ground by a man in the middle.
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
    // Feeds one received handshake frame. A frame out of order, malformed or failing verification fails
    // the handshake for good.
    Step onFrame(wire::FrameType type, ByteSpan body);

    bool complete() const;
    bool failed() const;
    // Valid once complete():
    const Key32& peerIdentity() const;
    std::string peerFingerprint() const { return fingerprintOf(peerIdentity()); }
    std::string verificationCode() const; // "123 456": same on both ends of an honest connection
    const SessionKeys& keys() const;

private:
    struct State;
    std::shared_ptr<State> m_state;
};

// One direction of an ordered, reliable stream (crypto_secretstream_xchacha20poly1305).
// The first sealed record carries the stream header. Replayed, reordered, truncated or forged records
// fail to open.
class StreamSealer {
public:
    explicit StreamSealer(const Key32& key);
    Bytes seal(ByteSpan plaintext); // body of a FrameType::Record frame

private:
    struct State;
    std::shared_ptr<State> m_state;
};
class StreamOpener {
public:
    explicit StreamOpener(const Key32& key);
    std::optional<Bytes> open(ByteSpan recordBody);

private:
    struct State;
    std::shared_ptr<State> m_state;
};

// File chunks that may be re-sent or resumed: XChaCha20-Poly1305 with nonce = prefix(16) | index(8 LE)
// and associated data binding transfer id, index and length. Never seal two different plaintexts
// under the same key, prefix and index.
class ChunkCipher {
public:
    explicit ChunkCipher(const Key32& key);
    Bytes seal(std::uint64_t transferId, const NoncePrefix& prefix, std::uint64_t index, ByteSpan plaintext) const;
    std::optional<Bytes> open(std::uint64_t transferId, const NoncePrefix& prefix, std::uint64_t index,
                              ByteSpan ciphertext) const;

private:
    Key32 m_key{};
};

// Incremental BLAKE2b-256, for whole-file integrity.
class Hasher {
public:
    Hasher();
    void update(ByteSpan data);
    Hash32 finish();

private:
    struct State;
    std::shared_ptr<State> m_state;
};

std::string toHex(ByteSpan bytes);

} // namespace duet::crypto
