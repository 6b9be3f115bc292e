// The unread count in the window title and when the window asks the desktop for attention.
#include "duet/ui/WindowAttention.hpp"

#include <doctest/doctest.h>

using namespace duet;

TEST_CASE("window attention: the title shows the unread count only while something is unseen")
{
    CHECK(ui::titleWithUnread("Duet \xE2\x80\x94 Alice", 0) == "Duet \xE2\x80\x94 Alice");
    CHECK(ui::titleWithUnread("Duet \xE2\x80\x94 Alice", 3) == "(3) Duet \xE2\x80\x94 Alice");
}

TEST_CASE("window attention: unseen counts every peer's unread messages")
{
    state::AppState state;
    const std::int64_t now = 1'800'000'000'000;
    CHECK(ui::unseenCount(state) == 0);
    for (std::uint64_t id : {1, 2}) {
        const PeerId peer{id};
        state.apply(event::PeerConnected{peer, "P" + std::to_string(id), "a", "F" + std::to_string(id), "1",
                                         Trust::Verified},
                    now);
        state.apply(event::PeerVerified{peer}, now);
    }
    state.apply(event::ChatReceived{PeerId{1}, 1, "P1", "one", now}, now);
    state.apply(event::ChatReceived{PeerId{1}, 2, "P1", "two", now}, now);
    state.apply(event::ChatReceived{PeerId{2}, 3, "P2", "three", now}, now);
    CHECK(ui::unseenCount(state) == 3);
    state.markRead(PeerId{1});
    CHECK(ui::unseenCount(state) == 1);
}

TEST_CASE("window attention: asked once per new arrival while unfocused, never for old news")
{
    CHECK(ui::shouldRequestAttention(1, 0, false, true));
    CHECK_FALSE(ui::shouldRequestAttention(1, 1, false, true));  // already asked for this one
    CHECK_FALSE(ui::shouldRequestAttention(0, 2, false, true));  // read elsewhere: fewer unseen
    CHECK_FALSE(ui::shouldRequestAttention(2, 1, true, true));   // the user is looking
    CHECK_FALSE(ui::shouldRequestAttention(2, 1, false, false)); // notifications off
    CHECK(ui::shouldRequestAttention(3, 2, false, true));
}
