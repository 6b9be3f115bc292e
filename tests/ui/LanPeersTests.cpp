#include "HeadlessUi.hpp"
#include "duet/ui/LanPeersSection.hpp"

#include <doctest/doctest.h>

using namespace duet;
using duet::ui::test::HeadlessUi;

namespace {

const std::string kBobFingerprint = "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH";

event::LanPeerFound bobAt(std::string address, bool pinned = false, std::string key = "k-bob")
{
    event::LanPeerFound found;
    found.key = std::move(key);
    found.name = "bob";
    found.addresses = {std::move(address)};
    found.port = 47002;
    found.fingerprintHint = kBobFingerprint;
    found.matchesPinnedPeer = pinned;
    return found;
}

void discoveryOn(HeadlessUi& ui, bool visible = true)
{
    ui.state.apply(event::Listening{47001, "OWN"}, ui.nowMs);
    ui.state.apply(event::DiscoveryState{true, visible, {}, {}}, ui.nowMs);
}

} // namespace

TEST_CASE("lan peers: the list updates live as peers are found and lost")
{
    HeadlessUi ui;
    discoveryOn(ui);
    ui.frame();
    CHECK_FALSE(ui.has("lan.peer.0"));

    ui.state.apply(bobAt("192.168.1.20:47002"), ui.nowMs);
    event::LanPeerFound carol = bobAt("192.168.1.30:47003", false, "k-carol");
    carol.name = "carol";
    ui.state.apply(carol, ui.nowMs);
    ui.frame();
    CHECK(ui.has("lan.peer.0"));
    CHECK(ui.has("lan.peer.1"));
    REQUIRE(ui.state.lanPeers().size() == 2);

    // An update replaces the row in place (a second address was heard).
    event::LanPeerFound moved = bobAt("10.0.0.5:47002");
    moved.addresses.push_back("192.168.1.20:47002");
    ui.state.apply(moved, ui.nowMs);
    REQUIRE(ui.state.lanPeers().size() == 2);
    CHECK(ui.state.lanPeers()[0].addresses.size() == 2);

    ui.state.apply(event::LanPeerLost{"k-bob", "bob", "left"}, ui.nowMs);
    ui.frame();
    REQUIRE(ui.state.lanPeers().size() == 1);
    CHECK(ui.state.lanPeers()[0].name == "carol");
    CHECK_FALSE(ui.has("lan.peer.1"));
}

TEST_CASE("lan peers: double-click and the Connect button dial the beacon's source address")
{
    HeadlessUi ui;
    discoveryOn(ui);
    ui.state.apply(bobAt("192.168.1.20:47002"), ui.nowMs);
    ui.frame();

    ui::Commands commands = ui.click("lan.connect.0");
    REQUIRE(commands.size() == 1);
    const auto* connect = std::get_if<command::Connect>(&commands[0]);
    REQUIRE(connect != nullptr);
    CHECK(connect->host == "192.168.1.20");
    CHECK(connect->port == 47002);

    // One click selects nothing and connects nowhere; the second click of a double-click connects.
    const auto row = ui.locator.find("lan.peer.0");
    REQUIRE(row);
    const float x = row->minX + 10;
    const float y = row->centerY();
    CHECK(ui.clickAt(x, y).empty());
    commands = ui.clickAt(x, y);
    REQUIRE(commands.size() == 1);
    CHECK(std::get<command::Connect>(commands[0]).host == "192.168.1.20");
}

TEST_CASE("lan peers: the badge says unverified, known key (unproven), or verified from that address")
{
    HeadlessUi ui;
    discoveryOn(ui);
    ui.state.apply(bobAt("192.168.1.20:47002"), ui.nowMs);
    CHECK(ui::lanBadgeFor(ui.state, ui.state.lanPeers()[0]) == ui::LanBadge::Unverified);

    ui.state.apply(bobAt("192.168.1.20:47002", true), ui.nowMs);
    CHECK(ui::lanBadgeFor(ui.state, ui.state.lanPeers()[0]) == ui::LanBadge::KnownKeyUnproven);
    CHECK(ui::lanBadgeLabel(ui::LanBadge::KnownKeyUnproven) == "known key (unproven)");

    // A forger copies the hint from another address: it stays unproven even while the real bob is online.
    ui.state.apply(bobAt("192.168.1.66:47002", true, "k-forged"), ui.nowMs);
    const PeerId bob{7};
    ui.state.apply(event::PeerConnecting{bob, "192.168.1.20:47002", true}, ui.nowMs);
    ui.state.apply(
        event::PeerConnected{bob, "bob", "192.168.1.20:47002", kBobFingerprint, "123456", Trust::Verified},
        ui.nowMs);
    ui.state.apply(event::PeerVerified{bob}, ui.nowMs);
    CHECK(ui::lanBadgeFor(ui.state, ui.state.lanPeers()[0]) == ui::LanBadge::Verified);
    CHECK(ui::lanBadgeFor(ui.state, ui.state.lanPeers()[1]) == ui::LanBadge::KnownKeyUnproven);

    ui.state.apply(event::PeerDisconnected{bob, "bye"}, ui.nowMs);
    CHECK(ui::lanBadgeFor(ui.state, ui.state.lanPeers()[0]) == ui::LanBadge::KnownKeyUnproven);
    ui.frame();
}

TEST_CASE("lan peers: the Visible toggle asks the engine, and is hidden when discovery is off")
{
    HeadlessUi ui;
    ui.state.apply(event::Listening{47001, "OWN"}, ui.nowMs);
    ui.frame();
    CHECK_FALSE(ui.has("lan.visible"));

    ui.state.apply(event::DiscoveryState{true, true, {}, {}}, ui.nowMs);
    ui::Commands commands = ui.click("lan.visible");
    REQUIRE(commands.size() == 1);
    CHECK_FALSE(std::get<command::SetVisible>(commands[0]).visible);

    ui.state.apply(event::DiscoveryState{true, false, {}, {}}, ui.nowMs);
    commands = ui.click("lan.visible");
    REQUIRE(commands.size() == 1);
    CHECK(std::get<command::SetVisible>(commands[0]).visible);
}

TEST_CASE("lan peers: the Visible label wraps inside the column of a 960-pixel window and toggles too")
{
    HeadlessUi ui(960.f, 640.f);
    discoveryOn(ui, true);
    ui.frame();
    ui.frame();
    const auto column = ui.locator.find("left.panel");
    const auto label = ui.locator.find("lan.visible.label");
    REQUIRE(column.has_value());
    REQUIRE(label.has_value());
    CHECK(label->maxX <= column->maxX);
    // Two lines: it wrapped instead of running under the column's edge.
    CHECK(label->maxY - label->minY > ImGui::GetTextLineHeight() * 1.5f);

    ui::Commands commands = ui.click("lan.visible.label");
    REQUIRE(commands.size() == 1);
    CHECK_FALSE(std::get<command::SetVisible>(commands[0]).visible);
}
