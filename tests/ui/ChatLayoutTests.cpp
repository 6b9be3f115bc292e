// The lazy conversation layout: estimates turn into exact heights, the view stays on its message while
// heights above it change, new messages stick to the bottom, a jump lands on its message, and a new width
// measures again a few milliseconds a frame instead of all at once.
#include "HeadlessUi.hpp"
#include "duet/ui/ChatHistory.hpp"
#include "duet/ui/RowTree.hpp"

#include <cmath>
#include <doctest/doctest.h>
#include <random>

using namespace duet;
using duet::ui::test::HeadlessUi;

namespace {

const PeerId kBob{5};
constexpr std::int64_t kHour = 3'600'000;

// `count` messages two hours apart (a day separator every twelve, which estimates leave out), of
// lengths from one word to a wrapped paragraph.
void fill(HeadlessUi& ui, std::size_t count)
{
    ui.state.apply(event::PeerConnected{kBob, "Bob", "a", "F", "1", Trust::Verified}, ui.nowMs);
    ui.state.apply(event::PeerVerified{kBob}, ui.nowMs);
    const std::int64_t start = ui.nowMs - static_cast<std::int64_t>(count) * 2 * kHour;
    for (std::size_t i = 0; i < count; ++i) {
        std::string text = "message " + std::to_string(i);
        for (std::size_t w = 0; w < (i * 7) % 60; ++w)
            text += " lantern";
        ui.state.apply(
            event::ChatReceived{kBob, i + 1, "Bob", text, start + static_cast<std::int64_t>(i) * 2 * kHour},
            ui.nowMs);
    }
}

float rowHeight()
{
    return std::round(ImGui::GetFontSize() * 1.3f);
}

float topOf(HeadlessUi& ui, std::size_t message)
{
    const auto rect = ui.locator.find("chat.text." + std::to_string(message));
    REQUIRE_MESSAGE(rect.has_value(), "message not drawn: " << message);
    return rect->minY;
}

// The first message whose block (day, sender and text rows) starts inside the view.
std::size_t firstWhole(HeadlessUi& ui)
{
    const ui::ChatHistoryView& history = ui.view.history;
    const float viewTop = ui.locator.find("chat.history")->minY;
    for (std::size_t m = history.windowFirst; m < history.windowEnd; ++m) {
        const auto text = ui.locator.find("chat.text." + std::to_string(m));
        if (!text) continue;
        const std::size_t begin = history.entryRows[m - history.windowFirst];
        std::size_t header = 0;
        while (history.rows[begin + header].kind != ui::ChatRow::Kind::Text)
            ++header;
        if (text->minY - static_cast<float>(header) * rowHeight() >= viewTop) return m;
    }
    FAIL("no message starts in the view");
    return 0;
}

} // namespace

TEST_CASE("chat layout: the row tree sums, finds and appends like a plain list")
{
    std::mt19937 random(7);
    std::vector<std::uint32_t> counts(300);
    for (std::uint32_t& count : counts)
        count = random() % 5;
    ui::RowTree tree;
    tree.assign(counts);
    for (int step = 0; step < 200; ++step) {
        const std::size_t entry = random() % counts.size();
        const auto value = static_cast<std::uint32_t>(random() % 5);
        tree.add(entry, static_cast<std::int64_t>(value) - counts[entry]);
        counts[entry] = value;
        if (step % 10 == 0) {
            counts.push_back(1 + random() % 3);
            tree.push_back(counts.back());
        }
    }
    std::uint64_t sum = 0;
    for (std::size_t entry = 0; entry < counts.size(); ++entry) {
        CHECK(tree.before(entry) == sum);
        for (std::uint32_t row = 0; row < counts[entry]; ++row)
            CHECK(tree.entryAt(sum + row) == entry);
        sum += counts[entry];
    }
    CHECK(tree.total() == sum);
    CHECK(tree.entryAt(sum + 10) == counts.size() - 1);
}

TEST_CASE("chat layout: estimates are replaced by the heights a full layout gives")
{
    HeadlessUi ui;
    fill(ui, 3000);
    const state::Peer& bob = *ui.state.findPeer(kBob);
    ImFont* font = ImGui::GetIO().Fonts->Fonts[0];
    ui::ChatLayout layout;
    ui::syncLayout(layout, bob, {}, font, font->FontSize, 400.f);
    CHECK(layout.unmeasured == 3001); // every message and the pictures-only entry at the end
    const std::uint64_t estimated = layout.tree.total();
    int rounds = 0;
    while (!ui::measureSome(layout, bob, {}, std::chrono::microseconds(500)))
        ++rounds;
    CHECK(rounds > 0); // sliced: one call did not measure everything
    ui::ChatHistoryView full;
    ui::layoutChat(full, bob, {}, font, font->FontSize, 400.f);
    CHECK(layout.tree.total() == full.rows.size());
    CHECK(layout.tree.total() != estimated); // day separators were missing from the estimates
    for (std::size_t entry = 0; entry < layout.heights.size(); ++entry)
        CHECK(layout.heights[entry] == full.entryRows[entry + 1] - full.entryRows[entry]);
}

