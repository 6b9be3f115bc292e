#pragma once
// Long-term Ed25519 identity of a profile, its on-disk file, and its human-readable fingerprint.
// Thread: an Identity is immutable after construction and may be shared read-only between threads.
// Errors: only the file functions throw (std::runtime_error, with the path and the reason).
#include "duet/crypto/Random.hpp"

#include <filesystem>
#include <string>

namespace duet::crypto {

// BLAKE2b-256("duet-fp-v1" || key), first 20 bytes, RFC 4648 base32 without padding, in eight groups of
// four separated by '-', e.g. "MZXW-6YTB-OI2G-..." (39 characters).
std::string fingerprintOf(const Key32& identityPublicKey);

class Identity {
public:
    // Loads the key from `file`, or creates it on first run: the file holds "DUETID1\n" and the 32-byte
    // Ed25519 seed, is written to a temporary file (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600) and then linked
    // into place without replacing anything; missing parent directories are created with mode 0700.
    // Throws std::runtime_error if the file cannot be read or written, or is not exactly that format.
    static Identity loadOrCreate(const std::filesystem::path& file);
    static Identity fromSeed(const std::array<std::uint8_t, 32>& seed);
    static Identity generate(Random& random);

    Identity() = default; // all-zero placeholder until assigned; signs nothing useful
    Identity(const Identity&) = default;
    Identity& operator=(const Identity&) = default;
    ~Identity(); // wipes the secret key

    const Key32& publicKey() const { return m_public; }
    std::string fingerprint() const { return fingerprintOf(m_public); }
    Signature sign(ByteSpan message) const;

private:
    Key32 m_public{};
    std::array<std::uint8_t, 64> m_secret{};
};

bool verifySignature(const Key32& publicKey, ByteSpan message, const Signature& signature);

} // namespace duet::crypto
