// Pictures in the conversation: finished image files become thumbnails in the history, a click opens the
// preview.
#include "HeadlessUi.hpp"
#include "duet/ui/ChatImages.hpp"

#include <doctest/doctest.h>
#include <map>

using namespace duet;
using duet::ui::test::HeadlessUi;

namespace {

constexpr PeerId kPeer{7};
constexpr TransferId kOffer{42};

class FakeImages final : public ui::ImageSource {
public:
    ui::ImageTexture image(const std::string& path) override
    {
        ++requests[path];
        ui::ImageTexture texture;
        if (path.find("broken") != std::string::npos) {
            texture.status = ui::ImageTexture::Status::Failed;
            texture.error = "cannot decode";
        } else {
            texture.status = ui::ImageTexture::Status::Ready;
            texture.width = 64;
            texture.height = 32;
            texture.sourceWidth = 640;
            texture.sourceHeight = 320;
        }
        return texture;
    }
    void drawPreview(ImDrawList&, const std::string& path, ImVec2 min, ImVec2 max) override
    {
        previewed = path;
        previewSize = ImVec2(max.x - min.x, max.y - min.y);
    }
    std::map<std::string, int> requests;
    std::string previewed;
    ImVec2 previewSize;
};

void connectPeer(HeadlessUi& ui)
{
    ui.state.apply(event::PeerConnecting{kPeer, "127.0.0.1:5000", true}, ui.nowMs);
    ui.state.apply(event::PeerConnected{kPeer, "Bob", "127.0.0.1:5000", "fp", "123456", Trust::Verified},
                   ui.nowMs);
    ui.state.apply(event::PeerVerified{kPeer}, ui.nowMs);
    ui.frame();
}

void receive(HeadlessUi& ui)
{
    event::OfferReceived offer;
    offer.peer = kPeer;
    offer.offer = kOffer;
    offer.entries = {{1, "cat.PNG", 1000, false},
                     {2, "notes.txt", 10, false},
                     {3, "broken.gif", 10, false},
                     {4, "later.jpg", 10, false}};
    offer.totalBytes = 1030;
    ui.state.apply(offer, ui.nowMs);
    ui.state.apply(event::TransferFileDone{kPeer, kOffer, 1, "/dl/cat.PNG", "h"}, ui.nowMs);
    ui.state.apply(event::TransferFileDone{kPeer, kOffer, 2, "/dl/notes.txt", "h"}, ui.nowMs);
    ui.state.apply(event::TransferFileDone{kPeer, kOffer, 3, "/dl/broken.gif", "h"}, ui.nowMs);
    // later.jpg has not arrived: no thumbnail yet.
}

} // namespace

TEST_CASE("images: finished picture files of the selected peer are collected, other files are not")
{
    HeadlessUi ui;
    connectPeer(ui);
    receive(ui);
    const auto images = ui::collectChatImages(ui.state.transfers(), kPeer);
    REQUIRE(images.size() == 2);
    CHECK(images[0].localPath == "/dl/cat.PNG");
    CHECK(images[0].name == "cat.PNG");
    CHECK_FALSE(images[0].outgoing);
    CHECK(images[1].localPath == "/dl/broken.gif");
    CHECK(ui::collectChatImages(ui.state.transfers(), PeerId{8}).empty());
}

TEST_CASE("images: thumbnails appear in the conversation and a click opens the preview")
{
    HeadlessUi ui;
    FakeImages images;
    ui.view.images.source = &images;
    connectPeer(ui);
    CHECK_FALSE(ui.has("image.42.1"));
    receive(ui);
    ui.frame();
    REQUIRE(ui.has("image.42.1"));
    // Inline: inside the conversation history, not in a strip of its own.
    const auto history = ui.locator.find("chat.history");
    const auto thumbnail = ui.locator.find("image.42.1");
    REQUIRE(history.has_value());
    CHECK(thumbnail->minY >= history->minY);
    CHECK(thumbnail->maxY <= history->maxY);
    CHECK(thumbnail->maxY - thumbnail->minY > ImGui::GetFontSize() * 4);
    CHECK(ui.has("image.42.3")); // a broken picture still gets a (marked) tile
    CHECK_FALSE(ui.has("image.42.2"));
    CHECK(images.requests["/dl/cat.PNG"] > 0);
    CHECK(ui.has("chat.input"));

    ui.click("image.42.1");
    ui.frame();
    REQUIRE(ui.has("image.preview"));
    CHECK(images.previewed == "/dl/cat.PNG");
    // Letterboxed with the picture's aspect ratio (640 x 320).
    CHECK(images.previewSize.x == doctest::Approx(images.previewSize.y * 2).epsilon(0.02));

    ui.click("image.preview.folder");
    REQUIRE(ui.view.transfers.openFolderRequests.size() == 1);
    CHECK(ui.view.transfers.openFolderRequests[0] == "/dl");

    ui.click("image.preview.close");
    ui.frame();
    CHECK_FALSE(ui.has("image.preview"));
}

TEST_CASE("images: without an image source nothing is drawn and nothing breaks")
{
    HeadlessUi ui;
    connectPeer(ui);
    receive(ui);
    ui.frame();
    CHECK_FALSE(ui.has("image.42.1"));
    CHECK(ui.has("chat.input"));
}

TEST_CASE("images: pictures of an earlier connection stay in the conversation after a reconnection")
{
    HeadlessUi ui;
    FakeImages images;
    ui.view.images.source = &images;
    connectPeer(ui);
    receive(ui);
    ui.state.apply(event::PeerDisconnected{kPeer, "lost"}, ui.nowMs);
    const PeerId again{8};
    ui.state.apply(event::PeerConnecting{again, "127.0.0.1:5000", true}, ui.nowMs);
    ui.state.apply(event::PeerConnected{again, "Bob", "127.0.0.1:5000", "fp", "", Trust::Verified}, ui.nowMs);
    ui.state.apply(event::PeerVerified{again}, ui.nowMs);
    ui.frame();
    ui.frame();
    CHECK(ui.view.selectedPeer == again);
    REQUIRE(ui.view.images.images.size() == 2);
    CHECK(ui.has("image.42.1"));
}
