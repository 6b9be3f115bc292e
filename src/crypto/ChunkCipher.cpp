#include "duet/crypto/Internal.hpp"
#include "duet/crypto/Records.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace duet::crypto {
namespace {

constexpr std::string_view kChunkLabel = "duet-chunk-v1";
constexpr std::size_t kTagSize = crypto_aead_xchacha20poly1305_ietf_ABYTES;
using Nonce = std::array<std::uint8_t, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES>;
static_assert(std::tuple_size_v<NoncePrefix> + 8 == std::tuple_size_v<Nonce>);

Nonce nonceOf(const NoncePrefix& prefix, std::uint64_t index)
{
    Nonce nonce{};
    std::copy(prefix.begin(), prefix.end(), nonce.begin());
    for (std::size_t i = 0; i < 8; ++i)
        nonce[prefix.size() + i] = static_cast<std::uint8_t>(index >> (8 * i));
    return nonce;
}

Bytes associatedData(std::uint64_t transferId, std::uint64_t index, std::uint32_t plaintextLength)
{
    wire::ByteWriter w;
    w.raw(detail::asBytes(kChunkLabel));
    w.u64(transferId);
    w.u64(index);
    w.u32(plaintextLength);
    return w.take();
}

} // namespace

ChunkCipher::ChunkCipher(const Key32& key) : m_key(key)
{
    initialize();
}

ChunkCipher::~ChunkCipher()
{
    detail::wipe(m_key);
}

Bytes ChunkCipher::seal(std::uint64_t transferId, const NoncePrefix& prefix, std::uint64_t index,
                        ByteSpan plaintext) const
{
    if (plaintext.size() > std::numeric_limits<std::uint32_t>::max())
        throw std::length_error("ChunkCipher::seal: chunk over 4 GiB");
    const Nonce nonce = nonceOf(prefix, index);
    const Bytes ad = associatedData(transferId, index, static_cast<std::uint32_t>(plaintext.size()));
    Bytes ciphertext(plaintext.size() + kTagSize);
    crypto_aead_xchacha20poly1305_ietf_encrypt(ciphertext.data(), nullptr, plaintext.data(), plaintext.size(),
                                               ad.data(), ad.size(), nullptr, nonce.data(), m_key.data());
    return ciphertext;
}

std::optional<Bytes> ChunkCipher::open(std::uint64_t transferId, const NoncePrefix& prefix,
                                       std::uint64_t index, ByteSpan ciphertext) const
{
    if (ciphertext.size() < kTagSize) return std::nullopt;
    const std::size_t length = ciphertext.size() - kTagSize;
    if (length > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
    const Nonce nonce = nonceOf(prefix, index);
    const Bytes ad = associatedData(transferId, index, static_cast<std::uint32_t>(length));
    // At least one byte so data() is never null, even for an empty chunk.
    Bytes plaintext(std::max<std::size_t>(length, 1));
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(plaintext.data(), nullptr, nullptr, ciphertext.data(),
                                                   ciphertext.size(), ad.data(), ad.size(), nonce.data(),
                                                   m_key.data()) != 0)
        return std::nullopt;
    plaintext.resize(length);
    return plaintext;
}

} // namespace duet::crypto
