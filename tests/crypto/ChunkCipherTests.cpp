#include "duet/crypto/Records.hpp"

#include <doctest/doctest.h>
#include <sodium.h>

using namespace duet::crypto;

namespace {

Key32 key()
{
    Key32 k{};
    for (std::size_t i = 0; i < k.size(); ++i)
        k[i] = static_cast<std::uint8_t>(0x40 + i);
    return k;
}

NoncePrefix prefixOf(std::uint8_t fill)
{
    NoncePrefix p{};
    p.fill(fill);
    return p;
}

const Bytes kChunk = {'c', 'h', 'u', 'n', 'k', ' ', 'd', 'a', 't', 'a'};

} // namespace

TEST_CASE("a chunk round-trips and is exactly the documented AEAD construction")
{
    const ChunkCipher cipher(key());
    const Bytes sealed = cipher.seal(77, prefixOf(9), 5, kChunk);
    CHECK(sealed.size() == kChunk.size() + 16);
    CHECK(cipher.open(77, prefixOf(9), 5, sealed) == kChunk);

    // Rebuild it from the specification: nonce = prefix | index LE, AD = label | id | index | length.
    std::array<std::uint8_t, 24> nonce{};
    std::fill_n(nonce.begin(), 16, 9);
    nonce[16] = 5;
    duet::wire::ByteWriter ad;
    const std::string label = "duet-chunk-v1";
    ad.raw(ByteSpan(reinterpret_cast<const std::uint8_t*>(label.data()), label.size()));
    ad.u64(77);
    ad.u64(5);
    ad.u32(static_cast<std::uint32_t>(kChunk.size()));
    const Bytes adBytes = ad.take();
    Bytes expected(kChunk.size() + 16);
    REQUIRE(sodium_init() >= 0);
    crypto_aead_xchacha20poly1305_ietf_encrypt(expected.data(), nullptr, kChunk.data(), kChunk.size(),
                                               adBytes.data(), adBytes.size(), nullptr, nonce.data(),
                                               key().data());
    CHECK(sealed == expected);
}

TEST_CASE("sealing is deterministic per (transfer, prefix, index), so a re-sent chunk is identical")
{
    const ChunkCipher cipher(key());
    CHECK(cipher.seal(1, prefixOf(1), 3, kChunk) == cipher.seal(1, prefixOf(1), 3, kChunk));
    CHECK(cipher.seal(1, prefixOf(1), 3, kChunk) != cipher.seal(1, prefixOf(1), 4, kChunk));
}

TEST_CASE("a chunk is bound to its transfer, index, prefix and key")
{
    const ChunkCipher cipher(key());
    const Bytes sealed = cipher.seal(10, prefixOf(2), 100, kChunk);
    CHECK_FALSE(cipher.open(11, prefixOf(2), 100, sealed).has_value());
    CHECK_FALSE(cipher.open(10, prefixOf(2), 101, sealed).has_value());
    CHECK_FALSE(cipher.open(10, prefixOf(2), 100 + (1ull << 32), sealed).has_value());
    CHECK_FALSE(cipher.open(10, prefixOf(3), 100, sealed).has_value());
    Key32 otherKey = key();
    otherKey[0] ^= 1;
    CHECK_FALSE(ChunkCipher(otherKey).open(10, prefixOf(2), 100, sealed).has_value());
    CHECK(cipher.open(10, prefixOf(2), 100, sealed) == kChunk);
}

TEST_CASE("tampered or truncated chunks fail")
{
    const ChunkCipher cipher(key());
    const Bytes sealed = cipher.seal(1, prefixOf(1), 0, kChunk);
    for (std::size_t position = 0; position < sealed.size(); ++position) {
        Bytes bent = sealed;
        bent[position] ^= 0x01;
        CHECK_FALSE(cipher.open(1, prefixOf(1), 0, bent).has_value());
    }
    CHECK_FALSE(cipher.open(1, prefixOf(1), 0, ByteSpan(sealed).first(sealed.size() - 1)).has_value());
    CHECK_FALSE(cipher.open(1, prefixOf(1), 0, ByteSpan(sealed).first(15)).has_value());
    CHECK_FALSE(cipher.open(1, prefixOf(1), 0, {}).has_value());
    Bytes extended = sealed;
    extended.push_back(0);
    CHECK_FALSE(cipher.open(1, prefixOf(1), 0, extended).has_value());
}

TEST_CASE("an empty chunk round-trips and still authenticates")
{
    const ChunkCipher cipher(key());
    const Bytes sealed = cipher.seal(4, prefixOf(4), 4, {});
    CHECK(sealed.size() == 16);
    CHECK(cipher.open(4, prefixOf(4), 4, sealed) == Bytes{});
    CHECK_FALSE(cipher.open(4, prefixOf(4), 5, sealed).has_value());
}
