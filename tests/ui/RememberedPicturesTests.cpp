// Pictures of earlier runs: their profile encoding, and the thumbnails they bring back into a conversation
// after a restart or after "Clear finished" dropped their transfer row.
#include "HeadlessUi.hpp"
#include "duet/ui/RememberedPictures.hpp"

#include <algorithm>
#include <doctest/doctest.h>

using namespace duet;
using duet::ui::test::HeadlessUi;

namespace {

constexpr PeerId kPeer{7};
const std::string kFingerprint = "AAAA-BBBB-CCCC-DDDD";

class ReadyImages final : public ui::ImageSource {
public:
    ui::ImageTexture image(const std::string&) override
    {
        ui::ImageTexture texture;
        texture.status = ui::ImageTexture::Status::Ready;
        texture.width = texture.height = 32;
        texture.sourceWidth = texture.sourceHeight = 320;
        return texture;
    }
    void drawPreview(ImDrawList&, const std::string&, ImVec2, ImVec2) override {}
};

ui::RememberedPicture picture(std::uint64_t offer, std::string fingerprint, std::string path,
                              std::int64_t timeMs)
{
    return {std::move(fingerprint),
            ui::ChatImage{TransferId{offer}, 1, false, std::move(path), "cat.png", timeMs}};
}

} // namespace

TEST_CASE("remembered pictures: the profile encoding keeps every field, any byte of a path included")
{
    ui::RememberedPicture original = picture(42, kFingerprint, "/home/u/Down:loads/a\tb\nc 12:x/猫.png", -5);
    original.image.outgoing = true;
    original.image.fileId = 18446744073709551615ull;
    original.image.name = "猫 3:4.png";
    const auto decoded = ui::decodePicture(ui::encodePicture(original));
    REQUIRE(decoded.has_value());
    CHECK(*decoded == original);
    CHECK(ui::pictureKey(original) == "gui.picture." + kFingerprint + ".42.18446744073709551615");
}

TEST_CASE("remembered pictures: damaged or foreign values are refused")
{
    const std::string good = ui::encodePicture(picture(1, kFingerprint, "/dl/a.png", 10));
    REQUIRE(ui::decodePicture(good).has_value());
    CHECK_FALSE(ui::decodePicture("").has_value());
    CHECK_FALSE(ui::decodePicture(good.substr(0, good.size() - 1)).has_value()); // truncated
    CHECK_FALSE(ui::decodePicture(good + "x").has_value());                      // trailing bytes
    CHECK_FALSE(ui::decodePicture("2" + good.substr(1)).has_value());            // another version
    CHECK_FALSE(ui::decodePicture("99999999:").has_value());                     // absurd length
    CHECK_FALSE(ui::decodePicture(ui::encodePicture(picture(1, kFingerprint, "dl/a.png", 10))).has_value());
    CHECK_FALSE(ui::decodePicture(ui::encodePicture(picture(1, kFingerprint, "/dl/a.txt", 10))).has_value());
    CHECK_FALSE(ui::decodePicture(ui::encodePicture(picture(1, "", "/dl/a.png", 10))).has_value());
}

TEST_CASE("remembered pictures: a finished image file becomes one, other files do not")
{
    state::TransferList transfers;
    transfers.apply(
        event::OfferReceived{kPeer, TransferId{5}, {{1, "album/cat.jpg", 10}, {2, "notes.txt", 5}}, 15},
        1000);
    CHECK_FALSE(
        ui::pictureForFinishedFile(transfers, kFingerprint, TransferId{5}, 1).has_value()); // not done
    transfers.apply(event::TransferFileDone{kPeer, TransferId{5}, 1, "/dl/album/cat.jpg", "h"}, 2000);
    transfers.apply(event::TransferFileDone{kPeer, TransferId{5}, 2, "/dl/notes.txt", "h"}, 2000);
    const auto found = ui::pictureForFinishedFile(transfers, kFingerprint, TransferId{5}, 1);
    REQUIRE(found.has_value());
    CHECK(found->fingerprint == kFingerprint);
    CHECK(found->image.localPath == "/dl/album/cat.jpg");
    CHECK(found->image.name == "cat.jpg");
    CHECK(found->image.timeMs == 2000);
    CHECK_FALSE(found->image.outgoing);
    CHECK_FALSE(ui::pictureForFinishedFile(transfers, kFingerprint, TransferId{5}, 2).has_value());
    CHECK_FALSE(ui::pictureForFinishedFile(transfers, "", TransferId{5}, 1).has_value());
}

