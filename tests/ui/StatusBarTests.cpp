// The status bar at narrow widths and large scales: the link statistics and "You: <fingerprint>" never
// overlap, and the fingerprint never runs past the window.
#include "HeadlessUi.hpp"

#include <doctest/doctest.h>

using namespace duet;
using duet::ui::test::HeadlessUi;

namespace {

constexpr PeerId kPeer{7};
const std::string kFingerprint = "9f3a 51c2 0be7 44d1 a8c3 7e90 12ab f00d";

void fill(HeadlessUi& ui)
{
    ui.state.apply(event::Listening{55555, kFingerprint}, ui.nowMs);
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
            if (const auto fingerprint = ui.locator.find("status.fingerprint")) {
                CHECK(fingerprint->minX >= link->maxX); // "You:" sits left of it, also clear of the link
                CHECK(fingerprint->maxX <= width);
            }
            if (width == 1100.f && scale == 1.f) CHECK(ui.has("status.fingerprint")); // room for all of it
        }
    }
}
