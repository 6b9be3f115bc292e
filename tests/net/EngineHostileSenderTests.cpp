// Checklist "hostile sender" against a real receiving engine (auto-accepting, real download folder): a
// scripted peer that speaks the secure channel sends offers with every class of bad path, chunks for
// files never accepted, chunks that fail authentication, out of range or oversized, a whole file whose
// hash lies, and a flood of offers. Each ends in a refusal or a clear failure; nothing lands outside the
// download folder and no final file appears for bad data.
#include "ScriptedPeer.hpp"
#include "duet/net/Limits.hpp"
#include "duet/wire/Chunk.hpp"

#include <doctest/doctest.h>
#include <filesystem>

using namespace duet;
using namespace duet::test;
namespace fs = std::filesystem;

namespace {

PeerId verify(ScriptedPeer& peer, TestPeer& bob)
{
    REQUIRE(peer.connect(bob.port()));
    REQUIRE(peer.handshake());
    peer.sendApp(net::kControlChannel, wire::Hello{"hostile", 0});
    REQUIRE(peer.receiveApp()); // Hello
    REQUIRE(peer.receiveApp()); // PeerConfirmed: bob auto-confirms
    peer.sendApp(net::kControlChannel, wire::PeerConfirmed{});
    auto verified = bob.waitFor<event::PeerVerified>();
    REQUIRE(verified);
    return verified->peer;
}

// The next message of type T from the engine, skipping others; bounded by `timeout`.
template <typename T>
std::optional<T> receive(ScriptedPeer& peer, std::chrono::milliseconds timeout = 3s)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (int i = 0; i < 1000 && std::chrono::steady_clock::now() < deadline; ++i) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        std::optional<wire::AppMessage> message = peer.receiveApp(std::max(left, 1ms));
        if (!message) continue;
        if (const T* wanted = std::get_if<T>(&*message)) return *wanted;
    }
    return std::nullopt;
}

wire::OfferEntry file(std::uint64_t fileId, std::string path, std::uint64_t size = 5)
{
    return {fileId, wire::EntryKind::File, size, 0, std::move(path)};
}

// Regular files below `dir`, outside Duet's partial area (where unverified data may legitimately wait).
std::vector<fs::path> finalFiles(const fs::path& dir)
{
    std::vector<fs::path> found;
    for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
        if (it->path().filename() == ".duet-partial") {
            it.disable_recursion_pending();
            continue;
        }
        if (it->is_regular_file() || it->is_symlink()) found.push_back(it->path());
    }
    return found;
}

void sendChunk(ScriptedPeer& peer, const crypto::ChunkCipher& cipher, std::uint64_t fileId,
               std::uint64_t index, const wire::Bytes& plaintext)
{
    const crypto::NoncePrefix prefix{1, 2, 3};
    const wire::Bytes sealed = cipher.seal(fileId, prefix, index, plaintext);
    peer.sendFrame(net::kDataChannel, wire::encodeChunk(fileId, index, prefix, sealed));
}

// Lets the scripted client push out what it queued (large frames go in fragments) while the engine
// works, for about `duration`.
void exchange(ScriptedPeer& peer, TestPeer& bob, std::chrono::milliseconds duration)
{
    for (auto left = duration; left > 0ms; left -= 20ms) {
        peer.client().service(10ms);
        bob.idle(10ms);
    }
}

} // namespace

TEST_CASE("offers with any class of bad path are refused whole and touch nothing on disk")
{
    TestPeer bob(named("bob"));
    ScriptedPeer peer(41);
    verify(peer, bob);
    const std::vector<std::vector<wire::OfferEntry>> bad = {
        {file(1, "../escape.txt")},
        {file(1, "ok.txt"), file(2, "dir/../../escape.txt")},
        {file(1, "/etc/escape.txt")},
        {file(1, "dir\\..\\escape.txt")},
        {file(1, std::string("nul\0byte.txt", 12))},
        {file(1, "bell\x07.txt")},
        {file(1, "esc\x1b[31m.txt")},
        {file(1, "bidi\xe2\x80\xaegpj.exe")},
        {file(1, "CON")},
        {file(1, "dir/aux.txt")},
        {file(1, "trailing.")},
        {file(1, "Readme.txt"), file(2, "README.TXT")},
        {file(1, "same.txt"), file(2, "same.txt")},
        {file(1, "a"), file(2, "a/b.txt")},
        {file(1, ".duet-partial/x.bin")},
    };
    std::uint64_t offerId = 0x1000;
    for (const auto& entries : bad) {
        ++offerId;
        peer.sendApp(net::kControlChannel, offerOf(offerId, entries));
        std::optional<wire::OfferReply> reply = receive<wire::OfferReply>(peer);
        REQUIRE_MESSAGE(reply, "no reply to offer with " << entries.back().path);
        CHECK(reply->offerId == offerId);
        CHECK(reply->decision == wire::OfferDecision::Reject);
        CHECK_FALSE(reply->reason.empty());
    }
    // Invalid UTF-8 does not even decode as a message: the record is refused before the validator.
    peer.sendApp(net::kControlChannel, offerOf(++offerId, {file(1, "bad\xff utf8.txt")}));
    CHECK_FALSE(receive<wire::OfferReply>(peer, 500ms));
    bob.idle(300ms);
    CHECK(bob.count<event::OfferReceived>() == 0); // never shown to the user
    CHECK(finalFiles(bob.downloadDir()).empty());
    CHECK_FALSE(fs::exists(bob.downloadDir().parent_path() / "escape.txt"));
}

