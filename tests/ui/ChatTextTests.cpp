// Pointing at the text of the conversation: a click on a link asks the front end to open it, dragging
// selects part of a message, a double-click a word, and Ctrl+C, Ctrl+A, Escape and the row menu act on
// that selection. The 100,000-message history keeps its frame time with a link in every message.
#include "HeadlessUi.hpp"
#include "duet/ui/ChatText.hpp"

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

void drag(HeadlessUi& ui, float fromX, float fromY, float toX, float toY)
{
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(fromX, fromY);
    ui.frame();
    io.MouseDown[0] = true;
    ui.frame();
    io.MousePos = ImVec2((fromX + toX) * 0.5f, (fromY + toY) * 0.5f);
    ui.frame();
    io.MousePos = ImVec2(toX, toY);
    ui.frame();
    io.MouseDown[0] = false;
    ui.frame();
}

void ctrl(HeadlessUi& ui, ImGuiKey key)
{
    ImGui::GetIO().KeyCtrl = true;
    ui.press(key);
    ImGui::GetIO().KeyCtrl = false;
}

std::string clipboard()
{
    const char* text = ImGui::GetClipboardText();
    return text ? text : "";
}

std::string selected(const HeadlessUi& ui, std::size_t message)
{
    const auto [begin, end] = ui::selectionIn(ui.view.history, message);
    return ui.state.findPeer(kBob)->messages[message].text.substr(begin, end - begin);
}

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
    drag(ui, text.minX - 2, text.centerY(), xOf(text, message, 5), text.centerY());
    CHECK(selected(ui, 0) == "read ");
    ctrl(ui, ImGuiKey_C);
    CHECK(clipboard() == "read ");

    // A drag that starts on the link selects text and does not open the link.
    drag(ui, xOf(text, message, 13), text.centerY(), xOf(text, message, 29), text.centerY());
    CHECK(selected(ui, 0) == "example.com/docs");
    CHECK(ui.view.history.openLinkRequests.empty());
    ctrl(ui, ImGuiKey_C);
    CHECK(clipboard() == "example.com/docs");

    // Dragging below the message selects to its end.
    drag(ui, xOf(text, message, 21), text.centerY(), text.minX, text.maxY + 200);
    CHECK(selected(ui, 0) == "com/docs please");

    // Escape clears the selection; Ctrl+C then copies the whole message again.
    ui.press(ImGuiKey_Escape);
    CHECK(selected(ui, 0).empty());
    ctrl(ui, ImGuiKey_C);
    CHECK(clipboard() == message);
    ctrl(ui, ImGuiKey_A);
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
    drag(ui, text.minX - 2, text.centerY(), xOf(text, message, 3), text.centerY());
    REQUIRE(selected(ui, 0) == "see");
    ui.clickAt(text.minX + 1, text.centerY(), 1); // away from the link: no link items
    CHECK(ui.view.history.menuLink.empty());
    CHECK_FALSE(ui.has("chat.menu.open-link"));
    ui.click("chat.menu.copy-selection");
    CHECK(clipboard() == "see");
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
    drag(ui, text.minX - 2, text.centerY(), text.minX + 1, text.centerY() + rowHeight * 2);
    const std::string part = selected(ui, 0);
    CHECK(part.size() > 20);
    CHECK(message.starts_with(part));
    // Older history in front renumbers the messages: the selection is dropped, not moved to another one.
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
    CHECK(selected(ui, 1).empty());
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
    MESSAGE("ms per frame with 100k linked messages: " << msPerFrame);
    CHECK(msPerFrame < 20.0);
    CHECK(ui.has("chat.link.99999.0")); // the newest message is on screen with its link
    CHECK_FALSE(ui.has("chat.link.0.0"));
    // A new message at the bottom is drawn with its link.
    receive(ui, 100'001, "and www.example.org");
    ui.frame();
    CHECK(ui.has("chat.link.100000.0"));
}
