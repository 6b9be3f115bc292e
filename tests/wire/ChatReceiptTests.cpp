// ChatRead and Typing (PROTOCOL.md §3 and §4.6): round trips and hostile bodies.
#include "duet/wire/Messages.hpp"

#include <doctest/doctest.h>

using namespace duet::wire;

TEST_CASE("read receipts and typing notices round-trip with fixed sizes")
{
    const Bytes read = encodeApp(ChatRead{0xFEDC'BA98'7654'3210ull});
    CHECK(read.size() == 9);
    CHECK(read[0] == 0x24);
    auto decodedRead = decodeApp(read);
    REQUIRE(decodedRead.ok());
    REQUIRE(std::holds_alternative<ChatRead>(*decodedRead));
    CHECK(std::get<ChatRead>(*decodedRead).upToId == 0xFEDC'BA98'7654'3210ull);

    for (const bool active : {true, false}) {
        const Bytes typing = encodeApp(Typing{active});
        CHECK(typing == Bytes{0x25, static_cast<std::uint8_t>(active ? 1 : 0)});
        auto decoded = decodeApp(typing);
        REQUIRE(decoded.ok());
        REQUIRE(std::holds_alternative<Typing>(*decoded));
        CHECK(std::get<Typing>(*decoded).active == active);
    }
}

TEST_CASE("hostile read receipts and typing notices are refused")
{
    SUBCASE("receipt without its id, or a partial one")
    {
        CHECK(decodeApp(Bytes{0x24}).error() == DecodeError::Truncated);
        CHECK(decodeApp(Bytes{0x24, 1, 2, 3, 4, 5, 6, 7}).error() == DecodeError::Truncated);
    }
    SUBCASE("receipt with trailing bytes")
    {
        Bytes read = encodeApp(ChatRead{1});
        read.push_back(0);
        CHECK(decodeApp(read).error() == DecodeError::TrailingBytes);
    }
    SUBCASE("typing without its flag")
    {
        CHECK(decodeApp(Bytes{0x25}).error() == DecodeError::Truncated);
    }
    SUBCASE("typing flag other than 0 or 1")
    {
        for (const std::uint8_t flag : {2, 0x7F, 0xFF})
            CHECK(decodeApp(Bytes{0x25, flag}).error() == DecodeError::Malformed);
    }
    SUBCASE("typing with trailing bytes")
    {
        CHECK(decodeApp(Bytes{0x25, 1, 0}).error() == DecodeError::TrailingBytes);
    }
    SUBCASE("the next type number is still unknown")
    {
        CHECK(decodeApp(Bytes{0x26, 0}).error() == DecodeError::UnknownType);
    }
}