TEST_CASE("chat layout: the first frame of 100,000 messages lays out the screen, not the history")
{
    HeadlessUi ui;
    fill(ui, 100'000);
    const double firstMs = ui.millisecondsPerFrame(1);
    MESSAGE("first frame with 100k messages: " << firstMs << " ms");
    const ui::ChatHistoryView& history = ui.view.history;
    CHECK(history.measuring);
    CHECK(history.layout.unmeasured > 50'000);
    CHECK(history.rows.size() < 200);
    ui.frame();
    CHECK(ui.has("chat.text.99999")); // opened at the newest message
}

TEST_CASE("chat layout: the message at the top stays put while heights above it are measured")
{
    HeadlessUi ui;
    fill(ui, 30'000);
    ui.frame();
    ui.view.history.jumpTo = 12'000;
    ui.frame();
    const float top = topOf(ui, 12'000);
    const std::uint64_t above = ui.view.history.layout.tree.before(12'000);
    int frames = 0;
    while (ui.view.history.measuring && frames < 2000) {
        ui.frame();
        ++frames;
        REQUIRE(topOf(ui, 12'000) == top);
    }
    CHECK_FALSE(ui.view.history.measuring);
    CHECK(ui.view.history.layout.tree.before(12'000) != above); // heights above did change
    CHECK(ui.view.history.selectedMessage == 12'000);
}

TEST_CASE("chat layout: a jump lands on its message 40 % down the view, measured or not")
{
    HeadlessUi ui;
    fill(ui, 30'000);
    ui.frame();
    ui.frame();
    REQUIRE(ui.view.history.layout.exact[150] == 0); // far from the newest: still an estimate
    ui.view.history.jumpTo = 150;
    ui.frame();
    const auto view = ui.locator.find("chat.history");
    REQUIRE(view.has_value());
    const float expected = view->minY + (view->maxY - view->minY) * 0.4f;
    CHECK(std::fabs(topOf(ui, 150) - expected) <= rowHeight());
    CHECK(ui.view.history.selectedMessage == 150);
}

TEST_CASE("chat layout: new messages stick to the bottom while the history is being measured")
{
    HeadlessUi ui;
    fill(ui, 30'000);
    ui.frame();
    std::uint64_t id = 100'000;
    bool whileMeasuring = false;
    for (int i = 0; i < 10; ++i) {
        whileMeasuring = whileMeasuring || ui.view.history.measuring;
        std::string text = "new " + std::to_string(i);
        for (int w = 0; w < i * 9; ++w)
            text += " paragraph";
        ui.state.apply(event::ChatReceived{kBob, ++id, "Bob", text, ui.nowMs}, ui.nowMs);
        ui.frame();
        const std::size_t newest = ui.state.findPeer(kBob)->messages.size() - 1;
        const auto view = ui.locator.find("chat.history");
        const auto rows = ui.view.history.rows;
        REQUIRE(view.has_value());
        // The newest message's last row ends at the bottom of the view.
        const float top = topOf(ui, newest);
        std::size_t newestRows = 0;
        for (const ui::ChatRow& row : rows)
            newestRows += row.kind == ui::ChatRow::Kind::Text && row.message == newest;
        CHECK(std::fabs(top + static_cast<float>(newestRows) * rowHeight() - view->maxY) <= rowHeight());
    }
    CHECK(whileMeasuring); // the first messages came while most heights were still estimates
}

TEST_CASE("chat layout: a new width turns heights into estimates, measured again over frames")
{
    HeadlessUi ui(1100.f, 720.f);
    fill(ui, 20'000);
    ui.frame();
    ui.view.history.jumpTo = 10'000;
    ui.frame();
    while (ui.view.history.measuring)
        ui.frame();
    const std::size_t anchor = firstWhole(ui);
    const float top = topOf(ui, anchor);
    const std::uint64_t wide = ui.view.history.layout.tree.total();
    ImGui::GetIO().DisplaySize = ImVec2(800.f, 720.f);
    ui.frame();
    CHECK(ui.view.history.measuring);
    CHECK(ui.view.history.layout.unmeasured > 10'000); // not re-wrapped in one frame
    CHECK(topOf(ui, anchor) == top);                   // the message at the top stays in its place
    int frames = 0;
    while (ui.view.history.measuring && frames++ < 2000) {
        ui.frame();
        REQUIRE(topOf(ui, anchor) == top);
    }
    CHECK(ui.view.history.layout.tree.total() > wide); // narrower: more rows
}

TEST_CASE("chat layout: after appends, pictures and older pages, measured heights match a full layout")
{
    HeadlessUi ui; // the font
    ImFont* font = ImGui::GetIO().Fonts->Fonts[0];
    std::mt19937 random(11);
    state::Peer peer;
    peer.id = kBob;
    std::vector<ui::ChatImage> pictures;
    std::uint64_t newestId = 1000;
    std::uint64_t oldestId = 1000;
    std::int64_t newestMs = 1'800'000'000'000;
    std::int64_t oldestMs = newestMs;
    const auto message = [&](std::uint64_t id, std::int64_t at) {
        state::ChatMessage m;
        m.id = id;
        m.outgoing = random() % 3 == 0;
        m.from = m.outgoing ? "" : "Bob";
        m.text = "message " + std::to_string(id) + std::string(random() % 300, 'w');
        m.timeMs = at;
        return m;
    };
    ui::ChatLayout layout;
    for (int step = 0; step < 60; ++step) {
        const unsigned what = random() % 4;
        if (what <= 1) { // new messages, minutes to hours apart
            for (unsigned n = 1 + random() % 5; n > 0; --n) {
                newestMs += static_cast<std::int64_t>(random() % 4) * kHour / 2 + 60'000;
                peer.messages.push_back(message(++newestId, newestMs));
            }
        } else if (what == 2) { // a picture finished now
            pictures.push_back(
                ui::ChatImage{TransferId{1}, pictures.size(), false, "/p.png", "p.png", newestMs + 1});
        } else { // an older page in front
            std::vector<state::ChatMessage> older;
            for (unsigned n = 1 + random() % 6; n > 0; --n) {
                oldestMs -= kHour;
                older.insert(older.begin(), message(--oldestId, oldestMs));
            }
            peer.messages.insert(peer.messages.begin(), older.begin(), older.end());
            ++peer.prepends;
        }
        const ui::LayoutChange change = ui::syncLayout(layout, peer, pictures, font, font->FontSize, 300.f);
        CHECK_FALSE(change.reset == (step > 0)); // only the first sync starts over
        while (!ui::measureSome(layout, peer, pictures, std::chrono::microseconds(200))) {
        }
        ui::ChatHistoryView full;
        ui::layoutChat(full, peer, pictures, font, font->FontSize, 300.f);
        REQUIRE(layout.heights.size() == full.entryRows.size() - 1);
        for (std::size_t entry = 0; entry < layout.heights.size(); ++entry)
            REQUIRE(layout.heights[entry] == full.entryRows[entry + 1] - full.entryRows[entry]);
        CHECK(layout.tree.total() == full.rows.size());
    }
}

TEST_CASE("chat layout: an older page loaded in front keeps the message at the top in its place")
{
    HeadlessUi ui;
    fill(ui, 400);
    ui.frame();
    ui.view.history.jumpTo = 3;
    ui.frame();
    ui.frame();
    REQUIRE(ui.state.findPeer(kBob)->historyLoading); // the newest page was asked for
    const std::size_t anchor = firstWhole(ui);
    const float top = topOf(ui, anchor);
    std::vector<event::HistoryEntry> page;
    for (std::uint64_t i = 0; i < 30; ++i) {
        event::HistoryEntry older;
        older.rowId = static_cast<std::int64_t>(i + 1);
        older.messageId = 50'000 + i;
        older.text = "older message " + std::to_string(i) + std::string(i * 5, 'o');
        older.sentAtMs = ui.nowMs - 10'000 * kHour + static_cast<std::int64_t>(i) * kHour;
        page.push_back(older);
    }
    ui.state.apply(event::HistoryPage{"F", page, false}, ui.nowMs);
    REQUIRE(ui.state.findPeer(kBob)->messages.size() == 430);
    ui.frame();
    CHECK(topOf(ui, anchor + 30) == top); // the same message, 30 places further down the list
}

TEST_CASE("chat layout: measuring keeps frames coming only while the conversation is shown")
{
    HeadlessUi ui;
    fill(ui, 30'000);
    ui.frame();
    ui.frame();
    CHECK(ui.view.history.measuring);
    state::AppState everything = std::move(ui.state);
    ui.state = state::AppState{}; // no conversation on screen
    ui.frame();
    CHECK_FALSE(ui.view.history.measuring);
    ui.state = std::move(everything);
    ui.frame();
    ui.frame();
    CHECK(ui.view.history.measuring);
}
