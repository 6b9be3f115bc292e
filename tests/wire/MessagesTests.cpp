#include "duet/wire/Messages.hpp"

#include <doctest/doctest.h>

using namespace duet::wire;

namespace {
ByteSpan bodyOf(const Bytes& packet)
{
    return ByteSpan(packet).subspan(kFrameHeaderSize);
}
Key32 filled(std::uint8_t v)
{
    Key32 k;
    k.fill(v);
    return k;
}
} // namespace

TEST_CASE("handshake messages round-trip")
{
    HandshakeInit init{kSuiteX25519Ed25519XChaCha, filled(7)};
    auto i = decodeHandshakeInit(bodyOf(encode(init)));
    REQUIRE(i.ok());
    CHECK(i->commitment == init.commitment);

    HandshakeReply reply{filled(9)};
    auto r = decodeHandshakeReply(bodyOf(encode(reply)));
    REQUIRE(r.ok());
    CHECK(r->ephemeral == reply.ephemeral);

    HandshakeReveal reveal;
    reveal.ephemeral = filled(1);
    reveal.identity.fill(2);
    auto v = decodeHandshakeReveal(bodyOf(encode(reveal)));
    REQUIRE(v.ok());
    CHECK(v->identity == reveal.identity);

    HandshakeFinish finish;
    finish.identity.fill(3);
    auto f = decodeHandshakeFinish(bodyOf(encode(finish)));
    REQUIRE(f.ok());
    CHECK(f->identity == finish.identity);

    Close close{CloseReason::KeyMismatch, "key changed"};
    auto c = decodeClose(bodyOf(encode(close)));
    REQUIRE(c.ok());
    CHECK(c->reason == CloseReason::KeyMismatch);
    CHECK(c->detail == "key changed");
}

TEST_CASE("handshake decoders refuse truncation, trailing bytes and bad values")
{
    Bytes init = encode(HandshakeInit{kSuiteX25519Ed25519XChaCha, filled(1)});
    ByteSpan body = bodyOf(init);
    CHECK(decodeHandshakeInit(body.first(body.size() - 1)).error() == DecodeError::Truncated);

    Bytes longer(body.begin(), body.end());
    longer.push_back(0);
    CHECK(decodeHandshakeInit(longer).error() == DecodeError::TrailingBytes);

    Bytes badSuite(body.begin(), body.end());
    badSuite[0] = 99;
    CHECK(decodeHandshakeInit(badSuite).error() == DecodeError::Malformed);

    CHECK(decodeHandshakeReveal(ByteSpan()).error() == DecodeError::Truncated);
    CHECK(decodeHandshakeFinish(Bytes(kSealedIdentitySize - 1, 0)).error() == DecodeError::Truncated);

    ByteWriter w;
    w.u16(500); // reason out of range
    w.shortString("");
    CHECK(decodeClose(w.take()).error() == DecodeError::Malformed);
}

TEST_CASE("application messages round-trip, including multi-line and non-ASCII text")
{
    const std::string text = "line one\nline two\n caf\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x8E\x89";
    const AppMessage messages[] = {
        Hello{"Ann \xC3\x85sa", 3},
        PeerConfirmed{},
        Chat{0xFFFF'FFFF'FFFF'FFFFull, -5, text},
        Chat{1, 1'800'000'000'000, std::string(kMaxChatText, 'x')},
        ChatAck{42},
    };
    for (const AppMessage& m : messages) {
        const Bytes encoded = encodeApp(m);
        auto decoded = decodeApp(encoded);
        REQUIRE(decoded.ok());
        CHECK(decoded->index() == m.index());
        CHECK(encodeApp(*decoded) == encoded);
    }
}

TEST_CASE("application decoder refuses hostile input")
{
    SUBCASE("empty")
    {
        CHECK(decodeApp({}).error() == DecodeError::Truncated);
    }
    SUBCASE("unknown type")
    {
        CHECK(decodeApp(Bytes{0x7E}).error() == DecodeError::UnknownType);
    }
    SUBCASE("chat text above 64 KiB")
    {
        ByteWriter w;
        w.u8(static_cast<std::uint8_t>(AppType::Chat));
        w.u64(1);
        w.i64(0);
        w.u32(static_cast<std::uint32_t>(kMaxChatText + 1));
        CHECK(decodeApp(w.take()).error() == DecodeError::Oversized);
    }
    SUBCASE("chat text length lies")
    {
        ByteWriter w;
        w.u8(static_cast<std::uint8_t>(AppType::Chat));
        w.u64(1);
        w.i64(0);
        w.u32(100);
        w.raw(Bytes(10, 'a'));
        CHECK(decodeApp(w.take()).error() == DecodeError::Truncated);
    }
    SUBCASE("invalid UTF-8 in chat")
    {
        ByteWriter w;
        w.u8(static_cast<std::uint8_t>(AppType::Chat));
        w.u64(1);
        w.i64(0);
        w.longString("bad \xFF byte");
        CHECK(decodeApp(w.take()).error() == DecodeError::InvalidUtf8);
    }
    SUBCASE("display name above cap")
    {
        ByteWriter w;
        w.u8(static_cast<std::uint8_t>(AppType::Hello));
        w.shortString(std::string(kMaxDisplayName + 1, 'n'));
        w.u32(0);
        CHECK(decodeApp(w.take()).error() == DecodeError::Oversized);
    }
    SUBCASE("trailing bytes after an ack")
    {
        Bytes ack = encodeApp(ChatAck{1});
        ack.push_back(0);
        CHECK(decodeApp(ack).error() == DecodeError::TrailingBytes);
    }
    SUBCASE("confirm with a body")
    {
        CHECK(decodeApp(Bytes{static_cast<std::uint8_t>(AppType::PeerConfirmed), 1}).error() ==
              DecodeError::TrailingBytes);
    }
}
