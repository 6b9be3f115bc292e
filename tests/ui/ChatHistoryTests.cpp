#include "HeadlessUi.hpp"
#include "duet/ui/ChatHistory.hpp"

#include <chrono>
#include <doctest/doctest.h>

using namespace duet;
using duet::ui::ChatRow;
using duet::ui::test::HeadlessUi;

namespace {

const PeerId kBob{5};
constexpr std::int64_t kMinute = 60'000;

std::string textOfRows(const ui::ChatHistoryView& view, const state::Peer& peer, std::uint32_t message)
{
    std::string out;
    for (const ChatRow& row : view.rows)
        if (row.kind == ChatRow::Kind::Text && row.message == message)
            out += peer.messages[message].text.substr(row.begin, row.end - row.begin) + "|";
    return out;
}

int count(const ui::ChatHistoryView& view, ChatRow::Kind kind)
{
    int n = 0;
    for (const ChatRow& row : view.rows)
        n += row.kind == kind;
    return n;
}

} // namespace

TEST_CASE("chat history: messages group by sender, split by day, and wrap into rows")
{
    HeadlessUi ui; // provides an ImGui context with a font
    state::AppState& state = ui.state;
    const std::int64_t t0 = ui.nowMs;
    state.apply(event::ChatReceived{kBob, 1, "Bob", "hi", t0}, t0);
    state.apply(event::ChatReceived{kBob, 2, "Bob", "still me", t0 + kMinute}, t0);
    state.applyLocal(command::SendChat{kBob, 3, "me now"}, t0 + 2 * kMinute);
    state.apply(event::ChatReceived{kBob, 4, "Bob", "later", t0 + 20 * kMinute}, t0);
    state.apply(event::ChatReceived{kBob, 5, "Bob", "next day", t0 + 24 * 60 * kMinute}, t0);
    const state::Peer& bob = *state.findPeer(kBob);

    ui::ChatHistoryView view;
    ImFont* font = ImGui::GetIO().Fonts->Fonts[0];
    ui::layoutChat(view, bob, {}, font, font->FontSize, 1000.f);
    CHECK(count(view, ChatRow::Kind::Day) == 2);    // the first day and the next day
    CHECK(count(view, ChatRow::Kind::Sender) == 4); // Bob, You, Bob (gap > 5 min), Bob (new day)
    CHECK(count(view, ChatRow::Kind::Text) == 5);
    CHECK(view.rows.front().kind == ChatRow::Kind::Day);

    // A narrow column wraps, and the rows still cover every word of the message.
    state.apply(event::ChatReceived{kBob, 6, "Bob", "one two three four five six seven\nlast",
                                    t0 + 24 * 60 * kMinute},
                t0);
    ui::layoutChat(view, bob, {}, font, font->FontSize, font->FontSize * 6);
    const std::string rows = textOfRows(view, bob, 5);
    CHECK(rows.find("one") != std::string::npos);
    CHECK(rows.find("seven|last|") != std::string::npos);
    CHECK(std::count(rows.begin(), rows.end(), '|') >= 4);
}

TEST_CASE("chat history: a new message is measured alone, a narrower column turns heights into estimates")
{
    HeadlessUi ui;
    ui.state.apply(event::ChatReceived{kBob, 1, "Bob", "hello", ui.nowMs}, ui.nowMs);
    ui::ChatHistoryView view;
    ImFont* font = ImGui::GetIO().Fonts->Fonts[0];
    ui::layoutChat(view, *ui.state.findPeer(kBob), {}, font, font->FontSize, 500.f);
    const std::size_t before = view.rows.size();
    CHECK(view.layout.unmeasured == 0);
    ui.state.apply(event::ChatReceived{kBob, 2, "Bob", "again", ui.nowMs}, ui.nowMs);
    ui::syncLayout(view.layout, *ui.state.findPeer(kBob), {}, font, font->FontSize, 500.f);
    CHECK(view.layout.exact[0] == 1); // the first message keeps its measured height
    CHECK(view.layout.exact[1] == 0);
    ui::layoutChat(view, *ui.state.findPeer(kBob), {}, font, font->FontSize, 500.f);
    CHECK(view.rows.size() == before + 1); // same group: one text row
    CHECK(view.layout.tree.total() == view.rows.size());
    ui::syncLayout(view.layout, *ui.state.findPeer(kBob), {}, font, font->FontSize, 2.f); // absurdly narrow
    CHECK(view.layout.unmeasured == view.layout.heights.size());
    ui::layoutChat(view, *ui.state.findPeer(kBob), {}, font, font->FontSize, 2.f);
    CHECK(view.rows.size() > before + 1);
    CHECK(view.layout.tree.total() == view.rows.size());
}

TEST_CASE("chat history: a word longer than the column and multi-byte text still make progress")
{
    HeadlessUi ui;
    ui.state.apply(event::ChatReceived{kBob, 1, "Bob", std::string(300, 'x') + " Ψυχή二人", ui.nowMs},
                   ui.nowMs);
    const state::Peer& bob = *ui.state.findPeer(kBob);
    ui::ChatHistoryView view;
    ImFont* font = ImGui::GetIO().Fonts->Fonts[0];
    ui::layoutChat(view, bob, {}, font, font->FontSize, 1.f);
    std::size_t covered = 0;
    for (const ChatRow& row : view.rows) {
        if (row.kind != ChatRow::Kind::Text) continue;
        CHECK(row.end > row.begin);
        covered += row.end - row.begin;
    }
    CHECK(covered + 1 >= bob.messages[0].text.size()); // all but the space at a wrap
}

