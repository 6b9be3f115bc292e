#include "duet/crypto/PacketCipher.hpp"

#include "duet/crypto/Hashing.hpp"
#include "duet/crypto/Internal.hpp"
#include "duet/wire/Bytes.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace duet::crypto {
namespace {

constexpr std::string_view kEpochLabel = "duet-bulk-gcm-epoch-v1";
constexpr std::size_t kTagSize = crypto_aead_aes256gcm_ABYTES;
static_assert(kTagSize == crypto_aead_xchacha20poly1305_ietf_ABYTES);

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
    if (plaintext.size() > std::numeric_limits<std::uint32_t>::max())
        throw std::length_error("PacketCipher::seal: packet over 4 GiB");
    Bytes sealed(plaintext.size() + kTagSize);
    std::copy(plaintext.begin(), plaintext.end(), sealed.begin());
    sealInPlace(type, prefix, sequence, sealed, plaintext.size());
    return sealed;
}

std::optional<Bytes> PacketCipher::open(std::uint64_t type, const NoncePrefix& prefix, std::uint64_t sequence,
                                        ByteSpan ciphertext)
{
    Bytes buffer(ciphertext.begin(), ciphertext.end());
    const std::optional<std::size_t> length = openInPlace(type, prefix, sequence, buffer);
    if (!length) return std::nullopt;
    buffer.resize(*length);
    return buffer;
}

std::size_t PacketCipher::sealInPlace(std::uint64_t type, const NoncePrefix& prefix, std::uint64_t sequence,
                                      std::span<std::uint8_t> buffer, std::size_t plaintextLength)
{
    if (m_xchacha) return m_xchacha->sealInPlace(type, prefix, sequence, buffer, plaintextLength);
    if (plaintextLength > std::numeric_limits<std::uint32_t>::max() ||
        buffer.size() < plaintextLength + kTagSize)
        throw std::length_error("PacketCipher::sealInPlace: no room for the tag, or over 4 GiB");
    const auto ad = detail::chunkAssociatedData(type, sequence, static_cast<std::uint32_t>(plaintextLength));
    const auto nonce = gcmNonce(type, sequence);
    crypto_aead_aes256gcm_encrypt_afternm(buffer.data(), nullptr, buffer.data(), plaintextLength, ad.data(),
                                          ad.size(), nullptr, nonce.data(), &gcmFor(sequence).schedule);
    return plaintextLength + kTagSize;
}

std::optional<std::size_t> PacketCipher::openInPlace(std::uint64_t type, const NoncePrefix& prefix,
                                                     std::uint64_t sequence, std::span<std::uint8_t> sealed)
{
    if (m_xchacha) return m_xchacha->openInPlace(type, prefix, sequence, sealed);
    if (sealed.size() < kTagSize) return std::nullopt;
    const std::size_t length = sealed.size() - kTagSize;
    if (length > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
    const auto ad = detail::chunkAssociatedData(type, sequence, static_cast<std::uint32_t>(length));
    const auto nonce = gcmNonce(type, sequence);
    if (crypto_aead_aes256gcm_decrypt_afternm(sealed.data(), nullptr, nullptr, sealed.data(), sealed.size(),
                                              ad.data(), ad.size(), nonce.data(),
                                              &gcmFor(sequence).schedule) != 0)
        return std::nullopt;
    return length;
}

} // namespace duet::crypto
