#include "duet/crypto/Records.hpp"

#include <cstring>
#include <doctest/doctest.h>
#include <sodium.h>
#include <string_view>

using namespace duet::crypto;

namespace {

Key32 keyOf(std::uint8_t fill)
{
    Key32 key{};
    key.fill(fill);
    return key;
}

Bytes textOf(std::string_view s)
{
    return Bytes(s.begin(), s.end());
}

constexpr std::size_t kHeaderSize = 24;
constexpr std::size_t kTagSize = 17;

// Three records sealed in order by one sealer.
struct Sealed {
    Bytes first, second, third;
};
Sealed sealThree(const Key32& key)
{
    StreamSealer sealer(key);
    return {sealer.seal(textOf("one")), sealer.seal(textOf("two")), sealer.seal(textOf("three"))};
}

} // namespace

TEST_CASE("records open in order, and only the first carries the stream header")
{
    const Sealed s = sealThree(keyOf(1));
    CHECK(s.first[0] == 0x01);
    CHECK(s.first.size() == 1 + kHeaderSize + 3 + kTagSize);
    CHECK(s.second[0] == 0x00);
    CHECK(s.second.size() == 1 + 3 + kTagSize);

    StreamOpener opener(keyOf(1));
    CHECK(opener.open(s.first) == textOf("one"));
    CHECK(opener.open(s.second) == textOf("two"));
    CHECK(opener.open(s.third) == textOf("three"));
}

TEST_CASE("empty and large records round-trip")
{
    StreamSealer sealer(keyOf(2));
    StreamOpener opener(keyOf(2));
    const Bytes big(1 << 20, 0x5a);
    CHECK(opener.open(sealer.seal({})) == Bytes{});
    CHECK(opener.open(sealer.seal(big)) == big);
    CHECK(opener.open(sealer.seal({})) == Bytes{});
}

TEST_CASE("a tampered record fails, and the genuine record still opens afterwards")
{
    const Sealed s = sealThree(keyOf(3));
    for (const std::size_t position :
         {std::size_t{1}, std::size_t{24}, std::size_t{25}, s.first.size() - 1}) {
        CAPTURE(position);
        StreamOpener opener(keyOf(3));
        Bytes bent = s.first;
        bent[position] ^= 0x04;
        CHECK_FALSE(opener.open(bent).has_value());
        CHECK(opener.open(s.first) == textOf("one"));
        CHECK(opener.open(s.second) == textOf("two"));
    }
    StreamOpener opener(keyOf(3));
    REQUIRE(opener.open(s.first).has_value());
    for (const std::size_t position : {std::size_t{1}, std::size_t{3}, s.second.size() - 1}) {
        Bytes bent = s.second;
        bent[position] ^= 0x80;
        CHECK_FALSE(opener.open(bent).has_value());
    }
    CHECK(opener.open(s.second) == textOf("two"));
}

TEST_CASE("a forged record is dropped and the next genuine one still opens")
{
    const Sealed s = sealThree(keyOf(4));
    StreamOpener opener(keyOf(4));
    REQUIRE(opener.open(s.first).has_value());
    Bytes forged(1 + 40, 0x33);
    forged[0] = 0;
    CHECK_FALSE(opener.open(forged).has_value());
    // A record from another stream under another key is forged too.
    CHECK_FALSE(opener.open(sealThree(keyOf(5)).second).has_value());
    CHECK(opener.open(s.second) == textOf("two"));
}

TEST_CASE("libsodium leaves the secretstream state untouched when a pull fails")
{
    // StreamOpener does not rely on this (it pulls on a copy), but the protocol text states it; check it.
    REQUIRE(sodium_init() >= 0);
    const Key32 key = keyOf(6);
    crypto_secretstream_xchacha20poly1305_state push{};
    std::array<std::uint8_t, kHeaderSize> header{};
    crypto_secretstream_xchacha20poly1305_init_push(&push, header.data(), key.data());
    std::array<std::uint8_t, 5 + kTagSize> record{};
    const std::uint8_t message[5] = {1, 2, 3, 4, 5};
    crypto_secretstream_xchacha20poly1305_push(&push, record.data(), nullptr, message, 5, nullptr, 0, 0);

    crypto_secretstream_xchacha20poly1305_state pull{};
    crypto_secretstream_xchacha20poly1305_init_pull(&pull, header.data(), key.data());
    const crypto_secretstream_xchacha20poly1305_state before = pull;
    auto bent = record;
    bent[2] ^= 1;
    std::array<std::uint8_t, 5> out{};
    CHECK(crypto_secretstream_xchacha20poly1305_pull(&pull, out.data(), nullptr, nullptr, bent.data(),
                                                     bent.size(), nullptr, 0) != 0);
    CHECK(std::memcmp(&before, &pull, sizeof pull) == 0);
}

