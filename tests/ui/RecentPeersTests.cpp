#include "HeadlessUi.hpp"

#include <doctest/doctest.h>
#include <string>

using namespace duet;
using duet::ui::test::HeadlessUi;

namespace {

std::string rowKey(const state::Peer& peer)
{
    return "peer." + std::to_string(peer.id.value);
}

ui::Commands rightClick(HeadlessUi& ui, const std::string& key)
{
    ui.frame();
    const auto rect = ui.locator.find(key);
    REQUIRE_MESSAGE(rect.has_value(), "widget not drawn: " << key);
    return ui.clickAt(rect->centerX(), rect->centerY(), 1);
}

} // namespace

TEST_CASE("recent peers panel: a recent peer shows as an offline row with an unverified badge")
{
    HeadlessUi ui;
    ui.state.addRememberedPeer("FP-ANNA", "Anna", "127.0.0.1:47003");
    ui.state.addRecentPeer("FP-BOB", "Bob", "127.0.0.1:47001", ui.nowMs - 60'000);
    ui.frame();
    const state::Peer& anna = ui.state.peers()[0];
    const state::Peer& bob = ui.state.peers()[1];
    CHECK(ui.has(rowKey(bob)));
    CHECK(ui.has("peer.unverified." + std::to_string(bob.id.value)));
    CHECK_FALSE(ui.has("peer.verified." + std::to_string(bob.id.value)));
    CHECK(ui.has("peer.verified." + std::to_string(anna.id.value)));
}

TEST_CASE("recent peers panel: Connect again dials the stored address, and the code is still asked")
{
    HeadlessUi ui;
    ui.state.apply(event::Listening{47000, "OWN"}, ui.nowMs);
    ui.state.addRecentPeer("FP-BOB", "Bob", "127.0.0.1:47001", ui.nowMs - 60'000);
    const PeerId recent = ui.state.peers()[0].id;
    rightClick(ui, rowKey(ui.state.peers()[0]));
    const ui::Commands out = ui.click("peer.menu.connect");
    REQUIRE(out.size() == 1);
    const auto* connect = std::get_if<command::Connect>(&out[0]);
    REQUIRE(connect != nullptr);
    CHECK(connect->host == "127.0.0.1");
    CHECK(connect->port == 47001);
    CHECK(ui.view.selectedPeer == recent);

    // The engine decides trust: an identity that is only recent comes back unverified and must be compared.
    ui.state.apply(event::PeerConnecting{PeerId{4}, "127.0.0.1:47001", true}, ui.nowMs);
    ui.state.apply(
        event::PeerConnected{PeerId{4}, "Bob", "127.0.0.1:47001", "FP-BOB", "123456", Trust::Unverified},
        ui.nowMs);
    ui.frame();
    ui.frame();
    CHECK(ui.state.peers().size() == 1);
    CHECK(ui.has("verify.confirm"));
}

TEST_CASE("recent peers panel: Forget asks the front end to drop only that recent peer")
{
    HeadlessUi ui;
    ui.state.addRememberedPeer("FP-ANNA", "Anna", "127.0.0.1:47003");
    ui.state.addRecentPeer("FP-BOB", "Bob", "127.0.0.1:47001", ui.nowMs - 60'000);
    rightClick(ui, rowKey(ui.state.peers()[1]));
    ui.frame();
    CHECK(ui.has("peer.menu.connect"));
    const ui::Commands out = ui.click("peer.menu.forget");
    CHECK(out.empty());
    REQUIRE(ui.view.forgetPeers.size() == 1);
    CHECK(ui.view.forgetPeers[0] == "FP-BOB");

    // A verified row offers no Forget.
    ui.view.forgetPeers.clear();
    rightClick(ui, rowKey(ui.state.peers()[0]));
    ui.frame();
    CHECK(ui.has("peer.menu.connect"));
    CHECK_FALSE(ui.has("peer.menu.forget"));
}
