// The status bar at narrow widths and large scales: the link statistics and "You: <fingerprint>" never
// overlap, and the fingerprint never runs past the window.
#include "HeadlessUi.hpp"
#include "duet/ui/StatusBar.hpp"

#include <doctest/doctest.h>

using namespace duet;
using duet::ui::test::HeadlessUi;

namespace {

constexpr PeerId kPeer{7};
const std::string kFingerprint = "9f3a 51c2 0be7 44d1 a8c3 7e90 12ab f00d";

void fill(HeadlessUi& ui)
{
    ui.state.apply(event::Listening{55555, kFingerprint, {"192.168.1.10", "10.8.0.3"}}, ui.nowMs);
    ui.state.apply(event::PeerConnecting{kPeer, "192.168.1.20:55555", true}, ui.nowMs);
    ui.state.apply(event::PeerConnected{kPeer, "Bob", "192.168.1.20:55555", "fp", "123456", Trust::Verified},
                   ui.nowMs);
    ui.state.apply(event::PeerVerified{kPeer}, ui.nowMs);
    ui.state.apply(event::LinkStats{kPeer, 1234, 0.125, 1'000'000, 2'000'000}, ui.nowMs);
    ui.frame();
    ui.frame();
}

} // namespace

TEST_CASE("status bar: link statistics and the fingerprint never overlap, from 100 % to 200 % scale")
{
    for (const float width : {600.f, 790.f, 1100.f}) {
        for (const float scale : {1.f, 1.5f, 2.f}) {
            CAPTURE(width);
            CAPTURE(scale);
            HeadlessUi ui(width, 600.f);
            ImGui::GetIO().FontGlobalScale = scale;
            fill(ui);
            const auto link = ui.locator.find("status.link");
            REQUIRE(link.has_value());
            const auto addresses = ui.locator.find("status.addresses");
            REQUIRE(addresses.has_value());
            const auto port = ui.locator.find("status.port");
            REQUIRE(port.has_value());
            CHECK(port->minX >= addresses->maxX);
            CHECK(link->minX >= port->maxX);
            if (const auto fingerprint = ui.locator.find("status.fingerprint")) {
                CHECK(fingerprint->minX >= link->maxX); // "You:" sits left of it, also clear of the link
                CHECK(fingerprint->maxX <= width);
            }
            if (width == 1100.f && scale == 1.f) CHECK(ui.has("status.fingerprint")); // room for all of it
        }
    }
}

TEST_CASE("status bar: this computer's addresses and the link's throughput while data moves")
{
    CHECK(ui::addressSummary({}).empty());
    CHECK(ui::addressSummary({"192.168.1.10"}) == "192.168.1.10");
    CHECK(ui::addressSummary({"192.168.1.10", "10.8.0.3", "172.17.0.1"}) == "192.168.1.10 +2");
    HeadlessUi ui(1100.f, 600.f);
    fill(ui);
    CHECK(ui.has("status.addresses"));
    CHECK(ui.has("status.link"));
    // An idle link shows no throughput; the widget is there either way.
    ui.state.apply(event::LinkStats{kPeer, 3, 0.0, 0, 0}, ui.nowMs);
    ui.frame();
    CHECK(ui.has("status.link"));
}
