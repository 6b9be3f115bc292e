#include "duet/crypto/Identity.hpp"

#include <doctest/doctest.h>
#include <set>
#include <string_view>

using namespace duet::crypto;

namespace {
ByteSpan text(std::string_view s)
{
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::array<std::uint8_t, 32> countingSeed()
{
    std::array<std::uint8_t, 32> seed{};
    for (std::size_t i = 0; i < seed.size(); ++i)
        seed[i] = static_cast<std::uint8_t>(i);
    return seed;
}
} // namespace

TEST_CASE("an identity from a seed is deterministic and signs verifiably")
{
    const Identity a = Identity::fromSeed(countingSeed());
    const Identity b = Identity::fromSeed(countingSeed());
    CHECK(a.publicKey() == b.publicKey());

    const Signature signature = a.sign(text("hello"));
    CHECK(signature == b.sign(text("hello"))); // Ed25519 signatures are deterministic
    CHECK(verifySignature(a.publicKey(), text("hello"), signature));
    CHECK_FALSE(verifySignature(a.publicKey(), text("hellO"), signature));
    Signature bent = signature;
    bent[10] ^= 0x01;
    CHECK_FALSE(verifySignature(a.publicKey(), text("hello"), bent));

    SeededRandom random(7);
    const Identity other = Identity::generate(random);
    CHECK(other.publicKey() != a.publicKey());
    CHECK_FALSE(verifySignature(other.publicKey(), text("hello"), signature));
}

TEST_CASE("copies of an identity sign identically")
{
    const Identity original = Identity::fromSeed(countingSeed());
    Identity copy;
    copy = original;
    CHECK(copy.publicKey() == original.publicKey());
    CHECK(verifySignature(original.publicKey(), text("m"), copy.sign(text("m"))));
}

// Expected strings come from Python: base64.b32encode(blake2b(b"duet-fp-v1" + key, digest_size=32)[:20]).
TEST_CASE("fingerprints match independently computed values")
{
    CHECK(fingerprintOf(Key32{}) == "WESM-EBT3-YZTN-WOJO-BKC2-I4GT-UGQZ-7P6L");
    CHECK(fingerprintOf(countingSeed()) == "RGQZ-VJD7-4NE2-XBEX-2MNI-IYGB-Q7SP-VAAH");
}

TEST_CASE("fingerprints are eight groups of four base32 characters and differ per key")
{
    SeededRandom random(3);
    std::set<std::string> seen;
    for (int i = 0; i < 20; ++i) {
        const Identity identity = Identity::generate(random);
        const std::string fp = identity.fingerprint();
        REQUIRE(fp.size() == 39);
        for (std::size_t c = 0; c < fp.size(); ++c) {
            if (c % 5 == 4) {
                CHECK(fp[c] == '-');
            } else {
                const bool inAlphabet = (fp[c] >= 'A' && fp[c] <= 'Z') || (fp[c] >= '2' && fp[c] <= '7');
                CHECK(inAlphabet);
            }
        }
        seen.insert(fp);
    }
    CHECK(seen.size() == 20);
}
