#include "HeadlessUi.hpp"
#include "duet/ui/Settings.hpp"
#include "duet/ui/TransfersPanel.hpp"

#include <doctest/doctest.h>

using namespace duet;
using duet::ui::test::HeadlessUi;

namespace {

constexpr PeerId kPeer{7};
constexpr TransferId kOffer{42};

void connectPeer(HeadlessUi& ui)
{
    ui.state.apply(event::PeerConnecting{kPeer, "127.0.0.1:5000", true}, ui.nowMs);
    ui.state.apply(event::PeerConnected{kPeer, "Bob", "127.0.0.1:5000", "fp", "123456", Trust::Verified},
                   ui.nowMs);
    ui.state.apply(event::PeerVerified{kPeer}, ui.nowMs);
    ui.frame();
}

event::OfferReceived offer(TransferId id = kOffer)
{
    event::OfferReceived e;
    e.peer = kPeer;
    e.offer = id;
    e.entries = {{1, "photos", 0, true}, {2, "photos/a.png", 1000, false}, {3, "notes.txt", 500, false}};
    e.totalBytes = 1500;
    return e;
}

std::string key(TransferId offer, const char* what)
{
    return "offer." + std::to_string(offer.value) + "." + what;
}

} // namespace

TEST_CASE("transfers: an incoming offer is shown with Accept, which accepts every file and hides the prompt")
{
    HeadlessUi ui;
    connectPeer(ui);
    ui.state.apply(offer(), ui.nowMs);
    ui.frame();
    REQUIRE(ui.has(key(kOffer, "accept")));
    CHECK(ui.state.transfers().awaitingDecisionCount() == 1);

    const ui::Commands commands = ui.click(key(kOffer, "accept"));
    REQUIRE(commands.size() == 1);
    const auto& accept = std::get<command::AcceptOffer>(commands[0]);
    CHECK(accept.peer == kPeer);
    CHECK(accept.offer == kOffer);
    CHECK(accept.fileIds.empty()); // empty = everything
    ui.frame();
    CHECK_FALSE(ui.has(key(kOffer, "accept")));
    CHECK(ui.state.transfers().find(kOffer)->state == TransferState::Queued);
}

TEST_CASE("transfers: Choose files accepts only the ticked files and the total shrinks")
{
    HeadlessUi ui;
    connectPeer(ui);
    ui.state.apply(offer(), ui.nowMs);
    ui.frame();
    ui.click(key(kOffer, "choose"));
    ui.frame(); // the list opens on the frame after the click
    REQUIRE(ui.has(key(kOffer, "file.2")));
    ui.click(key(kOffer, "file.2")); // untick photos/a.png
    const ui::Commands commands = ui.click(key(kOffer, "accept"));
    REQUIRE(commands.size() == 1);
    const auto& accept = std::get<command::AcceptOffer>(commands[0]);
    CHECK(accept.fileIds == std::vector<std::uint64_t>{1, 3}); // folders stay, so empty ones still arrive
    const state::TransferRow* row = ui.state.transfers().find(kOffer);
    CHECK(row->totalBytes == 500);
    CHECK(row->files[1].status == state::FileStatus::Skipped);
}

TEST_CASE("transfers: Reject sends RejectOffer and the row says Rejected")
{
    HeadlessUi ui;
    connectPeer(ui);
    ui.state.apply(offer(), ui.nowMs);
    ui.frame();
    const ui::Commands commands = ui.click(key(kOffer, "reject"));
    REQUIRE(commands.size() == 1);
    CHECK(std::get<command::RejectOffer>(commands[0]).offer == kOffer);
    CHECK(ui.state.transfers().find(kOffer)->state == TransferState::Rejected);
    CHECK(ui.state.transfers().awaitingDecisionCount() == 0);
}

