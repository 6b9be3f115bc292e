#include "duet/ui/StunServers.hpp"

#include <doctest/doctest.h>

using duet::ui::joinStunServers;
using duet::ui::parseStunServerList;

TEST_CASE("stun servers: commas or spaces separate entries, duplicates and blanks go")
{
    const auto list = parseStunServerList(" stun.example.org:3478, 192.0.2.1 ,,stun.example.org:3478\n");
    CHECK(list.error.empty());
    REQUIRE(list.servers.size() == 2);
    CHECK(list.servers[0] == "stun.example.org:3478");
    CHECK(list.servers[1] == "192.0.2.1");
    CHECK(joinStunServers(list.servers) == "stun.example.org:3478,192.0.2.1");
}

TEST_CASE("stun servers: empty text means the defaults, not an error")
{
    const auto list = parseStunServerList("   ");
    CHECK(list.error.empty());
    CHECK(list.servers.empty());
    CHECK(joinStunServers({}).empty());
}

TEST_CASE("stun servers: a bad entry is named and nothing is accepted")
{
    for (const char* bad :
         {"host:0", "host:65536", "host:", ":3478", "host:34x", "ho st;rm", "[::1]:3478", "bad/host"}) {
        CAPTURE(bad);
        const auto list = parseStunServerList(std::string("good.example:3478,") + bad);
        CHECK_FALSE(list.error.empty());
        CHECK(list.servers.empty());
    }
    CHECK(parseStunServerList(std::string(300, 'a')).error.find("too long") != std::string::npos);
    CHECK(parseStunServerList("a,b,c,d,e,f,g,h,i").error.find("at most") != std::string::npos);
}
