#include "duet/crypto/PacketCipher.hpp"

#include "duet/crypto/Hashing.hpp"
#include "duet/crypto/Internal.hpp"
#include "duet/wire/Bytes.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace duet::crypto {
namespace {

constexpr std::string_view kAssociatedLabel = "duet-chunk-v1";
constexpr std::string_view kEpochLabel = "duet-bulk-gcm-epoch-v1";
constexpr std::size_t kTagSize = crypto_aead_aes256gcm_ABYTES;
static_assert(kTagSize == crypto_aead_xchacha20poly1305_ietf_ABYTES);

// The same binding as the XChaCha20 side (ChunkCipher): label, type, sequence, plaintext length.
Bytes associatedData(std::uint64_t type, std::uint64_t sequence, std::size_t plaintextLength)
{
    wire::ByteWriter w;
    w.raw(detail::asBytes(kAssociatedLabel));
    w.u64(type);
    w.u64(sequence);
    w.u32(static_cast<std::uint32_t>(plaintextLength));
    return w.take();
}

// 96 bits: the type (u32 LE) then the sequence (u64 LE), unique per key as long as sequences only grow.
std::array<std::uint8_t, crypto_aead_aes256gcm_NPUBBYTES> gcmNonce(std::uint64_t type, std::uint64_t sequence)
{
    std::array<std::uint8_t, crypto_aead_aes256gcm_NPUBBYTES> nonce{};
    for (std::size_t i = 0; i < 4; ++i)
        nonce[i] = static_cast<std::uint8_t>(type >> (8 * i));
    for (std::size_t i = 0; i < 8; ++i)
        nonce[4 + i] = static_cast<std::uint8_t>(sequence >> (8 * i));
    return nonce;
}

} // namespace

bool aesGcmAvailable()
{
    return initialize() && crypto_aead_aes256gcm_is_available() == 1;
}

struct PacketCipher::GcmState {
    crypto_aead_aes256gcm_state schedule; // libsodium declares it 16-byte aligned; new honours that
    std::uint64_t epoch = 0;
};

PacketCipher::PacketCipher(const Key32& key, PacketAead aead) : m_aead(aead), m_key(key)
{
    initialize();
    if (aead == PacketAead::XChaCha20Poly1305) {
        m_xchacha.emplace(key);
        return;
    }
    if (!aesGcmAvailable()) throw std::logic_error("PacketCipher: AES-256-GCM is not available on this CPU");
    m_gcm = std::make_unique<GcmState>();
    m_gcm->epoch = ~std::uint64_t{0}; // none yet: the first use derives epoch 0
}

PacketCipher::~PacketCipher()
{
    detail::wipe(m_key);
    if (m_gcm) detail::wipe(*m_gcm);
}

PacketCipher::GcmState& PacketCipher::gcmFor(std::uint64_t sequence)
{
    const std::uint64_t epoch = sequence >> kEpochBits;
    if (m_gcm->epoch != epoch) {
        wire::ByteWriter w;
        w.u64(epoch);
        const Bytes epochBytes = w.take();
        Key32 epochKey = blake2b256({detail::asBytes(kEpochLabel), m_key, epochBytes});
        crypto_aead_aes256gcm_beforenm(&m_gcm->schedule, epochKey.data());
        detail::wipe(epochKey);
        m_gcm->epoch = epoch;
    }
    return *m_gcm;
}

Bytes PacketCipher::seal(std::uint64_t type, const NoncePrefix& prefix, std::uint64_t sequence,
                         ByteSpan plaintext)
{
    if (m_xchacha) return m_xchacha->seal(type, prefix, sequence, plaintext);
    if (plaintext.size() > std::numeric_limits<std::uint32_t>::max())
        throw std::length_error("PacketCipher::seal: packet over 4 GiB");
    const Bytes ad = associatedData(type, sequence, plaintext.size());
    const auto nonce = gcmNonce(type, sequence);
    Bytes ciphertext(plaintext.size() + kTagSize);
    crypto_aead_aes256gcm_encrypt_afternm(ciphertext.data(), nullptr, plaintext.data(), plaintext.size(),
                                          ad.data(), ad.size(), nullptr, nonce.data(),
                                          &gcmFor(sequence).schedule);
    return ciphertext;
}

std::optional<Bytes> PacketCipher::open(std::uint64_t type, const NoncePrefix& prefix, std::uint64_t sequence,
                                        ByteSpan ciphertext)
{
    if (m_xchacha) return m_xchacha->open(type, prefix, sequence, ciphertext);
    if (ciphertext.size() < kTagSize) return std::nullopt;
    const std::size_t length = ciphertext.size() - kTagSize;
    if (length > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
    const Bytes ad = associatedData(type, sequence, length);
    const auto nonce = gcmNonce(type, sequence);
    // At least one byte so data() is never null, even for an empty packet.
    Bytes plaintext(std::max<std::size_t>(length, 1));
    if (crypto_aead_aes256gcm_decrypt_afternm(plaintext.data(), nullptr, nullptr, ciphertext.data(),
                                              ciphertext.size(), ad.data(), ad.size(), nonce.data(),
                                              &gcmFor(sequence).schedule) != 0)
        return std::nullopt;
    plaintext.resize(length);
    return plaintext;
}

} // namespace duet::crypto