TEST_CASE("transfers: progress, pause, resume, cancel and a finished file with its folder")
{
    HeadlessUi ui;
    connectPeer(ui);
    ui.state.apply(offer(), ui.nowMs);
    ui.click(key(kOffer, "accept"));
    ui.state.apply(
        event::TransferProgress{kPeer, kOffer, false, TransferState::Active, 2, 400, 400, 1500, 100},
        ui.nowMs);
    ui.frame();
    const state::TransferRow* row = ui.state.transfers().find(kOffer);
    CHECK(row->bytesDone == 400);
    CHECK(row->etaSeconds() == doctest::Approx(11.0));
    CHECK(ui::formatEta(row->etaSeconds()) == "11s");
    CHECK(ui::formatSpeed(row->bytesPerSec) == "100 B/s");

    ui::Commands commands = ui.click("transfer.42.pause");
    REQUIRE(commands.size() == 1);
    CHECK(std::get<command::ControlTransfer>(commands[0]).action == TransferAction::Pause);
    ui.frame();
    commands = ui.click("transfer.42.resume");
    REQUIRE(commands.size() == 1);
    CHECK(std::get<command::ControlTransfer>(commands[0]).action == TransferAction::Resume);

    ui.state.apply(event::TransferFileDone{kPeer, kOffer, 2, "/home/u/Downloads/photos/a.png", "ab"},
                   ui.nowMs);
    ui.frame();
    ui.frame();
    REQUIRE(ui.has("transfer.42.folder"));
    ui.click("transfer.42.folder");
    REQUIRE(ui.view.transfers.openFolderRequests.size() == 1);
    CHECK(ui.view.transfers.openFolderRequests[0] == "/home/u/Downloads/photos");

    commands = ui.click("transfer.42.cancel");
    REQUIRE(commands.size() == 1);
    CHECK(std::get<command::ControlTransfer>(commands[0]).action == TransferAction::Cancel);
    CHECK(ui.state.transfers().find(kOffer)->state == TransferState::Cancelled);
}

TEST_CASE("transfers: a late progress report never revives a finished offer")
{
    state::TransferList list;
    list.apply(offer(), 0);
    list.apply(event::OfferFinished{kPeer, kOffer, TransferState::Done, ""}, 0);
    CHECK_FALSE(
        list.apply(event::TransferProgress{kPeer, kOffer, false, TransferState::Active, 2, 1, 1, 2, 3}, 0));
    CHECK(list.find(kOffer)->state == TransferState::Done);
    CHECK(list.find(kOffer)->bytesDone == 1500);
}

TEST_CASE("transfers: peer-supplied paths are sanitized and failures keep their reason")
{
    state::TransferList list;
    event::OfferReceived e = offer();
    e.entries[2].path = "evil\x1b[31m\nname.txt";
    list.apply(e, 0);
    const std::string& shown = list.find(kOffer)->files[2].path;
    CHECK(shown.find('\x1b') == std::string::npos);
    CHECK(shown.find('\n') == std::string::npos);
    list.apply(event::TransferFileFailed{kPeer, kOffer, 3, "hash mismatch"}, 0);
    CHECK(list.find(kOffer)->files[2].status == state::FileStatus::Failed);
    CHECK(list.find(kOffer)->files[2].error == "hash mismatch");
}

TEST_CASE("transfers: 1,000 rows are clipped to what fits on screen")
{
    HeadlessUi ui;
    connectPeer(ui);
    for (std::uint64_t i = 1; i <= 1000; ++i) {
        event::OfferSent sent{
            kPeer, TransferId{i}, {{1, "file" + std::to_string(i) + ".bin", 10, false}}, 10};
        ui.state.apply(sent, ui.nowMs);
    }
    ui.frame();
    ui.frame();
    const std::size_t drawn = ui.locator.keysWithPrefix("transfer.").size();
    CHECK(drawn > 0);
    CHECK(drawn < 100);                 // only the visible rows (plus their buttons) were laid out
    CHECK(ui.has("transfer.1000.row")); // newest first
    CHECK_FALSE(ui.has("transfer.1.row"));
}

TEST_CASE("settings: only changed values become engine commands")
{
    ui::SettingsValues before;
    before.displayName = "Ann";
    ui::SettingsValues after = before;
    CHECK(ui::settingsCommands(before, after).empty());
    after.displayName = "Anne";
    after.autoAcceptVerified = true;
    after.downloadDir = "/tmp/in";
    const ui::Commands commands = ui::settingsCommands(before, after);
    REQUIRE(commands.size() == 3);
    CHECK(std::get<command::SetDisplayName>(commands[0]).name == "Anne");
    CHECK(std::get<command::SetDownloadDir>(commands[1]).path == "/tmp/in");
    CHECK(std::get<command::SetAutoAccept>(commands[2]).verifiedPeers);
    after = before;
    after.visibleOnLan = false;
    const ui::Commands hide = ui::settingsCommands(before, after);
    REQUIRE(hide.size() == 1);
    CHECK_FALSE(std::get<command::SetVisible>(hide[0]).visible);
}

