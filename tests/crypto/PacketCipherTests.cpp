// The bulk datagrams' AEAD: XChaCha20-Poly1305 is byte for byte the chunk cipher (older peers keep
// working), AES-256-GCM (where the CPU has it) matches a raw libsodium rebuild of PROTOCOL.md §11.3,
// and neither opens anything tampered, renumbered, retyped or cut.
#include "duet/crypto/Hashing.hpp"
#include "duet/crypto/PacketCipher.hpp"
#include "duet/wire/Bytes.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <sodium.h>
#include <string_view>
#include <vector>

using namespace duet;
using crypto::PacketAead;
using crypto::PacketCipher;

namespace {

crypto::Key32 testKey()
{
    crypto::Key32 key{};
    for (std::size_t i = 0; i < key.size(); ++i)
        key[i] = static_cast<std::uint8_t>(0x40 + i);
    return key;
}

const crypto::NoncePrefix kPrefix{'d', 'u', 'e', 't', '-', 'b', 'u', 'l', 'k', '-', 'd', 'a', 't', 'a', 0, 0};

crypto::Bytes bytesOf(std::string_view text)
{
    return crypto::Bytes(text.begin(), text.end());
}

// PROTOCOL.md §11.3 from raw libsodium calls: the epoch key, the 96-bit nonce and the associated data.
crypto::Bytes referenceGcm(std::uint64_t type, std::uint64_t sequence, const crypto::Bytes& plaintext)
{
    wire::ByteWriter epoch;
    epoch.u64(sequence >> 32);
    const crypto::Bytes epochBytes = epoch.take();
    const std::string_view label = "duet-bulk-gcm-epoch-v1";
    const crypto::Key32 key = testKey();
    const crypto::Hash32 epochKey = crypto::blake2b256(
        {crypto::ByteSpan(reinterpret_cast<const std::uint8_t*>(label.data()), label.size()), key,
         epochBytes});
    wire::ByteWriter ad;
    ad.raw(bytesOf("duet-chunk-v1"));
    ad.u64(type);
    ad.u64(sequence);
    ad.u32(static_cast<std::uint32_t>(plaintext.size()));
    const crypto::Bytes associated = ad.take();
    std::uint8_t nonce[12];
    for (int i = 0; i < 4; ++i)
        nonce[i] = static_cast<std::uint8_t>(type >> (8 * i));
    for (int i = 0; i < 8; ++i)
        nonce[4 + i] = static_cast<std::uint8_t>(sequence >> (8 * i));
    crypto::Bytes out(plaintext.size() + 16);
    crypto_aead_aes256gcm_encrypt(out.data(), nullptr, plaintext.data(), plaintext.size(), associated.data(),
                                  associated.size(), nullptr, nonce, epochKey.data());
    return out;
}

} // namespace

TEST_CASE("packet cipher: the XChaCha20 mode is the chunk cipher")
{
    PacketCipher packets(testKey(), PacketAead::XChaCha20Poly1305);
    const crypto::ChunkCipher chunks(testKey());
    const crypto::Bytes plaintext = bytesOf("a slice of the stream");
    CHECK(packets.seal(0x12, kPrefix, 77, plaintext) == chunks.seal(0x12, kPrefix, 77, plaintext));
    CHECK(packets.open(0x12, kPrefix, 77, chunks.seal(0x12, kPrefix, 77, plaintext)) == plaintext);
}

