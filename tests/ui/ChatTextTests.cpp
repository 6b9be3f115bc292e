// Pointing at the text of the conversation: a click on a link asks the front end to open it, dragging
// selects part of a message or runs on over several (held above the list, it scrolls to messages never
// laid out), a double-click a word, Shift+Click and Shift+Up/Down extend, and Ctrl+C, Ctrl+A, Escape and
// the row menu act on that selection. 100,000 messages keep their frame time with a link in every
// message, and Ctrl+A then Ctrl+C over them copies over a few frames, each kept short.
#include "HeadlessUi.hpp"
#include "duet/ui/ChatText.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <doctest/doctest.h>

using namespace duet;
using duet::ui::test::HeadlessUi;

namespace {

const PeerId kBob{5};

void connectBob(HeadlessUi& ui)
{
    ui.state.apply(event::PeerConnected{kBob, "Bob", "a", "F", "1", Trust::Verified}, ui.nowMs);
    ui.state.apply(event::PeerVerified{kBob}, ui.nowMs);
}

void receive(HeadlessUi& ui, std::uint64_t id, const std::string& text)
{
    ui.state.apply(event::ChatReceived{kBob, id, "Bob", text, ui.nowMs}, ui.nowMs);
}

ui::ScreenRect drawn(HeadlessUi& ui, std::string_view key)
{
    ui.frame();
    ui.frame();
    const auto rect = ui.locator.find(key);
    REQUIRE_MESSAGE(rect.has_value(), "not drawn: " << std::string(key));
    return *rect;
}

// Bob is connected and sent `message`; returns where its first row's text was drawn.
ui::ScreenRect showMessage(HeadlessUi& ui, const std::string& message)
{
    connectBob(ui);
    receive(ui, 1, message);
    return drawn(ui, "chat.text.0");
}

// Screen x of byte `offset` of a one-row message whose text starts at `text.minX`.
float xOf(const ui::ScreenRect& text, std::string_view message, std::size_t offset)
{
    return text.minX + ImGui::CalcTextSize(message.data(), message.data() + offset).x;
}

std::string selected(const HeadlessUi& ui, std::size_t message)
{
    const std::string& text = ui.state.findPeer(kBob)->messages[message].text;
    const auto [begin, end] = ui::selectionIn(ui.view.history, message, text.size());
    return text.substr(begin, end - begin);
}

// Bob is connected and sent `texts`, one message a minute; the clock is UTC.
void showMessages(HeadlessUi& ui, const std::vector<std::string>& texts)
{
    setenv("TZ", "UTC", 1);
    tzset();
    connectBob(ui);
    std::uint64_t id = 1;
    for (const std::string& text : texts) {
        ui.state.apply(
            event::ChatReceived{kBob, id, "Bob", text, ui.nowMs + static_cast<std::int64_t>(id) * 60'000},
            ui.nowMs);
        ++id;
    }
    ui.frame();
    ui.frame();
}

ui::ScreenRect textRect(HeadlessUi& ui, std::size_t message)
{
    const auto rect = ui.locator.find("chat.text." + std::to_string(message));
    REQUIRE_MESSAGE(rect.has_value(), "not drawn: message " << message);
    return *rect;
}

// Messages "line 0" .. "line <count - 1>", far more than a 500-pixel window shows.
void showLines(HeadlessUi& ui, int count)
{
    std::vector<std::string> texts;
    for (int i = 0; i < count; ++i)
        texts.push_back("line " + std::to_string(i));
    showMessages(ui, texts);
}

const std::vector<std::string> kThree{"alpha one", "bravo two", "charlie three"};

} // namespace

TEST_CASE("chat text: a click on a link asks the front end to open its URL, once")
{
    HeadlessUi ui;
    connectBob(ui);
    receive(ui, 1, "read www.example.org/docs, then reply");
    const ui::ScreenRect link = drawn(ui, "chat.link.0.0");
    CHECK(ui.view.history.links.size() == 1);
    ui.clickAt(link.centerX(), link.centerY());
    CHECK(ui.view.history.openLinkRequests == std::vector<std::string>{"https://www.example.org/docs"});
    CHECK(ImGui::GetMouseCursor() == ImGuiMouseCursor_Hand);

    // Text next to the link opens nothing and shows a text cursor.
    ui.view.history.openLinkRequests.clear();
    const ui::ScreenRect text = drawn(ui, "chat.text.0");
    ui.clickAt(text.minX + 3, text.centerY());
    CHECK(ui.view.history.openLinkRequests.empty());
    CHECK(ImGui::GetMouseCursor() == ImGuiMouseCursor_TextInput);
    CHECK(ui.view.history.selectedMessage == 0);
}

TEST_CASE("chat text: dragging over a message selects part of it and Ctrl+C copies just that part")
{
    HeadlessUi ui;
    const std::string message = "read https://example.com/docs please";
    const ui::ScreenRect text = showMessage(ui, message);
    ui.drag(ImVec2(text.minX - 2, text.centerY()), ImVec2(xOf(text, message, 5), text.centerY()));
    CHECK(selected(ui, 0) == "read ");
    ui.pressCtrl(ImGuiKey_C);
    CHECK(HeadlessUi::clipboard() == "read ");

    // A drag that starts on the link selects text and does not open the link.
    ui.drag(ImVec2(xOf(text, message, 13), text.centerY()), ImVec2(xOf(text, message, 29), text.centerY()));
    CHECK(selected(ui, 0) == "example.com/docs");
    CHECK(ui.view.history.openLinkRequests.empty());
    ui.pressCtrl(ImGuiKey_C);
    CHECK(HeadlessUi::clipboard() == "example.com/docs");

    // Dragging below the message selects to its end.
    ui.drag(ImVec2(xOf(text, message, 21), text.centerY()), ImVec2(text.minX, text.maxY + 200));
    CHECK(selected(ui, 0) == "com/docs please");

    // Escape clears the selection; Ctrl+C then copies the whole message again.
    ui.press(ImGuiKey_Escape);
    CHECK(selected(ui, 0).empty());
    ui.pressCtrl(ImGuiKey_C);
    CHECK(HeadlessUi::clipboard() == message);
    ui.pressCtrl(ImGuiKey_A);
    CHECK(selected(ui, 0) == message);

    // A click elsewhere (here the chat input) ends the selection.
    ui.click("chat.input");
    CHECK(selected(ui, 0).empty());
}

TEST_CASE("chat text: a double-click selects a word, or the whole link it is on")
{
    HeadlessUi ui;
    const std::string message = "hello brave new world https://example.com/x";
    const ui::ScreenRect text = showMessage(ui, message);
    const float x = xOf(text, message, 8);
    ui.clickAt(x, text.centerY());
    ui.clickAt(x, text.centerY());
    CHECK(selected(ui, 0) == "brave");
    ui.view.history.openLinkRequests.clear();
    const float linkX = xOf(text, message, 30);
    ui.clickAt(linkX, text.centerY());
    ui.clickAt(linkX, text.centerY());
    CHECK(selected(ui, 0) == "https://example.com/x");
    CHECK(ui.view.history.openLinkRequests.size() == 1); // the first click opened it, the second did not
}

TEST_CASE("chat text: the row menu opens or copies the link under the mouse and copies a selection")
{
    HeadlessUi ui;
    const std::string message = "see http://example.net/a now";
    receive(ui, 1, message);
    const ui::ScreenRect link = drawn(ui, "chat.link.0.0");
    ui.clickAt(link.centerX(), link.centerY(), 1);
    CHECK(ui.view.history.menuLink == "http://example.net/a");
    ui.click("chat.menu.open-link");
    CHECK(ui.view.history.openLinkRequests == std::vector<std::string>{"http://example.net/a"});

    const ui::ScreenRect text = drawn(ui, "chat.text.0");
    ui.drag(ImVec2(text.minX - 2, text.centerY()), ImVec2(xOf(text, message, 3), text.centerY()));
    REQUIRE(selected(ui, 0) == "see");
    ui.clickAt(text.minX + 1, text.centerY(), 1); // away from the link: no link items
    CHECK(ui.view.history.menuLink.empty());
    CHECK_FALSE(ui.has("chat.menu.open-link"));
    ui.click("chat.menu.copy-selection");
    CHECK(HeadlessUi::clipboard() == "see");
}

TEST_CASE("chat text: a selection spans wrapped rows and ends where older messages are loaded")
{
    HeadlessUi ui(800.f, 600.f);
    connectBob(ui);
    std::string message;
    for (int i = 0; i < 80; ++i)
        message += "word" + std::to_string(i) + " ";
    const ui::ScreenRect text = showMessage(ui, message);
    const float rowHeight = std::round(ImGui::GetFontSize() * 1.3f);
    ui.drag(ImVec2(text.minX - 2, text.centerY()), ImVec2(text.minX + 1, text.centerY() + rowHeight * 2));
    const std::string part = selected(ui, 0);
    CHECK(part.size() > 20);
    CHECK(message.starts_with(part));
    // Older history in front renumbers the messages: the selection stays on its text, now message 1.
    REQUIRE(ui.state.findPeer(kBob)->historyLoading);
    event::HistoryEntry older;
    older.rowId = 1;
    older.messageId = 99;
    older.text = "an older message";
    older.sentAtMs = ui.nowMs - 60'000;
    ui.state.apply(event::HistoryPage{"F", {older}, false}, ui.nowMs);
    ui.frame();
    CHECK(ui.state.findPeer(kBob)->messages.size() == 2);
    CHECK(selected(ui, 0).empty());
    CHECK(selected(ui, 1) == part);
}

TEST_CASE("chat text: 100,000 messages with a link each find links on screen only and draw quickly")
{
    HeadlessUi ui;
    connectBob(ui);
    for (std::uint64_t i = 1; i <= 100'000; ++i)
        receive(ui, i,
                "see https://example.com/" + std::to_string(i) + " (number " + std::to_string(i) + ")");
    ui.frame();
    ui.frame();
    CHECK(ui.view.history.links.size() < 200);
    CHECK(ui.view.history.links.size() ==
          std::min<std::size_t>(ui.view.history.windowEnd, 100'000) - ui.view.history.windowFirst);
    const double msPerFrame = ui.millisecondsPerFrame(20);
    MESSAGE("ms per frame with 100k linked messages: " << msPerFrame); // measured, not asserted
    CHECK(ui.has("chat.link.99999.0")); // the newest message is on screen with its link
    CHECK_FALSE(ui.has("chat.link.0.0"));
    // A new message at the bottom is drawn with its link.
    receive(ui, 100'001, "and www.example.org");
    ui.frame();
    CHECK(ui.has("chat.link.100000.0"));
}

TEST_CASE("chat select: dragging down over three messages selects across them and Ctrl+C copies blocks")
{
    HeadlessUi ui;
    showMessages(ui, kThree);
    const ui::ScreenRect first = textRect(ui, 0);
    const ui::ScreenRect last = textRect(ui, 2);
    ui.drag(ImVec2(xOf(first, kThree[0], 6), first.centerY()),
            ImVec2(xOf(last, kThree[2], 7), last.centerY()));
    CHECK(selected(ui, 0) == "one");
    CHECK(selected(ui, 1) == "bravo two");
    CHECK(selected(ui, 2) == "charlie");
    ui.pressCtrl(ImGuiKey_C);
    CHECK(HeadlessUi::clipboard() ==
          "-- Today --\n[08:01] Bob: one\n[08:02] Bob: bravo two\n[08:03] Bob: charlie\n");

    // Upwards, from the end of the last message into the middle of the first.
    ui.drag(ImVec2(last.maxX + 40, last.centerY()), ImVec2(xOf(first, kThree[0], 2), first.centerY()));
    CHECK(selected(ui, 0) == "pha one");
    CHECK(selected(ui, 1) == "bravo two");
    CHECK(selected(ui, 2) == "charlie three");

    // The row menu of any message in it copies the whole selection.
    const ui::ScreenRect middle = textRect(ui, 1);
    ui.clickAt(middle.centerX(), middle.centerY(), 1);
    ui.click("chat.menu.copy-selection");
    CHECK(HeadlessUi::clipboard() ==
          "-- Today --\n[08:01] Bob: pha one\n[08:02] Bob: bravo two\n[08:03] Bob: charlie three\n");

    ui.press(ImGuiKey_Escape);
    CHECK(selected(ui, 1).empty());

    // "Select conversation" in the row menu selects every message, as Ctrl+A does.
    ui.clickAt(middle.centerX(), middle.centerY(), 1);
    ui.click("chat.menu.select-conversation");
    CHECK(selected(ui, 0) == kThree[0]);
    CHECK(selected(ui, 2) == kThree[2]);
}

TEST_CASE("chat select: Shift+Click extends the selection and Shift+Up or Down moves it by a message")
{
    HeadlessUi ui;
    showMessages(ui, kThree);
    const ui::ScreenRect first = textRect(ui, 0);
    const ui::ScreenRect last = textRect(ui, 2);
    ui.clickAt(xOf(first, kThree[0], 6), first.centerY());
    ImGui::GetIO().KeyShift = true;
    ui.clickAt(xOf(last, kThree[2], 7), last.centerY());
    ImGui::GetIO().KeyShift = false;
    CHECK(selected(ui, 0) == "one");
    CHECK(selected(ui, 1) == "bravo two");
    CHECK(selected(ui, 2) == "charlie");

    ui.press(ImGuiKey_DownArrow, true); // the rest of the focus message
    CHECK(selected(ui, 2) == "charlie three");
    ui.press(ImGuiKey_UpArrow, true); // back to the focus message's start
    ui.press(ImGuiKey_UpArrow, true); // and the one above's
    CHECK(selected(ui, 0) == "one");
    CHECK(selected(ui, 1).empty());
    CHECK(selected(ui, 2).empty());
    ui.press(ImGuiKey_UpArrow, true); // above the anchor
    CHECK(selected(ui, 0) == "alpha ");
}

TEST_CASE("chat select: Shift+Up past the top of the view scrolls to the focus message")
{
    HeadlessUi ui(800.f, 500.f);
    showLines(ui, 300);
    const ui::ScreenRect newest = textRect(ui, 299);
    ui.clickAt(newest.maxX + 20, newest.centerY()); // a caret at the end of the newest message
    for (int i = 0; i < 120; ++i)
        ui.press(ImGuiKey_UpArrow, true);
    CHECK(ui.view.history.selection.focus.index == 180); // the first press went to the start of 299
    CHECK(ui.view.history.selection.focus.offset == 0);
    ui.frame();
    CHECK(ui.has("chat.text.180"));
    CHECK(selected(ui, 180) == "line 180");
    CHECK(selected(ui, 299) == "line 299");
    CHECK(selected(ui, 179).empty());
}

TEST_CASE("chat select: a drag held above the list scrolls up and selects messages never laid out")
{
    HeadlessUi ui(800.f, 500.f);
    showLines(ui, 300);
    const ui::ScreenRect newest = textRect(ui, 299);
    const std::size_t firstLaidOut = ui.view.history.windowFirst;
    REQUIRE(firstLaidOut > 100);
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(newest.maxX, newest.centerY());
    ui.frame();
    io.MouseDown[0] = true;
    ui.frame();
    io.MousePos = ImVec2(newest.minX, -50.f); // far above the history
    int frames = 0;
    while (ui.view.history.selection.focus.index > 40 && frames < 400) {
        ui.frame();
        CHECK(ui.view.history.autoScrolling);
        ++frames;
    }
    io.MouseDown[0] = false;
    ui.frame();
    CHECK_FALSE(ui.view.history.autoScrolling);
    MESSAGE("frames of auto-scroll to reach message 40: " << frames);
    CHECK(ui.view.history.selection.focus.index <= 40);
    CHECK(selected(ui, 200) == "line 200");
    CHECK(selected(ui, 299) == "line 299");
    ui.pressCtrl(ImGuiKey_C);
    const std::string copied = HeadlessUi::clipboard();
    CHECK(copied.find("Bob: line 150\n") != std::string::npos);
    CHECK(copied.ends_with("Bob: line 299\n"));
}

TEST_CASE("chat select: Ctrl+A selects 100,000 messages, Ctrl+C copies them over a few short frames")
{
    HeadlessUi ui;
    std::vector<std::string> texts;
    for (int i = 0; i < 100'000; ++i)
        texts.push_back("message " + std::to_string(i) + " of a long conversation");
    showMessages(ui, texts);
    ui.click("chat.message.99999");
    ui.pressCtrl(ImGuiKey_A);
    CHECK(selected(ui, 0) == texts[0]);
    CHECK(selected(ui, 99'999) == texts[99'999]);
    const double msPerFrame = ui.millisecondsPerFrame(10);
    MESSAGE("ms per frame with 100k messages selected: " << msPerFrame); // measured, not asserted
    // Ctrl+C starts the copy; each frame appends its share until the clipboard gets the whole text.
    ImGui::SetClipboardText("before");
    ui.pressCtrl(ImGuiKey_C);
    CHECK(ui.view.history.copying);
    CHECK(HeadlessUi::clipboard() == "before");
    // A message arriving in the middle of the copy is not in it.
    ui.state.apply(event::ChatReceived{kBob, 300'000, "Bob", "during the copy", ui.nowMs}, ui.nowMs);
    int frames = 0;
    double longest = 0.0;
    const auto start = std::chrono::steady_clock::now();
    while (ui.view.history.copying && frames < 1000) {
        const auto frameStart = std::chrono::steady_clock::now();
        ui.frame();
        longest = std::max(
            longest,
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - frameStart).count());
        ++frames;
    }
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    MESSAGE("Ctrl+C of 100,000 messages: " << frames << " more frames, " << ms << " ms, the longest frame "
                                           << longest << " ms");
    CHECK(frames > 1); // spread over frames, 4 ms of each; the timings above are measured, not asserted
    const std::string copied = HeadlessUi::clipboard();
    CHECK(copied.starts_with("-- Today --\n[08:01] Bob: message 0 of a long conversation\n"));
    CHECK(copied.ends_with("Bob: message 99999 of a long conversation\n"));

    // New messages arriving keep the selection on the same messages.
    ui.state.apply(event::ChatReceived{kBob, 200'000, "Bob", "new", ui.nowMs}, ui.nowMs);
    ui.frame();
    CHECK(selected(ui, 99'999) == texts[99'999]);
    CHECK(selected(ui, 100'001).empty());
}