TEST_CASE("settings: the window saves a new theme and name")
{
    HeadlessUi ui;
    ui.frame();
    ui.view.transfers.settings.displayName = "Ann";
    ui.click("status.settings");
    ui.frame();
    REQUIRE(ui.has("settings.save"));
    ui.click("settings.light");
    const ui::Commands commands = ui.click("settings.save");
    CHECK(commands.empty()); // the name did not change
    REQUIRE(ui.view.transfers.settingsToSave.has_value());
    CHECK(ui.view.transfers.settingsToSave->lightTheme);
    CHECK(ui.view.theme == ui::Theme::Light);
}

TEST_CASE("settings: discovery starts from the engine's state and a chosen interface set is sent")
{
    HeadlessUi ui;
    ui.state.apply(event::DiscoveryState{true, true, {}, {"eth0", "wlan0"}}, 0);
    ui.frame();
    ui.click("status.settings");
    ui.frame();
    REQUIRE(ui.has("settings.interfaces.all"));
    CHECK_FALSE(ui.has("settings.interface.eth0")); // every interface: no list to tick
    ui.click("settings.interfaces.all");
    ui.frame();
    REQUIRE(ui.has("settings.interface.eth0"));
    REQUIRE(ui.has("settings.interface.wlan0"));
    ui.click("settings.interface.wlan0");
    ui.frame();
    ui.click("settings.interface.eth0"); // the last tick stays: none would mean every interface
    ui.frame();
    const ui::Commands commands = ui.click("settings.save");
    REQUIRE(commands.size() == 1);
    CHECK(std::get<command::SetDiscoveryInterfaces>(commands[0]).interfaces ==
          std::vector<std::string>{"eth0"});
}

TEST_CASE("settings: a chosen interface that is gone stays listed and can be unticked")
{
    HeadlessUi ui;
    ui.state.apply(event::DiscoveryState{true, false, {"tun0", "eth0"}, {"eth0"}}, 0);
    ui.frame();
    ui.click("status.settings");
    ui.frame();
    REQUIRE(ui.has("settings.interface.tun0"));
    ui.click("settings.interface.tun0");
    ui.frame();
    const ui::Commands commands = ui.click("settings.save");
    REQUIRE(commands.size() == 1);
    CHECK(std::get<command::SetDiscoveryInterfaces>(commands[0]).interfaces ==
          std::vector<std::string>{"eth0"});
    CHECK_FALSE(ui.view.transfers.settingsToSave->visibleOnLan); // the engine's value, not a GUI copy
}

TEST_CASE("transfers: Clear finished forgets done and failed rows, keeps the running one, then hides")
{
    HeadlessUi ui;
    connectPeer(ui);
    ui.frame();
    CHECK_FALSE(ui.has("transfers.clear")); // nothing finished yet

    for (std::uint64_t id = 1; id <= 3; ++id) {
        ui.state.apply(offer(TransferId{id}), ui.nowMs);
        ui.state.applyLocal(command::AcceptOffer{kPeer, TransferId{id}, {}}, ui.nowMs);
    }
    ui.state.apply(event::OfferFinished{kPeer, TransferId{1}, TransferState::Done, ""}, ui.nowMs);
    ui.state.apply(event::OfferFinished{kPeer, TransferId{2}, TransferState::Failed, "disk full"}, ui.nowMs);
    ui.state.apply(
        event::TransferProgress{kPeer, TransferId{3}, false, TransferState::Active, 2, 10, 10, 1500, 100, 15},
        ui.nowMs);
    ui.frame();
    REQUIRE(ui.has("transfers.clear"));

    const ui::Commands commands = ui.click("transfers.clear");
    REQUIRE(commands.size() == 1);
    const auto& forget = std::get<command::ForgetTransfers>(commands[0]);
    CHECK_FALSE(forget.peer);  // every peer
    CHECK_FALSE(forget.offer); // every finished offer
    // The headless UI applied it like the app does: only the running offer is left.
    REQUIRE(ui.state.transfers().rows().size() == 1);
    CHECK(ui.state.transfers().rows()[0].offer == TransferId{3});
    CHECK(ui.state.transfers().find(TransferId{1}) == nullptr);
    CHECK(ui.state.transfers().find(TransferId{3}) != nullptr);
    ui.frame();
    CHECK_FALSE(ui.has("transfers.clear"));
}
