#include "duet/crypto/Internal.hpp"
#include "duet/crypto/Records.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace duet::crypto {
namespace {

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
    Bytes sealed(plaintext.size() + kTagSize);
    std::copy(plaintext.begin(), plaintext.end(), sealed.begin());
    sealInPlace(transferId, prefix, index, sealed, plaintext.size());
    return sealed;
}

std::optional<Bytes> ChunkCipher::open(std::uint64_t transferId, const NoncePrefix& prefix,
                                       std::uint64_t index, ByteSpan ciphertext) const
{
    Bytes buffer(ciphertext.begin(), ciphertext.end());
    const std::optional<std::size_t> length = openInPlace(transferId, prefix, index, buffer);
    if (!length) return std::nullopt;
    buffer.resize(*length);
    return buffer;
}

std::size_t ChunkCipher::sealInPlace(std::uint64_t transferId, const NoncePrefix& prefix, std::uint64_t index,
                                     std::span<std::uint8_t> buffer, std::size_t plaintextLength) const
{
    if (plaintextLength > std::numeric_limits<std::uint32_t>::max() ||
        buffer.size() < plaintextLength + kTagSize)
        throw std::length_error("ChunkCipher::sealInPlace: no room for the tag, or over 4 GiB");
    const Nonce nonce = nonceOf(prefix, index);
    const auto ad =
        detail::chunkAssociatedData(transferId, index, static_cast<std::uint32_t>(plaintextLength));
    // libsodium's AEADs allow the ciphertext to overwrite the plaintext.
    crypto_aead_xchacha20poly1305_ietf_encrypt(buffer.data(), nullptr, buffer.data(), plaintextLength,
                                               ad.data(), ad.size(), nullptr, nonce.data(), m_key.data());
    return plaintextLength + kTagSize;
}

std::optional<std::size_t> ChunkCipher::openInPlace(std::uint64_t transferId, const NoncePrefix& prefix,
                                                    std::uint64_t index, std::span<std::uint8_t> sealed) const
{
    if (sealed.size() < kTagSize) return std::nullopt;
    const std::size_t length = sealed.size() - kTagSize;
    if (length > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
    const Nonce nonce = nonceOf(prefix, index);
    const auto ad = detail::chunkAssociatedData(transferId, index, static_cast<std::uint32_t>(length));
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(sealed.data(), nullptr, nullptr, sealed.data(),
                                                   sealed.size(), ad.data(), ad.size(), nonce.data(),
                                                   m_key.data()) != 0)
        return std::nullopt;
    return length;
}

} // namespace duet::crypto