TEST_CASE("chat history: 100,000 messages draw in a few milliseconds per frame")
{
    HeadlessUi ui;
    ui.state.apply(event::PeerConnected{kBob, "Bob", "a", "F", "1", Trust::Verified}, ui.nowMs);
    ui.state.apply(event::PeerVerified{kBob}, ui.nowMs);
    for (std::uint64_t i = 1; i <= 100'000; ++i)
        ui.state.apply(event::ChatReceived{kBob, i, "Bob", "message number " + std::to_string(i), ui.nowMs},
                       ui.nowMs);
    ui.frame(); // lays out what is on screen, measures the rest a few milliseconds a frame
    ui.frame();
    const double msPerFrame = ui.millisecondsPerFrame(20);
    MESSAGE("ms per frame with 100k messages: " << msPerFrame); // measured, not asserted
    CHECK(ui.view.history.layout.tree.total() >= 100'000);
    CHECK(ui.view.history.rows.size() < 200); // rows exist for the screen only
    // Only the visible rows became draw commands: the window's vertex count is small.
    CHECK(ImGui::GetDrawData()->TotalVtxCount < 60'000);
}

TEST_CASE("chat history: selecting a message and pressing Ctrl+C copies its text")
{
    HeadlessUi ui;
    ui.state.apply(event::PeerConnected{kBob, "Bob", "a", "F", "1", Trust::Verified}, ui.nowMs);
    ui.state.apply(event::PeerVerified{kBob}, ui.nowMs);
    ui.state.apply(event::ChatReceived{kBob, 1, "Bob", "copy me", ui.nowMs}, ui.nowMs);
    ui.click("chat.message.0");
    CHECK(ui.view.history.selectedMessage == 0);
    ui.pressCtrl(ImGuiKey_C);
    CHECK(HeadlessUi::clipboard() == "copy me");
}

TEST_CASE("chat history: pictures go between the messages at the time they finished")
{
    HeadlessUi ui;
    const std::int64_t t0 = ui.nowMs;
    ui.state.apply(event::ChatReceived{kBob, 1, "Bob", "look at this", t0}, t0);
    ui.state.apply(event::ChatReceived{kBob, 2, "Bob", "nice, right?", t0 + 2 * kMinute}, t0);
    const state::Peer& bob = *ui.state.findPeer(kBob);
    std::vector<ui::ChatImage> pictures{
        ui::ChatImage{TransferId{9}, 1, false, "/dl/cat.png", "cat.png", t0 + kMinute},
        ui::ChatImage{TransferId{9}, 2, true, "/home/me/dog.png", "dog.png", t0 + 3 * kMinute}};
    ui::ChatHistoryView view;
    ImFont* font = ImGui::GetIO().Fonts->Fonts[0];
    ui::layoutChat(view, bob, pictures, font, font->FontSize, 1000.f);

    // Order of entries: message 1, picture 0, message 2, picture 1.
    std::vector<std::pair<bool, std::uint32_t>> order;
    for (const ChatRow& row : view.rows) {
        const bool starts = row.kind == ChatRow::Kind::Sender;
        if (starts) order.emplace_back(row.picture, row.message);
    }
    const std::vector<std::pair<bool, std::uint32_t>> expected{{false, 0}, {true, 0}, {false, 1}, {true, 1}};
    CHECK(order == expected);
    CHECK(count(view, ChatRow::Kind::Picture) == static_cast<int>(2 * ui::kPictureRows));
    CHECK(count(view, ChatRow::Kind::Day) == 1); // all on one day
    // Slices are numbered 0..kPictureRows-1, each knowing the block's height.
    std::uint32_t slice = 0;
    for (const ChatRow& row : view.rows) {
        if (row.kind != ChatRow::Kind::Picture || row.message != 0) continue;
        CHECK(row.begin == slice++);
        CHECK(row.end == ui::kPictureRows);
    }

    // A new picture lays the conversation out again; a new message after it starts its own group.
    pictures.push_back(ui::ChatImage{TransferId{10}, 1, false, "/dl/x.gif", "x.gif", t0 + 4 * kMinute});
    ui::layoutChat(view, bob, pictures, font, font->FontSize, 1000.f);
    CHECK(count(view, ChatRow::Kind::Picture) == static_cast<int>(3 * ui::kPictureRows));
    ui.state.apply(event::ChatReceived{kBob, 3, "Bob", "and this one", t0 + 5 * kMinute}, t0);
    ui::layoutChat(view, bob, pictures, font, font->FontSize, 1000.f);
    CHECK(view.rows[view.rows.size() - 2].kind == ChatRow::Kind::Sender);
    CHECK_FALSE(view.rows[view.rows.size() - 2].picture);
    CHECK(view.rows.back().kind == ChatRow::Kind::Text);
}
