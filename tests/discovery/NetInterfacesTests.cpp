// Addresses and interface enumeration.
#include "duet/discovery/NetInterfaces.hpp"

#include <algorithm>
#include <doctest/doctest.h>

using namespace duet::discovery;

TEST_CASE("IPv4 addresses parse only as dotted quads and print back the same")
{
    const auto parsed = Ipv4Address::parse("192.168.1.20");
    REQUIRE(parsed.has_value());
    CHECK(*parsed == Ipv4Address::fromOctets(192, 168, 1, 20));
    CHECK(parsed->toString() == "192.168.1.20");
    CHECK(Ipv4Address::parse("0.0.0.0")->hostOrder == 0);
    CHECK(Ipv4Address::parse("255.255.255.255")->isLimitedBroadcast());
    CHECK(Ipv4Address::parse("239.255.77.77")->isMulticast());
    CHECK_FALSE(Ipv4Address::parse("10.0.0.1")->isMulticast());
    for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", " 1.2.3.4", "1.2.3.4 ",
                            "1..2.3", "a.b.c.d", "0001.2.3.4", "1.2.3.4/24"})
        CHECK_MESSAGE(!Ipv4Address::parse(bad).has_value(), bad);
}

TEST_CASE("directed broadcast is the address with all host bits set, and absent on /31 and /32")
{
    const auto lan = Ipv4Address::fromOctets(192, 168, 1, 20);
    CHECK(directedBroadcast(lan, Ipv4Address::fromOctets(255, 255, 255, 0)) ==
          Ipv4Address::fromOctets(192, 168, 1, 255));
    CHECK(directedBroadcast(Ipv4Address::fromOctets(10, 1, 2, 3), Ipv4Address::fromOctets(255, 0, 0, 0)) ==
          Ipv4Address::fromOctets(10, 255, 255, 255));
    CHECK_FALSE(directedBroadcast(lan, Ipv4Address::fromOctets(255, 255, 255, 254)).has_value());
    CHECK_FALSE(directedBroadcast(lan, Ipv4Address::fromOctets(255, 255, 255, 255)).has_value());
}

TEST_CASE("an allow-list keeps only the named interfaces and an empty one keeps all")
{
    std::vector<NetInterface> all(3);
    all[0].name = "eth0";
    all[1].name = "wlan0";
    all[2].name = "eth0"; // a second address on eth0
    CHECK(filterByName(all, {}).size() == 3);
    const auto eth = filterByName(all, {"eth0"});
    CHECK(eth.size() == 2);
    CHECK(std::all_of(eth.begin(), eth.end(), [](const NetInterface& i) { return i.name == "eth0"; }));
    CHECK(filterByName(all, {"tun0"}).empty());
}

TEST_CASE("loopback is listed only when asked, with its subnet broadcast")
{
    std::string error;
    const auto withLoopback = listIpv4Interfaces(true, &error);
    CHECK(error.empty());
    const auto lo = std::find_if(withLoopback.begin(), withLoopback.end(),
                                 [](const NetInterface& i) { return i.loopback; });
    REQUIRE(lo != withLoopback.end());
    CHECK(lo->address == Ipv4Address::fromOctets(127, 0, 0, 1));
    CHECK(lo->index != 0);
    CHECK(lo->broadcast == Ipv4Address::fromOctets(127, 255, 255, 255));

    const auto withoutLoopback = listIpv4Interfaces(false, &error);
    CHECK(std::none_of(withoutLoopback.begin(), withoutLoopback.end(),
                       [](const NetInterface& i) { return i.loopback; }));
    CHECK(withoutLoopback.size() + 1 == withLoopback.size());
}