TEST_CASE("remembered pictures: after a restart the conversation shows its own pictures again, once each")
{
    HeadlessUi ui;
    ReadyImages images;
    ui.view.images.source = &images;
    // A fresh run: the peer is only remembered (offline), with no transfer rows at all.
    ui.state.addRememberedPeer(kFingerprint, "Bob", "127.0.0.1:5000");
    ui.view.rememberedPictures.add(picture(42, kFingerprint, "/dl/cat.png", ui.nowMs - 60'000));
    ui.view.rememberedPictures.add(picture(43, "OTHER-PEER", "/dl/dog.png", ui.nowMs - 50'000));
    ui.frame();
    ui.frame();
    CHECK(ui.has("image.42.1"));
    CHECK_FALSE(ui.has("image.43.1")); // another conversation's picture
    REQUIRE(ui.view.images.images.size() == 1);

    // The same picture also known from a live transfer row is shown once.
    ui.state.apply(event::PeerConnecting{kPeer, "127.0.0.1:5000", true}, ui.nowMs);
    ui.state.apply(event::PeerConnected{kPeer, "Bob", "127.0.0.1:5000", kFingerprint, "1", Trust::Verified},
                   ui.nowMs);
    ui.state.apply(event::PeerVerified{kPeer}, ui.nowMs);
    ui.state.apply(event::OfferReceived{kPeer, TransferId{42}, {{1, "cat.png", 10}}, 10, true}, ui.nowMs);
    ui.state.apply(event::TransferFileDone{kPeer, TransferId{42}, 1, "/dl/cat.png", "h"}, ui.nowMs);
    ui.state.apply(event::OfferFinished{kPeer, TransferId{42}, TransferState::Done, ""}, ui.nowMs);
    ui.frame();
    ui.frame();
    CHECK(ui.view.images.images.size() == 1);
    CHECK(ui.has("image.42.1"));

    // "Clear finished" drops the row; the remembered picture keeps the thumbnail in the conversation.
    ui.state.applyLocal(command::ForgetTransfers{}, ui.nowMs);
    REQUIRE(ui.state.transfers().rows().empty());
    ui.frame();
    ui.frame();
    CHECK(ui.has("image.42.1"));
    ui.view.images.source = nullptr;
}

TEST_CASE("remembered pictures at start: the newest ones whose file exists, the rest listed to forget")
{
    std::vector<std::pair<std::string, std::string>> records;
    for (std::uint64_t offer = 1; offer <= 6; ++offer) {
        const ui::RememberedPicture stored =
            picture(offer, kFingerprint, "/dl/" + std::to_string(offer) + ".png",
                    static_cast<std::int64_t>(1000 - offer * 10)); // offer 1 is the newest
        records.emplace_back(ui::pictureKey(stored), ui::encodePicture(stored));
    }
    records.emplace_back("gui.picture.damaged", "not an encoded picture");
    const auto exists = [](const std::string& path) { return path != "/dl/2.png"; }; // 2 was deleted

    const ui::PictureSelection selection = ui::selectRememberedPictures(records, 3, exists);
    REQUIRE(selection.remembered.pictures.size() == 3);
    // Oldest first among the newest three that still exist: 4, 3, 1.
    CHECK(selection.remembered.pictures[0].image.offer == TransferId{4});
    CHECK(selection.remembered.pictures[1].image.offer == TransferId{3});
    CHECK(selection.remembered.pictures[2].image.offer == TransferId{1});
    CHECK(selection.remembered.revision != 0);
    // Forgotten: the damaged record, the deleted file, and the two oldest beyond the limit (6, 5).
    std::vector<std::string> expected{"gui.picture.damaged", records[1].first, records[5].first,
                                      records[4].first};
    std::vector<std::string> forgotten = selection.forgotten;
    std::sort(expected.begin(), expected.end());
    std::sort(forgotten.begin(), forgotten.end());
    CHECK(forgotten == expected);

    const ui::PictureSelection none = ui::selectRememberedPictures({}, 3, exists);
    CHECK(none.remembered.pictures.empty());
    CHECK(none.forgotten.empty());
}

TEST_CASE("remembered pictures: a conversation selected while still connecting shows them once it is named")
{
    HeadlessUi ui;
    ReadyImages images;
    ui.view.images.source = &images;
    ui.view.rememberedPictures.add(picture(42, kFingerprint, "/dl/cat.png", ui.nowMs - 60'000));
    // Selected before the handshake: the connection has no identity yet, so no picture is its own.
    ui.state.apply(event::PeerConnecting{kPeer, "127.0.0.1:5000", true}, ui.nowMs);
    ui.view.selectedPeer = kPeer;
    ui.frame();
    ui.frame();
    CHECK(ui.view.images.images.empty());
    // The handshake names it; nothing else changed (no transfer, no new picture), and the picture joins.
    ui.state.apply(event::PeerConnected{kPeer, "Bob", "127.0.0.1:5000", kFingerprint, "1", Trust::Verified},
                   ui.nowMs);
    ui.frame();
    ui.frame();
    REQUIRE(ui.view.images.images.size() == 1);
    CHECK(ui.has("image.42.1"));
    ui.view.images.source = nullptr;
}
