// The headless front end's LAN discovery lines: `peers`, `visible on|off`, and the peer_found / peer_lost /
// discovery JSON events.
#include "Headless.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace duet;
using namespace duet::app::headless;
using nlohmann::json;

TEST_CASE("headless discovery: peers and visible parse, bad forms are errors")
{
    CHECK(std::holds_alternative<PeersLine>(parseLine("peers")));
    REQUIRE(std::holds_alternative<VisibleLine>(parseLine("visible off")));
    CHECK_FALSE(std::get<VisibleLine>(parseLine("visible off")).visible);
    CHECK(std::get<VisibleLine>(parseLine("visible on")).visible);
    CHECK(std::holds_alternative<LineError>(parseLine("visible")));
    CHECK(std::holds_alternative<LineError>(parseLine("visible maybe")));
    CHECK(std::holds_alternative<LineError>(parseLine("peers now")));
}

TEST_CASE("headless discovery: interfaces takes names, none meaning every interface")
{
    REQUIRE(std::holds_alternative<InterfacesLine>(parseLine("interfaces eth0  wlan0")));
    CHECK(std::get<InterfacesLine>(parseLine("interfaces eth0  wlan0")).names ==
          std::vector<std::string>{"eth0", "wlan0"});
    REQUIRE(std::holds_alternative<InterfacesLine>(parseLine("interfaces")));
    CHECK(std::get<InterfacesLine>(parseLine("interfaces")).names.empty());
}

TEST_CASE("headless discovery: peer_found carries the claims, the newest address first")
{
    event::LanPeerFound found;
    found.key = "00112233";
    found.name = "bob \xE2\x9C\x93";
    found.addresses = {"10.0.0.5:47002", "192.168.1.20:47002"};
    found.port = 47002;
    found.fingerprintHint = "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH";
    found.matchesPinnedPeer = true;
    const auto line = toJson(Event{found});
    REQUIRE(line);
    const json parsed = json::parse(*line);
    CHECK(parsed["event"] == "peer_found");
    CHECK(parsed["key"] == "00112233");
    CHECK(parsed["name"] == "bob \xE2\x9C\x93");
    CHECK(parsed["address"] == "10.0.0.5:47002");
    CHECK(parsed["addresses"].size() == 2);
    CHECK(parsed["port"] == 47002);
    CHECK(parsed["fingerprint"] == found.fingerprintHint);
    CHECK(parsed["known"] == true);
}

TEST_CASE("headless discovery: peer_lost and discovery state lines")
{
    event::LanPeerLost gone{"k", "bob", "left"};
    gone.address = "10.0.0.5:47002";
    gone.port = 47002;
    gone.fingerprintHint = "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH";
    const json lost = json::parse(*toJson(Event{gone}));
    CHECK(lost["event"] == "peer_lost");
    CHECK(lost["key"] == "k");
    CHECK(lost["name"] == "bob");
    CHECK(lost["address"] == "10.0.0.5:47002");
    CHECK(lost["port"] == 47002);
    CHECK(lost["fingerprint"] == gone.fingerprintHint);
    CHECK(lost["reason"] == "left");
    const json state =
        json::parse(*toJson(Event{event::DiscoveryState{true, false, {"eth0"}, {"eth0", "wlan0"}}}));
    CHECK(state["event"] == "discovery");
    CHECK(state["visible"] == false);
    CHECK(state["interfaces"] == json::array({"eth0"}));
    CHECK(state["machine_interfaces"] == json::array({"eth0", "wlan0"}));
}
