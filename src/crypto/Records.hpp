#pragma once
// Encryption of application data after the handshake.
// Thread: one thread at a time per object; copies share one stream state.
// Errors: open() returns std::nullopt for anything that does not authenticate; nothing here throws on
// peer data.
#include "duet/crypto/Types.hpp"

#include <memory>
#include <optional>
#include <span>

namespace duet::crypto {

// One direction of an ordered, reliable stream (crypto_secretstream_xchacha20poly1305).
// Record body: flags u8 (bit 0: a 24-byte stream header follows) | [header] | ciphertext.
// The first sealed record carries the stream header; later ones do not.
class StreamSealer {
public:
    explicit StreamSealer(const Key32& key);
    Bytes seal(ByteSpan plaintext); // body of a FrameType::Record frame

private:
    struct State;
    std::shared_ptr<State> m_state;
};

// Replayed, reordered, truncated, forged or header-misplaced records fail to open. A record that fails
// leaves the opener unchanged, so the next genuine record still opens.
class StreamOpener {
public:
    explicit StreamOpener(const Key32& key);
    std::optional<Bytes> open(ByteSpan recordBody);

private:
    struct State;
    std::shared_ptr<State> m_state;
};

// File chunks that may be re-sent or resumed: XChaCha20-Poly1305 with nonce = prefix(16) | index(8 LE)
// and associated data "duet-chunk-v1" | transferId u64 LE | index u64 LE | plaintext length u32 LE.
// Never seal two different plaintexts under the same key, prefix and index.
// seal() throws std::length_error for a plaintext over 4 GiB (a caller bug: chunks are at most 1 MiB).
class ChunkCipher {
public:
    explicit ChunkCipher(const Key32& key);
    ChunkCipher(const ChunkCipher&) = default;
    ChunkCipher& operator=(const ChunkCipher&) = default;
    ~ChunkCipher(); // wipes the key
    Bytes seal(std::uint64_t transferId, const NoncePrefix& prefix, std::uint64_t index,
               ByteSpan plaintext) const;
    std::optional<Bytes> open(std::uint64_t transferId, const NoncePrefix& prefix, std::uint64_t index,
                              ByteSpan ciphertext) const;
    // In place, without allocating: `buffer` holds the plaintext in its first `plaintextLength` bytes and
    // room for the 16-byte tag after it; returns the sealed length. The same bytes as seal().
    std::size_t sealInPlace(std::uint64_t transferId, const NoncePrefix& prefix, std::uint64_t index,
                            std::span<std::uint8_t> buffer, std::size_t plaintextLength) const;
    // In place: the plaintext's length (it then starts `sealed`), or nothing if it does not authenticate.
    std::optional<std::size_t> openInPlace(std::uint64_t transferId, const NoncePrefix& prefix,
                                           std::uint64_t index, std::span<std::uint8_t> sealed) const;

private:
    Key32 m_key{};
};

} // namespace duet::crypto
