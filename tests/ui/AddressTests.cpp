#include "duet/ui/Address.hpp"

#include <doctest/doctest.h>

using duet::command::Connect;
using duet::ui::AddressError;
using duet::ui::parseJoinAddress;

namespace {

Connect ok(std::string_view input)
{
    auto parsed = parseJoinAddress(input, 55555);
    REQUIRE_MESSAGE(std::holds_alternative<Connect>(parsed), std::string(input));
    return std::get<Connect>(parsed);
}

std::string error(std::string_view input)
{
    auto parsed = parseJoinAddress(input, 55555);
    REQUIRE_MESSAGE(std::holds_alternative<AddressError>(parsed), std::string(input));
    return std::get<AddressError>(parsed).message;
}

} // namespace

TEST_CASE("address: IPv4 with and without a port")
{
    CHECK(ok("127.0.0.1:47002").host == "127.0.0.1");
    CHECK(ok("127.0.0.1:47002").port == 47002);
    CHECK(ok("192.168.1.20").port == 55555);
    CHECK(ok("  10.0.0.1:1 \n").host == "10.0.0.1");
    CHECK(ok("10.0.0.1:65535").port == 65535);
}

TEST_CASE("address: host names")
{
    CHECK(ok("alice-laptop.local").host == "alice-laptop.local");
    CHECK(ok("alice-laptop.local:9000").port == 9000);
    CHECK(ok("localhost").host == "localhost");
}

TEST_CASE("address: refusals say what is wrong")
{
    CHECK(error("").find("Type the other computer's address") != std::string::npos);
    CHECK(error("   ").find("Type") != std::string::npos);
    CHECK(error("1.2.3.4:0").find("1 to 65535") != std::string::npos);
    CHECK(error("1.2.3.4:65536").find("1 to 65535") != std::string::npos);
    CHECK(error("1.2.3.4:abc").find("1 to 65535") != std::string::npos);
    CHECK(error("1.2.3.4:").find("1 to 65535") != std::string::npos);
    CHECK(error(":5000").find("missing") != std::string::npos);
    CHECK(error("256.1.1.1").find("IPv4") != std::string::npos);
    CHECK(error("192.168.1").find("IPv4") != std::string::npos);
    CHECK(error("1.2.3.4.5").find("IPv4") != std::string::npos);
    CHECK(error("::1").find("IPv6") != std::string::npos);
    CHECK(error("[::1]:5000").find("IPv6") != std::string::npos);
    CHECK(error("bad host").find("not a valid") != std::string::npos);
    CHECK(error("-bad.example").find("not a valid") != std::string::npos);
    CHECK(error("a..b").find("not a valid") != std::string::npos);
    CHECK(error(std::string(300, 'a')).find("not a valid") != std::string::npos);
}
