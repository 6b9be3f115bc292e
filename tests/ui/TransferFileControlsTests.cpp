// Per-file pause, resume, cancel and "show in folder" in the transfer details.
#include "HeadlessUi.hpp"

#include <doctest/doctest.h>

using namespace duet;
using duet::ui::test::HeadlessUi;

namespace {

constexpr PeerId kPeer{7};
constexpr TransferId kOffer{42};

void startTransfer(HeadlessUi& ui)
{
    ui.state.apply(event::PeerConnecting{kPeer, "127.0.0.1:5000", true}, ui.nowMs);
    ui.state.apply(event::PeerConnected{kPeer, "Bob", "127.0.0.1:5000", "fp", "123456", Trust::Verified},
                   ui.nowMs);
    ui.state.apply(event::PeerVerified{kPeer}, ui.nowMs);
    event::OfferReceived offer;
    offer.peer = kPeer;
    offer.offer = kOffer;
    offer.entries = {{2, "a.bin", 1000, false}, {3, "b.bin", 500, false}};
    offer.totalBytes = 1500;
    offer.autoAccepted = true;
    ui.state.apply(offer, ui.nowMs);
    event::TransferProgress progress;
    progress.peer = kPeer;
    progress.offer = kOffer;
    progress.state = TransferState::Active;
    progress.fileId = 2;
    progress.fileBytes = 100;
    progress.bytesDone = 100;
    progress.totalBytes = 1500;
    ui.state.apply(progress, ui.nowMs);
    ui.frame();
    ui.click("transfer.42.row"); // opens the per-file details
    ui.frame();
}

std::string fileKey(std::uint64_t file, const char* what)
{
    return "transfer.42.file." + std::to_string(file) + "." + what;
}

command::ControlTransfer onlyControl(const ui::Commands& commands)
{
    REQUIRE(commands.size() == 1);
    return std::get<command::ControlTransfer>(commands[0]);
}

} // namespace

TEST_CASE("transfers: one file can be paused and resumed on its own")
{
    HeadlessUi ui;
    startTransfer(ui);
    REQUIRE(ui.has(fileKey(2, "pause")));
    REQUIRE(ui.has(fileKey(3, "pause")));

    const auto pause = onlyControl(ui.click(fileKey(2, "pause")));
    CHECK(pause.offer == kOffer);
    CHECK(pause.fileId == 2);
    CHECK(pause.action == TransferAction::Pause);
    ui.frame();
    CHECK(ui.state.transfers().find(kOffer)->files[0].paused);
    CHECK(ui.state.transfers().find(kOffer)->state == TransferState::Active); // the offer keeps going
    REQUIRE(ui.has(fileKey(2, "resume")));
    CHECK(ui.has(fileKey(3, "pause")));

    const auto resume = onlyControl(ui.click(fileKey(2, "resume")));
    CHECK(resume.fileId == 2);
    CHECK(resume.action == TransferAction::Resume);
    ui.frame();
    CHECK(ui.has(fileKey(2, "pause")));
}

TEST_CASE("transfers: cancelling one file marks only that file, and finished files offer their folder")
{
    HeadlessUi ui;
    startTransfer(ui);
    const auto cancel = onlyControl(ui.click(fileKey(3, "cancel")));
    CHECK(cancel.fileId == 3);
    CHECK(cancel.action == TransferAction::Cancel);
    ui.frame();
    const state::TransferRow& row = *ui.state.transfers().find(kOffer);
    CHECK(row.files[1].status == state::FileStatus::Failed);
    CHECK(row.files[0].status == state::FileStatus::Pending);
    CHECK_FALSE(ui.has(fileKey(3, "cancel")));

    ui.state.apply(event::TransferFileDone{kPeer, kOffer, 2, "/home/u/Downloads/a.bin", "h"}, ui.nowMs);
    ui.frame();
    CHECK_FALSE(ui.has(fileKey(2, "pause")));
    REQUIRE(ui.has(fileKey(2, "folder")));
    ui.click(fileKey(2, "folder"));
    REQUIRE(ui.view.transfers.openFolderRequests.size() == 1);
    CHECK(ui.view.transfers.openFolderRequests[0] == "/home/u/Downloads"); // the folder, never the file
}

TEST_CASE("transfers: file controls of a finished offer are gone")
{
    HeadlessUi ui;
    startTransfer(ui);
    ui.state.apply(event::OfferFinished{kPeer, kOffer, TransferState::Cancelled, "cancelled by the peer"},
                   ui.nowMs);
    ui.frame();
    CHECK_FALSE(ui.has(fileKey(2, "pause")));
    CHECK_FALSE(ui.has(fileKey(3, "cancel")));
    // A per-file command for a finished offer changes nothing locally.
    CHECK_FALSE(ui.state.transfers().find(kOffer)->files[0].paused);
}