TEST_CASE("a replayed record fails")
{
    const Sealed s = sealThree(keyOf(7));
    StreamOpener opener(keyOf(7));
    REQUIRE(opener.open(s.first).has_value());
    REQUIRE(opener.open(s.second).has_value());
    CHECK_FALSE(opener.open(s.second).has_value());
    CHECK_FALSE(opener.open(s.first).has_value()); // also a second header
    CHECK(opener.open(s.third) == textOf("three"));
}

TEST_CASE("reordered records fail, and the stream continues from where it really is")
{
    const Sealed s = sealThree(keyOf(8));
    StreamOpener opener(keyOf(8));
    CHECK_FALSE(opener.open(s.second).has_value()); // no header yet
    REQUIRE(opener.open(s.first).has_value());
    CHECK_FALSE(opener.open(s.third).has_value()); // skips the second
    CHECK(opener.open(s.second) == textOf("two"));
    CHECK(opener.open(s.third) == textOf("three"));
}

TEST_CASE("truncated records fail")
{
    const Sealed s = sealThree(keyOf(9));
    StreamOpener opener(keyOf(9));
    CHECK_FALSE(opener.open({}).has_value());
    CHECK_FALSE(opener.open(Bytes{0x01}).has_value());
    CHECK_FALSE(opener.open(ByteSpan(s.first).first(1 + kHeaderSize)).has_value());
    CHECK_FALSE(opener.open(ByteSpan(s.first).first(1 + kHeaderSize + kTagSize - 1)).has_value());
    CHECK_FALSE(opener.open(ByteSpan(s.first).first(s.first.size() - 1)).has_value());
    REQUIRE(opener.open(s.first).has_value());
    CHECK_FALSE(opener.open(ByteSpan(s.second).first(s.second.size() - 1)).has_value());
    CHECK_FALSE(opener.open(Bytes{0x00}).has_value());
    CHECK(opener.open(s.second) == textOf("two"));
}

TEST_CASE("a stream header is accepted only on the first record")
{
    const Key32 key = keyOf(10);
    const Sealed s = sealThree(key);
    StreamOpener opener(key);
    REQUIRE(opener.open(s.first).has_value());
    // A second stream's first record under the same key: valid on its own, but a header here is refused.
    CHECK_FALSE(opener.open(sealThree(key).first).has_value());
    // The genuine second record with the header flag set and the first record's header inserted.
    Bytes withHeader = {0x01};
    withHeader.insert(withHeader.end(), s.first.begin() + 1, s.first.begin() + 1 + kHeaderSize);
    withHeader.insert(withHeader.end(), s.second.begin() + 1, s.second.end());
    CHECK_FALSE(opener.open(withHeader).has_value());
    CHECK(opener.open(s.second) == textOf("two"));
}

TEST_CASE("records with unknown flag bits fail")
{
    const Sealed s = sealThree(keyOf(11));
    for (const std::uint8_t flags : {0x02, 0x03, 0x80, 0xff}) {
        StreamOpener opener(keyOf(11));
        Bytes bent = s.first;
        bent[0] = flags;
        CHECK_FALSE(opener.open(bent).has_value());
        CHECK(opener.open(s.first) == textOf("one"));
    }
}

TEST_CASE("a record opens only under the key of its own direction and channel")
{
    const Sealed s = sealThree(keyOf(12));
    StreamOpener wrong(keyOf(13));
    CHECK_FALSE(wrong.open(s.first).has_value());
}