TEST_CASE("bad chunks and a lying whole-file hash: no final file, the file fails clearly")
{
    TestPeer bob(named("bob"));
    ScriptedPeer peer(42);
    const PeerId hostile = verify(peer, bob);
    const crypto::ChunkCipher cipher(peer.keys().send.file);
    const crypto::ChunkCipher wrongKey(peer.keys().receive.file);

    // A chunk for a file nobody offered, before any offer.
    sendChunk(peer, cipher, 0xdead, 0, wire::Bytes(10, 'x'));
    auto unknown = bob.waitFor<event::Error>(
        [](const event::Error& e) { return e.reason.find("file transfer") != std::string::npos; });
    REQUIRE(unknown);

    // An offer of one file, accepted (auto-accept) and requested.
    constexpr std::uint64_t kOffer = 0x2001;
    const wire::Bytes content(1000, 'a');
    peer.sendApp(net::kControlChannel, offerOf(kOffer, {file(11, "lies.bin", content.size())}));
    std::optional<wire::OfferReply> reply = receive<wire::OfferReply>(peer);
    REQUIRE(reply);
    REQUIRE(reply->decision == wire::OfferDecision::Accept);
    std::optional<wire::FileRequest> request = receive<wire::FileRequest>(peer);
    REQUIRE(request);
    CHECK(request->fileId == 11);

    // Chunks that must each be dropped with an error, the file going on: sealed under the wrong key,
    // and an oversized ciphertext.
    sendChunk(peer, wrongKey, 11, 0, content);
    sendChunk(peer, cipher, 11, 0, wire::Bytes(wire::kChunkSize + 1, 'c'));
    exchange(peer, bob, 1000ms);
    CHECK(bob.count<event::Error>() >= 3);
    CHECK(bob.count<event::TransferFileFailed>() == 0);
    CHECK(finalFiles(bob.downloadDir()).empty());

    // The real chunk, then a whole-file hash that does not match it.
    sendChunk(peer, cipher, 11, 0, content);
    wire::FileDone done;
    done.fileId = 11;
    done.hash.fill(0x42);
    peer.sendApp(net::kControlChannel, done);
    exchange(peer, bob, 500ms);
    auto failed = bob.waitFor<event::TransferFileFailed>(
        [](const event::TransferFileFailed& e) { return e.fileId == 11; }, 5s);
    REQUIRE(failed);
    CHECK(failed->outcome == "hash_mismatch");
    std::optional<wire::FileResult> result = receive<wire::FileResult>(peer);
    REQUIRE(result);
    CHECK(result->fileId == 11);
    CHECK(result->outcome == wire::FileOutcome::HashMismatch);
    CHECK(finalFiles(bob.downloadDir()).empty());

    // A chunk index beyond the declared size fails that file as a protocol violation.
    constexpr std::uint64_t kSecondOffer = 0x2002;
    peer.sendApp(net::kControlChannel, offerOf(kSecondOffer, {file(21, "range.bin", content.size())}));
    REQUIRE(receive<wire::FileRequest>(peer));
    sendChunk(peer, cipher, 21, 7, content);
    exchange(peer, bob, 500ms);
    auto outOfRange = bob.waitFor<event::TransferFileFailed>(
        [](const event::TransferFileFailed& e) { return e.fileId == 21; }, 5s);
    REQUIRE(outOfRange);
    CHECK(outOfRange->outcome == "protocol_violation");
    CHECK(finalFiles(bob.downloadDir()).empty());
    CHECK(bob.count<event::TransferFileDone>() == 0);
    CHECK(bob.count<event::PeerDisconnected>() == 0); // below the strike limit: still connected
    (void)hostile;
}

TEST_CASE("a flood of offers is refused as busy or cut off, and leaves the disk empty")
{
    TestPeer bob(named("bob").manualConfirm());
    ScriptedPeer peer(43);
    REQUIRE(peer.connect(bob.port()));
    REQUIRE(peer.handshake());
    peer.sendApp(net::kControlChannel, wire::Hello{"flooder", 0});
    auto connected = bob.waitFor<event::PeerConnected>();
    REQUIRE(connected);
    bob.post(command::ConfirmPeer{connected->peer});
    REQUIRE(receive<wire::Hello>(peer));
    peer.sendApp(net::kControlChannel, wire::PeerConfirmed{});
    REQUIRE(bob.waitFor<event::PeerVerified>());

    // Without auto-accept every offer waits for the user: one may wait, the rest are refused.
    constexpr int kFlood = 300;
    for (int i = 0; i < kFlood && peer.client().connected(); ++i) {
        peer.sendApp(net::kControlChannel,
                     offerOf(0x3000 + i, {file(1, "flood-" + std::to_string(i) + ".bin", 100)}));
        if (i % 50 == 0) peer.client().service(5ms);
    }
    bob.idle(1s);
    CHECK(bob.count<event::OfferReceived>() <= 2);
    CHECK(finalFiles(bob.downloadDir()).empty());
    // The engine still answers its user.
    bob.post(command::LoadHistory{PeerId{}, peer.fingerprint(), 1, command::kNewestRow});
    CHECK(bob.waitFor<event::HistoryPage>(5s));
}
