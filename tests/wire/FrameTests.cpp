#include "duet/wire/Frame.hpp"

#include <doctest/doctest.h>

using namespace duet::wire;

namespace {
Bytes header(std::uint8_t m0, std::uint8_t m1, std::uint8_t version, std::uint8_t type, std::uint32_t len)
{
    ByteWriter w;
    w.u8(m0);
    w.u8(m1);
    w.u8(version);
    w.u8(type);
    w.u32(len);
    return w.take();
}
} // namespace

TEST_CASE("a frame round-trips with its type and body")
{
    const Bytes body = {1, 2, 3, 4, 5};
    const Bytes packet = encodeFrame(FrameType::Record, body);
    REQUIRE(packet.size() == kFrameHeaderSize + body.size());
    CHECK(packet[0] == 'D');
    CHECK(packet[2] == kProtocolVersion);
    CHECK(packet[4] == 5); // length is little-endian

    const auto decoded = decodeFrame(packet);
    REQUIRE(decoded.ok());
    CHECK(decoded->type == FrameType::Record);
    CHECK(Bytes(decoded->body.begin(), decoded->body.end()) == body);
}

TEST_CASE("an empty body is a valid frame")
{
    const auto decoded = decodeFrame(encodeFrame(FrameType::Close, {}));
    REQUIRE(decoded.ok());
    CHECK(decoded->body.empty());
}

TEST_CASE("malformed frames are refused with the right reason")
{
    struct Case {
        const char* name;
        Bytes packet;
        DecodeError expected;
    };
    Bytes tooLong = header('D', 'U', 1, 0x10, 3);
    tooLong.insert(tooLong.end(), {1, 2, 3, 4});
    Bytes tooShort = header('D', 'U', 1, 0x10, 10);
    tooShort.insert(tooShort.end(), {1, 2});

    const Case cases[] = {
        {"empty packet", {}, DecodeError::Truncated},
        {"one byte", {'D'}, DecodeError::Truncated},
        {"foreign datagram", {'G', 'E', 'T', ' ', '/'}, DecodeError::BadMagic},
        {"magic only", {'D', 'U'}, DecodeError::Truncated},
        {"future version", header('D', 'U', 2, 0x10, 0), DecodeError::WrongVersion},
        {"version zero", header('D', 'U', 0, 0x10, 0), DecodeError::WrongVersion},
        {"header cut short", Bytes{'D', 'U', 1, 0x10, 0, 0}, DecodeError::Truncated},
        {"unknown type", header('D', 'U', 1, 0x7F, 0), DecodeError::UnknownType},
        {"type zero", header('D', 'U', 1, 0x00, 0), DecodeError::UnknownType},
        {"length above cap", header('D', 'U', 1, 0x10, 0xFFFFFFFFu), DecodeError::Oversized},
        {"length just above cap", header('D', 'U', 1, 0x10, kMaxFrameBody + 1), DecodeError::Oversized},
        {"body shorter than declared", tooShort, DecodeError::Truncated},
        {"bytes after the body", tooLong, DecodeError::TrailingBytes},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        const auto decoded = decodeFrame(c.packet);
        REQUIRE_FALSE(decoded.ok());
        CHECK(decoded.error() == c.expected);
        CHECK_FALSE(describe(decoded.error()).empty());
    }
}

TEST_CASE("only handshake and close frames are plaintext")
{
    CHECK(isHandshakeFrame(FrameType::HandshakeInit));
    CHECK(isHandshakeFrame(FrameType::Close));
    CHECK_FALSE(isHandshakeFrame(FrameType::Record));
}

TEST_CASE("UTF-8 validation")
{
    CHECK(isValidUtf8(""));
    CHECK(isValidUtf8("plain ascii\n"));
    CHECK(isValidUtf8("caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80")); // é, 日本, 😀
    CHECK_FALSE(isValidUtf8("\xC3"));                                            // cut short
    CHECK_FALSE(isValidUtf8("\xC0\xAF"));                                        // overlong '/'
    CHECK_FALSE(isValidUtf8("\xE0\x80\xAF"));                                    // overlong '/'
    CHECK_FALSE(isValidUtf8("\xED\xA0\x80"));                                    // surrogate
    CHECK_FALSE(isValidUtf8("\xF4\x90\x80\x80"));                                // above U+10FFFF
    CHECK_FALSE(isValidUtf8("\xFF"));
    CHECK_FALSE(isValidUtf8("a\x80z")); // stray continuation byte
}
