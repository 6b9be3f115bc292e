#include "duet/state/AppState.hpp"

#include <doctest/doctest.h>

using namespace duet;

TEST_CASE(
    "app state lan: found peers are sanitized, updated in place, lost, and cleared when discovery stops")
{
    state::AppState state;
    state.apply(event::DiscoveryState{true, true, {}, {}}, 0);
    CHECK(state.discoveryAvailable());
    CHECK(state.visibleOnLan());

    event::LanPeerFound found{"k1", "evil\x1b[2Jname", {"10.0.0.5:47002"}, 47002, "HINT", false};
    state.apply(found, 0);
    REQUIRE(state.lanPeers().size() == 1);
    CHECK(state.lanPeers()[0].name.find('\x1b') == std::string::npos);

    found.addresses.push_back("192.168.1.2:47002");
    state.apply(found, 0);
    REQUIRE(state.lanPeers().size() == 1);
    CHECK(state.lanPeers()[0].addresses.size() == 2);

    state.apply(event::LanPeerLost{"other", "x", "left"}, 0);
    CHECK(state.lanPeers().size() == 1);
    state.apply(event::LanPeerLost{"k1", "x", "expired"}, 0);
    CHECK(state.lanPeers().empty());

    state.apply(found, 0);
    state.apply(event::DiscoveryState{false, false, {}, {}}, 0);
    CHECK(state.lanPeers().empty());
    CHECK_FALSE(state.visibleOnLan());
}

TEST_CASE("app state lan: the list is bounded")
{
    state::AppState state;
    for (int i = 0; i < 400; ++i)
        state.apply(event::LanPeerFound{"k" + std::to_string(i), "p", {"10.0.0.1:4000"}, 4000, "H", false},
                    0);
    CHECK(state.lanPeers().size() == 256);
    CHECK(state.lanPeers().back().key == "k399");
}

TEST_CASE("app state lan: the interface choice in force and the machine's interfaces come from the engine")
{
    state::AppState state;
    state.apply(event::DiscoveryState{true, true, {"eth0"}, {"eth0", "wlan0"}}, 0);
    CHECK(state.discoveryInterfaces() == std::vector<std::string>{"eth0"});
    CHECK(state.machineInterfaces() == std::vector<std::string>{"eth0", "wlan0"});
    state.apply(event::DiscoveryState{true, true, {}, {"eth0"}}, 0);
    CHECK(state.discoveryInterfaces().empty());
}
