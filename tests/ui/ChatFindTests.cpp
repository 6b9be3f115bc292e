// The Ctrl+F bar: typing narrows the previous matches instead of searching every message again, and the
// result is always exactly what a full search finds; Enter jumps to (and selects) the next match.
#include "HeadlessUi.hpp"
#include "duet/ui/ChatFind.hpp"

#include <doctest/doctest.h>

using namespace duet;
using duet::ui::test::HeadlessUi;

namespace {

constexpr PeerId kPeer{7};

const state::Peer& connectWithMessages(HeadlessUi& ui, std::size_t count)
{
    ui.state.apply(event::PeerConnecting{kPeer, "127.0.0.1:5000", true}, ui.nowMs);
    ui.state.apply(event::PeerConnected{kPeer, "Bob", "127.0.0.1:5000", "fp", "1", Trust::Verified},
                   ui.nowMs);
    ui.state.apply(event::PeerVerified{kPeer}, ui.nowMs);
    const char* words[] = {"Harbour lights", "the harbor", "HARD day", "sharp", "nothing here"};
    for (std::size_t i = 0; i < count; ++i)
        ui.state.apply(event::ChatReceived{kPeer, i + 1, "Bob",
                                           std::string(words[i % 5]) + " " + std::to_string(i),
                                           ui.nowMs - 1000 * static_cast<std::int64_t>(count - i), "fp"},
                       ui.nowMs);
    ui.frame();
    return *ui.state.findPeer(kPeer);
}

// Opens the find bar with the keyboard focus in it, as Ctrl+F does.
void openFindBar(HeadlessUi& ui)
{
    ui.view.find.open = true;
    ui.view.find.focusInput = true;
    ui.frame();
    ui.frame();
}

} // namespace

TEST_CASE("chat find: typing and erasing a query always gives the matches of a full search")
{
    HeadlessUi ui;
    const state::Peer& peer = connectWithMessages(ui, 200);
    openFindBar(ui);
    for (const char* step : {"h", "a", "r", "b"}) {
        ui.type(step);
        ui.frame();
        CHECK(ui.view.find.matches == ui::findMessages(peer.messages, ui.view.find.query));
    }
    CHECK(ui.view.find.query == "harb");
    CHECK(ui.view.find.matches.size() == 80); // "Harbour" and "harbor", any case
    ui.press(ImGuiKey_Backspace);
    ui.frame();
    CHECK(ui.view.find.query == "har");
    CHECK(ui.view.find.matches == ui::findMessages(peer.messages, "har"));
    CHECK(ui.view.find.matches.size() == 160);

    // A new message is searched too: the narrowing cache is dropped when the messages change.
    ui.state.apply(event::ChatReceived{kPeer, 1000, "Bob", "far harbour", ui.nowMs, "fp"}, ui.nowMs);
    ui.frame();
    CHECK(ui.view.find.matches == ui::findMessages(peer.messages, "har"));
    CHECK(ui.view.find.matches.back() == peer.messages.size() - 1);
}

TEST_CASE("chat find: Enter selects the next match and scrolls the history to it")
{
    HeadlessUi ui;
    const state::Peer& peer = connectWithMessages(ui, 2000);
    openFindBar(ui);
    ui.type("sharp 3");
    ui.frame();
    const std::vector<std::size_t> expected = ui::findMessages(peer.messages, "sharp 3");
    REQUIRE(ui.view.find.matches == expected);
    REQUIRE(expected.size() > 2);
    ui.frame();
    const std::size_t newest = ui.view.history.selectedMessage;
    CHECK(newest == expected.back());
    ui.press(ImGuiKey_Enter);
    ui.frame();
    CHECK(ui.view.history.selectedMessage == expected.front()); // wraps to the oldest
    // The selected message's row is on screen.
    CHECK(ui.has("chat.message." + std::to_string(expected.front())));
}

TEST_CASE("chat find: a search of every message runs over several frames and ends with the full result")
{
    HeadlessUi ui;
    const state::Peer& peer = connectWithMessages(ui, 120000);
    openFindBar(ui);
    ui.type("h");
    int frames = 0;
    do {
        ui.frame();
        if (ui.view.find.scanning) {
            CHECK(ui.view.find.matches.empty()); // nothing half-done is shown or jumped to
            // A message arriving meanwhile is part of the result.
            if (frames == 0)
                ui.state.apply(event::ChatReceived{kPeer, 500000, "Bob", "late harbour", ui.nowMs, "fp"},
                               ui.nowMs);
        }
    } while (ui.view.find.scanning && ++frames < 1000);
    CHECK_FALSE(ui.view.find.scanning);
    const std::vector<std::size_t> expected = ui::findMessages(peer.messages, "h");
    CHECK(ui.view.find.matches == expected);
    ui.frame();
    CHECK(ui.view.history.selectedMessage == expected.back()); // the newest match, once it is known

    // Closing the bar in the middle of a search stops it (the app stops drawing frames for it).
    ui.press(ImGuiKey_Backspace);
    ui.type("q");
    ui.click("chat.find.close");
    CHECK_FALSE(ui.view.find.open);
    CHECK_FALSE(ui.view.find.scanning);
}
