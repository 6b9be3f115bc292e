#pragma once
// The AEAD of the bulk transport's datagrams (PROTOCOL.md §11.3): numbered packets under one key per
// direction, with XChaCha20-Poly1305 on any CPU or AES-256-GCM where the CPU has AES and carry-less
// multiply instructions (about twice as fast at 1.2 KB here). Both produce ciphertext ‖ 16-byte tag.
// A (type, sequence) pair must never be sealed twice under one key with different plaintexts.
// Not thread-safe (one owner); copying is not allowed (the AES key schedule lives in the object).
// Errors: open() returns nothing for anything that does not authenticate; construction with
// Aes256Gcm where aesGcmAvailable() is false throws std::logic_error (a caller bug).
#include "duet/crypto/Records.hpp"

#include <memory>

namespace duet::crypto {

enum class PacketAead : std::uint8_t { XChaCha20Poly1305, Aes256Gcm };

// True when this CPU runs libsodium's AES-256-GCM (AES-NI and PCLMUL).
bool aesGcmAvailable();

class PacketCipher {
public:
    PacketCipher(const Key32& key, PacketAead aead);
    ~PacketCipher(); // wipes the keys
    PacketCipher(const PacketCipher&) = delete;
    PacketCipher& operator=(const PacketCipher&) = delete;

    PacketAead aead() const { return m_aead; }
    // `type` separates sequence spaces under one key; `prefix` feeds only the XChaCha20 nonce.
    Bytes seal(std::uint64_t type, const NoncePrefix& prefix, std::uint64_t sequence, ByteSpan plaintext);
    std::optional<Bytes> open(std::uint64_t type, const NoncePrefix& prefix, std::uint64_t sequence,
                              ByteSpan ciphertext);
    // Without allocating, as ChunkCipher::sealInPlace/openInPlace: the same bytes as seal()/open().
    std::size_t sealInPlace(std::uint64_t type, const NoncePrefix& prefix, std::uint64_t sequence,
                            std::span<std::uint8_t> buffer, std::size_t plaintextLength);
    std::optional<std::size_t> openInPlace(std::uint64_t type, const NoncePrefix& prefix,
                                           std::uint64_t sequence, std::span<std::uint8_t> sealed);

    // AES-256-GCM changes key every 2^32 sequence numbers (an epoch), so no key seals more than ~5 TB of
    // 1.2 KB packets, far inside GCM's safety margin.
    static constexpr unsigned kEpochBits = 32;

private:
    struct GcmState;
    GcmState& gcmFor(std::uint64_t sequence);

    PacketAead m_aead;
    Key32 m_key{};
    std::optional<ChunkCipher> m_xchacha;
    std::unique_ptr<GcmState> m_gcm; // the key schedule of the epoch in use
};

} // namespace duet::crypto