TEST_CASE("packet cipher: AES-256-GCM follows the spec, across an epoch, and refuses every change")
{
    if (!crypto::aesGcmAvailable()) {
        CHECK_THROWS_AS(PacketCipher(testKey(), PacketAead::Aes256Gcm), std::logic_error);
        return;
    }
    PacketCipher sealer(testKey(), PacketAead::Aes256Gcm);
    PacketCipher opener(testKey(), PacketAead::Aes256Gcm);
    const crypto::Bytes plaintext(1200, 0x5c);
    // The prefix plays no part in GCM; sequences on both sides of the first epoch boundary.
    for (const std::uint64_t sequence :
         {std::uint64_t{0}, std::uint64_t{1} << 32, (std::uint64_t{1} << 32) - 1, std::uint64_t{3} << 32}) {
        CAPTURE(sequence);
        const crypto::Bytes sealed = sealer.seal(0x12, kPrefix, sequence, plaintext);
        CHECK(sealed == referenceGcm(0x12, sequence, plaintext));
        CHECK(opener.open(0x12, kPrefix, sequence, sealed) == plaintext);
        CHECK_FALSE(opener.open(0x12, kPrefix, sequence + 1, sealed));
        CHECK_FALSE(opener.open(0x13, kPrefix, sequence, sealed));
        crypto::Bytes tampered = sealed;
        tampered[100] ^= 1;
        CHECK_FALSE(opener.open(0x12, kPrefix, sequence, tampered));
        tampered = sealed;
        tampered.back() ^= 0x80;
        CHECK_FALSE(opener.open(0x12, kPrefix, sequence, tampered));
        CHECK_FALSE(opener.open(0x12, kPrefix, sequence, crypto::ByteSpan(sealed.data(), sealed.size() - 1)));
    }
    CHECK_FALSE(opener.open(0x12, kPrefix, 0, crypto::Bytes(15, 0)));
    const crypto::Bytes empty = sealer.seal(0x13, kPrefix, 9, {});
    CHECK(empty.size() == 16);
    CHECK(opener.open(0x13, kPrefix, 9, empty) == crypto::Bytes{});
    // Another key opens nothing; nor does the other AEAD under the same key.
    crypto::Key32 otherKey = testKey();
    otherKey[0] ^= 1;
    PacketCipher stranger(otherKey, PacketAead::Aes256Gcm);
    CHECK_FALSE(stranger.open(0x12, kPrefix, 0, sealer.seal(0x12, kPrefix, 0, plaintext)));
    PacketCipher xchacha(testKey(), PacketAead::XChaCha20Poly1305);
    CHECK_FALSE(xchacha.open(0x12, kPrefix, 5, sealer.seal(0x12, kPrefix, 5, plaintext)));
}

TEST_CASE("packet cipher: sealing and opening in place give the same bytes, without room no seal")
{
    std::vector<PacketAead> modes{PacketAead::XChaCha20Poly1305};
    if (crypto::aesGcmAvailable()) modes.push_back(PacketAead::Aes256Gcm);
    for (const PacketAead mode : modes) {
        CAPTURE(static_cast<int>(mode));
        PacketCipher sealer(testKey(), mode);
        PacketCipher opener(testKey(), mode);
        const crypto::Bytes plaintext(1208, 0x3c);
        crypto::Bytes buffer(plaintext.size() + 16 + 7, 0xee); // spare bytes past the tag stay untouched
        std::copy(plaintext.begin(), plaintext.end(), buffer.begin());
        REQUIRE(sealer.sealInPlace(0x12, kPrefix, 41, buffer, plaintext.size()) == plaintext.size() + 16);
        const crypto::Bytes sealed(buffer.begin(), buffer.begin() + plaintext.size() + 16);
        CHECK(sealed == opener.seal(0x12, kPrefix, 41, plaintext));
        CHECK(buffer.back() == 0xee);

        crypto::Bytes inPlace = sealed;
        const std::optional<std::size_t> length = opener.openInPlace(0x12, kPrefix, 41, inPlace);
        REQUIRE(length);
        CHECK(*length == plaintext.size());
        CHECK(crypto::Bytes(inPlace.begin(), inPlace.begin() + plaintext.size()) == plaintext);
        crypto::Bytes tampered = sealed;
        tampered[3] ^= 4;
        CHECK_FALSE(opener.openInPlace(0x12, kPrefix, 41, tampered));
        crypto::Bytes tooShort(15, 0);
        CHECK_FALSE(opener.openInPlace(0x12, kPrefix, 41, tooShort));
        // A buffer without room for the tag is a caller bug, refused before anything is written.
        crypto::Bytes cramped = plaintext;
        CHECK_THROWS_AS(sealer.sealInPlace(0x12, kPrefix, 42, cramped, plaintext.size()), std::length_error);
        CHECK(cramped == plaintext);
    }
}
