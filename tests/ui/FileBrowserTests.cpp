#include "HeadlessUi.hpp"
#include "duet/ui/FileBrowser.hpp"
#include "duet/ui/TransfersPanel.hpp"

#include <chrono>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>

using namespace duet;
using duet::ui::test::HeadlessUi;
namespace fs = std::filesystem;

namespace {

// A fresh folder under the system temp dir, removed at the end of the test.
struct TempTree {
    fs::path root;
    TempTree()
    {
        root = fs::temp_directory_path() /
               ("duet-browser-" + std::to_string(::getpid()) + "-" +
                std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
        fs::create_directories(root / "sub");
        std::ofstream(root / "b.txt") << "hello";
        std::ofstream(root / "A-big.bin") << std::string(5000, 'x');
        std::ofstream(root / ".hidden") << "h";
    }
    ~TempTree()
    {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
};

// Frames until the browser's worker has delivered the listing (bounded: 200 frames, 2 s).
void waitForListing(HeadlessUi& ui)
{
    for (int i = 0;
         i < 200 && (ui.view.transfers.browser.loading || ui.view.transfers.browser.resultWaiting()); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        ui.frame();
    }
    REQUIRE_FALSE(ui.view.transfers.browser.loading);
    ui.frame();
}

void connectPeer(HeadlessUi& ui)
{
    constexpr PeerId peer{3};
    ui.state.apply(event::PeerConnecting{peer, "10.0.0.2:55555", true}, ui.nowMs);
    ui.state.apply(event::PeerConnected{peer, "Bob", "10.0.0.2:55555", "fp", "111111", Trust::Verified},
                   ui.nowMs);
    ui.state.apply(event::PeerVerified{peer}, ui.nowMs);
    ui.frame();
}

} // namespace

TEST_CASE("browser: paths, breadcrumbs and sizes")
{
    CHECK(ui::joinPath("/", "a") == "/a");
    CHECK(ui::joinPath("/a", "b") == "/a/b");
    CHECK(ui::parentPath("/a/b") == "/a");
    CHECK(ui::parentPath("/a") == "/");
    CHECK(ui::parentPath("/") == "/");
    CHECK(ui::breadcrumbFolders("/home/ann") == std::vector<std::string>{"/", "/home", "/home/ann"});
    CHECK(ui::formatSize(999) == "999 B");
    CHECK(ui::formatSize(1500) == "1.5 kB");
    CHECK(ui::formatSize(25'000'000) == "25 MB");
}

TEST_CASE("browser: the lister reads a folder on its thread, with sizes and hidden flags")
{
    TempTree tree;
    const ui::Listing listing = ui::listDirectory(tree.root.string(), {});
    CHECK(listing.error.empty());
    REQUIRE(listing.entries.size() == 4);
    bool sawHidden = false, sawDir = false, sawBig = false;
    for (const ui::DirEntry& entry : listing.entries) {
        sawHidden |= entry.name == ".hidden" && entry.hidden;
        sawDir |= entry.name == "sub" && entry.directory;
        sawBig |= entry.name == "A-big.bin" && entry.size == 5000 && entry.modifiedSec > 0;
    }
    CHECK(sawHidden);
    CHECK(sawDir);
    CHECK(sawBig);
    CHECK_FALSE(ui::listDirectory((tree.root / "missing").string(), {}).error.empty());
}

TEST_CASE("browser: a folder with 20,000 entries is listed without blocking the caller")
{
    TempTree tree;
    const fs::path big = tree.root / "big";
    fs::create_directories(big);
    for (int i = 0; i < 20000; ++i)
        std::ofstream(big / ("f" + std::to_string(i)));
    ui::DirectoryLister lister;
    const auto started = std::chrono::steady_clock::now();
    lister.request(big.string());
    const auto requestCost = std::chrono::steady_clock::now() - started;
    CHECK(requestCost < std::chrono::milliseconds(20)); // the request only hands the path over
    std::optional<ui::Listing> listing;
    for (int i = 0; i < 1000 && !listing; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        listing = lister.take();
    }
    REQUIRE(listing.has_value());
    CHECK(listing->entries.size() == 20000);
    CHECK_FALSE(lister.busy());
}

TEST_CASE("browser: filter, hidden toggle and sort (folders first)")
{
    TempTree tree;
    HeadlessUi ui;
    ui::FileBrowserState& browser = ui.view.transfers.browser;
    ui::openFileBrowser(browser, ui::BrowserPurpose::SendFiles, PeerId{1}, tree.root.string());
    waitForListing(ui);
    auto names = [&] {
        std::vector<std::string> out;
        for (auto index : browser.visible)
            out.push_back(browser.listing.entries[index].name);
        return out;
    };
    CHECK(names() == std::vector<std::string>{"sub", "A-big.bin", "b.txt"});
    browser.showHidden = true;
    browser.visibleDirty = true;
    ui::refreshListing(browser);
    CHECK(names().size() == 4);
    browser.filter = "TXT";
    browser.visibleDirty = true;
    ui::refreshListing(browser);
    CHECK(names() == std::vector<std::string>{"b.txt"});
    browser.filter.clear();
    browser.showHidden = false;
    browser.sort = ui::BrowserSort::Size;
    browser.ascending = false;
    browser.visibleDirty = true;
    ui::refreshListing(browser);
    CHECK(names() == std::vector<std::string>{"sub", "A-big.bin", "b.txt"});
}

TEST_CASE("browser: Ctrl+O opens it, clicking files and Send returns SendFiles with full paths")
{
    TempTree tree;
    HeadlessUi ui;
    connectPeer(ui);
    ImGuiIO& io = ImGui::GetIO();
    io.KeyCtrl = true;
    io.KeysDown['O'] = true;
    ui.frame();
    io.KeysDown['O'] = false;
    io.KeyCtrl = false;
    ui.frame();
    REQUIRE(ui.view.transfers.browser.open);
    ui::navigateTo(ui.view.transfers.browser, tree.root.string());
    waitForListing(ui);
    REQUIRE(ui.has("browser.row.b.txt"));
    ui.click("browser.row.b.txt");
    io.KeyCtrl = true; // Ctrl+click adds to the selection
    ui.click("browser.row.sub");
    io.KeyCtrl = false;
    CHECK(ui.view.transfers.browser.selected.size() == 2);
    const ui::Commands commands = ui.click("browser.confirm");
    REQUIRE(commands.size() == 1);
    const auto& send = std::get<command::SendFiles>(commands[0]);
    CHECK(send.peer == PeerId{3});
    CHECK(send.paths ==
          std::vector<std::string>{(tree.root / "b.txt").string(), (tree.root / "sub").string()});
    ui.frame();
    CHECK_FALSE(ui.view.transfers.browser.open);
    CHECK(ui.view.transfers.browser.recent.front() == tree.root.string());
}

TEST_CASE("browser: keyboard moves the cursor, Space selects, Enter opens a folder, Backspace goes up")
{
    TempTree tree;
    HeadlessUi ui;
    connectPeer(ui);
    ui::startSendFiles(ui.state, ui.view);
    ui.frame();
    ui::navigateTo(ui.view.transfers.browser, tree.root.string());
    waitForListing(ui);
    ui.press(ImGuiKey_DownArrow); // "sub"
    ui.press(ImGuiKey_DownArrow); // "A-big.bin"
    ui.press(ImGuiKey_Space);
    CHECK(ui.view.transfers.browser.selected == std::vector<std::string>{(tree.root / "A-big.bin").string()});
    ui.press(ImGuiKey_UpArrow);
    ui.press(ImGuiKey_Enter);
    CHECK(ui.view.transfers.browser.path == (tree.root / "sub").string());
    waitForListing(ui);
    ui.press(ImGuiKey_Backspace);
    CHECK(ui.view.transfers.browser.path == tree.root.string());
}
