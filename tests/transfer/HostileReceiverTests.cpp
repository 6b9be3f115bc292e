// A scripted hostile receiver against a sending TransferManager: bogus resume claims and acks, and
// replies that do not match the offer. The sender must fail clearly and never send past the end.
#include "Rig.hpp"
#include "duet/transfer/ChunkMath.hpp"

#include <limits>

using namespace duet;
using namespace duet::transfer;
using namespace duet::transfer::test;

namespace {

constexpr std::uint64_t kC = kChunkBytes;
constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

struct Sent {
    NewOffer offer;
    wire::Offer part;
};

// Offers a file of `size` and a directory, with pattern content registered in the source.
Sent offerFile(Rig& rig, std::uint64_t size)
{
    Sent s;
    s.offer = rig.manager.offer({LocalEntry{wire::EntryKind::File, size, 1000, "f"},
                                 LocalEntry{wire::EntryKind::Directory, 0, 0, "d"},
                                 LocalEntry{wire::EntryKind::File, 5, 1000, "g"}});
    REQUIRE(s.offer.ok());
    rig.source.add(FileKey{s.offer.offerId, s.offer.fileIds[0]}, FakeSource::File{size, 1000, {}, 1});
    rig.source.add(FileKey{s.offer.offerId, s.offer.fileIds[2]}, FakeSource::File{5, 1000, {}, 2});
    rig.drain();
    const auto parts = rig.sent<wire::Offer>();
    REQUIRE(parts.size() == 1);
    s.part = parts[0];
    return s;
}

void acceptAll(Rig& rig, const Sent& s)
{
    rig.manager.onMessage(
        wire::OfferReply{s.offer.offerId, wire::OfferDecision::Accept, s.offer.fileIds, {}});
    rig.drain();
}

void expectOfferFailed(Rig& rig, const Sent& s, const std::string& reason)
{
    const auto controls = rig.sent<wire::TransferControl>();
    REQUIRE(controls.size() == 1);
    CHECK(controls[0].offerId == s.offer.offerId);
    CHECK(controls[0].fileId == 0);
    CHECK(controls[0].action == wire::TransferAction::Cancel);
    const auto snapshot = rig.manager.snapshotOffer(s.offer.offerId, false);
    CHECK(snapshot->state == OfferState::Failed);
    CHECK(snapshot->reason == reason);
    CHECK(rig.suspicious() >= 1);
    rig.manager.produceChunks();
    CHECK(rig.drain().empty());
}

} // namespace

TEST_CASE("hostile receiver: a request past the end fails the file without sending anything")
{
    for (const std::uint64_t from : {std::uint64_t{5}, kMax, kMax / kC + 1}) {
        CAPTURE(from);
        Rig rig;
        const Sent s = offerFile(rig, 3 * kC);
        acceptAll(rig, s);
        rig.manager.onMessage(wire::FileRequest{s.offer.offerId, s.offer.fileIds[0], from});
        rig.manager.produceChunks();
        rig.drain();
        CHECK(rig.chunks().empty());
        const auto results = rig.sent<wire::FileResult>();
        REQUIRE(results.size() == 1);
        CHECK(results[0].outcome == wire::FileOutcome::ProtocolViolation);
        CHECK(results[0].detail ==
              "the peer asked for chunk " + std::to_string(from) + " of a file with 3 chunks");
        CHECK(rig.file(s.offer.offerId, s.offer.fileIds[0]).state == FileState::Failed);
        CHECK(rig.source.bytesRead == 0);
    }
}

TEST_CASE("hostile receiver: requests for unaccepted files or folders or before accepting")
{
    SUBCASE("not accepted")
    {
        Rig rig;
        const Sent s = offerFile(rig, 10);
        rig.manager.onMessage(
            wire::OfferReply{s.offer.offerId, wire::OfferDecision::Accept, {s.offer.fileIds[2]}, {}});
        rig.manager.onMessage(wire::FileRequest{s.offer.offerId, s.offer.fileIds[0], 0});
        rig.drain();
        expectOfferFailed(rig, s, "the peer requested a file it did not accept");
    }
    SUBCASE("a directory")
    {
        Rig rig;
        const Sent s = offerFile(rig, 10);
        acceptAll(rig, s);
        rig.manager.onMessage(wire::FileRequest{s.offer.offerId, s.offer.fileIds[1], 0});
        rig.drain();
        expectOfferFailed(rig, s, "the peer requested a file it did not accept");
    }
    SUBCASE("an id that is not in the offer")
    {
        Rig rig;
        const Sent s = offerFile(rig, 10);
        acceptAll(rig, s);
        rig.manager.onMessage(wire::FileRequest{s.offer.offerId, 4242, 0});
        rig.drain();
        expectOfferFailed(rig, s, "the peer requested a file it did not accept");
    }
    SUBCASE("before the reply")
    {
        Rig rig;
        const Sent s = offerFile(rig, 10);
        rig.manager.onMessage(wire::FileRequest{s.offer.offerId, s.offer.fileIds[0], 0});
        rig.drain();
        expectOfferFailed(rig, s, "the peer requested a file before accepting the offer");
    }
}

TEST_CASE("hostile receiver: replies that do not match the offer")
{
    SUBCASE("accepts an id never offered")
    {
        Rig rig;
        const Sent s = offerFile(rig, 10);
        rig.manager.onMessage(wire::OfferReply{s.offer.offerId, wire::OfferDecision::Accept, {99}, {}});
        rig.drain();
        expectOfferFailed(rig, s, "the peer accepted a file that was not offered");
    }
    SUBCASE("accepts a file twice")
    {
        Rig rig;
        const Sent s = offerFile(rig, 10);
        rig.manager.onMessage(wire::OfferReply{
            s.offer.offerId, wire::OfferDecision::Accept, {s.offer.fileIds[0], s.offer.fileIds[0]}, {}});
        rig.drain();
        expectOfferFailed(rig, s, "the peer accepted a file twice");
    }
    SUBCASE("accepts nothing")
    {
        Rig rig;
        const Sent s = offerFile(rig, 10);
        rig.manager.onMessage(wire::OfferReply{s.offer.offerId, wire::OfferDecision::Accept, {}, {}});
        rig.drain();
        expectOfferFailed(rig, s, "the peer accepted an empty selection");
    }
    SUBCASE("a reply for an offer never made")
    {
        Rig rig;
        rig.manager.onMessage(wire::OfferReply{31337, wire::OfferDecision::Accept, {1}, {}});
        rig.drain();
        CHECK(rig.suspicious() == 1);
        CHECK(rig.sent<wire::TransferControl>().empty());
    }
}

TEST_CASE("hostile receiver: an ack beyond what was sent fails the file (bogus resume claim)")
{
    Rig rig;
    const Sent s = offerFile(rig, 20 * kC);
    acceptAll(rig, s);
    const std::uint64_t file = s.offer.fileIds[0];
    rig.manager.onMessage(wire::FileRequest{s.offer.offerId, file, 0});
    rig.manager.produceChunks();
    rig.drain();
    const auto chunks = rig.chunks();
    REQUIRE(chunks.size() == 20); // the whole 5 MiB fits the 8 MiB window
    rig.manager.onMessage(wire::ChunkAck{file, 4});
    rig.manager.onMessage(wire::ChunkAck{file, 2}); // stale: harmless
    rig.drain();
    CHECK(rig.suspicious() == 0);
    CHECK(rig.file(s.offer.offerId, file).progress.doneBytes == 4 * kC);
    rig.manager.onMessage(wire::ChunkAck{file, 21});
    rig.drain();
    const auto results = rig.sent<wire::FileResult>();
    REQUIRE(results.size() == 1);
    CHECK(results[0].outcome == wire::FileOutcome::ProtocolViolation);
    CHECK(results[0].detail == "the peer acknowledged chunk 21 but only 20 were sent");
    CHECK(rig.file(s.offer.offerId, file).state == FileState::Failed);
    CHECK(rig.manager.bytesInFlight() == 0);
    CHECK(rig.source.m_released.count(FileKey{s.offer.offerId, file}) == 1);
}

TEST_CASE("hostile receiver: acks never let the sender run past its window")
{
    Rig rig;
    const Sent s = offerFile(rig, 64 * kC);
    acceptAll(rig, s);
    const std::uint64_t file = s.offer.fileIds[0];
    rig.manager.onMessage(wire::FileRequest{s.offer.offerId, file, 0});
    rig.manager.produceChunks();
    rig.drain();
    CHECK(rig.chunks().size() == 32); // 8 MiB
    CHECK(rig.manager.bytesInFlight() == 8ull << 20);
    CHECK_FALSE(rig.manager.canProduce());
    rig.manager.produceChunks();
    CHECK(rig.drain().empty());
    rig.manager.onMessage(wire::ChunkAck{file, 8});
    CHECK(rig.manager.canProduce());
    rig.manager.produceChunks();
    rig.drain();
    CHECK(rig.chunks().size() == 8);
    CHECK(rig.chunks().front().chunkIndex == 32);
}

TEST_CASE("hostile receiver: a read budget bounds the work of one call")
{
    Rig rig;
    const Sent s = offerFile(rig, 16 * kC);
    acceptAll(rig, s);
    rig.manager.onMessage(wire::FileRequest{s.offer.offerId, s.offer.fileIds[0], 0});
    rig.manager.produceChunks(3 * kC);
    rig.drain();
    CHECK(rig.chunks().size() == 3);
    CHECK(rig.source.bytesRead == 3 * kC);
    CHECK(rig.manager.canProduce());
    // A resume far into a file re-hashes its prefix a budget at a time, sending nothing meanwhile.
    rig.manager.onMessage(wire::FileRequest{s.offer.offerId, s.offer.fileIds[0], 12});
    rig.manager.produceChunks(4 * kC);
    rig.drain();
    CHECK(rig.chunks().empty());
    CHECK(rig.manager.canProduce());
    rig.manager.produceChunks(12 * kC); // 8 more prefix chunks, then the 4 that are sent
    rig.drain();
    REQUIRE(rig.chunks().size() == 4);
    CHECK(rig.chunks().front().chunkIndex == 12);
}

TEST_CASE("hostile receiver: a resume re-reads the prefix and sends only the rest")
{
    Rig rig;
    const std::uint64_t size = 5 * kC + 9;
    const Sent s = offerFile(rig, size);
    acceptAll(rig, s);
    const std::uint64_t file = s.offer.fileIds[0];
    rig.manager.onMessage(wire::FileRequest{s.offer.offerId, file, 5});
    rig.manager.produceChunks();
    rig.drain();
    const auto chunks = rig.chunks();
    REQUIRE(chunks.size() == 1);
    CHECK(chunks[0].chunkIndex == 5);
    CHECK(chunks[0].plaintext.size() == 9);
    CHECK(rig.source.bytesRead == size);
    CHECK(rig.sent<wire::FileDone>().empty()); // not before the last chunk is acknowledged
    rig.manager.onMessage(wire::ChunkAck{file, 6});
    rig.drain();
    const auto dones = rig.sent<wire::FileDone>();
    REQUIRE(dones.size() == 1);
    CHECK(dones[0].hash == testHash(patternBytes(1, size)));
    // "Everything is verified here": nothing to send, FileDone at once.
    Rig all;
    const Sent t = offerFile(all, size);
    acceptAll(all, t);
    all.manager.onMessage(wire::FileRequest{t.offer.offerId, t.offer.fileIds[0], 6});
    all.manager.produceChunks();
    all.drain();
    CHECK(all.chunks().empty());
    REQUIRE(all.sent<wire::FileDone>().size() == 1);
    CHECK(all.sent<wire::FileDone>()[0].hash == testHash(patternBytes(1, size)));
}

TEST_CASE("hostile receiver: verified before it was sent and messages for foreign files")
{
    Rig rig;
    const Sent s = offerFile(rig, 4 * kC);
    acceptAll(rig, s);
    const std::uint64_t file = s.offer.fileIds[0];
    rig.manager.onMessage(wire::FileRequest{s.offer.offerId, file, 0});
    rig.manager.onMessage(wire::FileResult{file, wire::FileOutcome::Verified, {}});
    rig.drain();
    const auto results = rig.sent<wire::FileResult>();
    REQUIRE(results.size() == 1);
    CHECK(results[0].detail == "the peer reported the file verified before it was sent");
    CHECK(rig.file(s.offer.offerId, file).state == FileState::Failed);

    rig.manager.onMessage(wire::ChunkAck{777, 1});
    rig.manager.onMessage(wire::ChunkAck{s.offer.fileIds[1], 1}); // a directory
    rig.manager.onMessage(wire::FileResult{s.offer.fileIds[1], wire::FileOutcome::Verified, {}});
    rig.manager.onMessage(wire::TransferControl{s.offer.offerId, 888, wire::TransferAction::Pause});
    rig.drain();
    CHECK(rig.suspicious() == 4);
}

TEST_CASE("hostile receiver: a request for a cancelled file or an ended offer gets a cancel back")
{
    Rig rig;
    const Sent s = offerFile(rig, 10);
    acceptAll(rig, s);
    REQUIRE(rig.manager.cancel(s.offer.offerId, s.offer.fileIds[0]));
    rig.drain();
    rig.manager.onMessage(wire::FileRequest{s.offer.offerId, s.offer.fileIds[0], 0});
    rig.drain();
    REQUIRE(rig.sent<wire::TransferControl>().size() == 1);
    CHECK(rig.sent<wire::TransferControl>()[0].fileId == s.offer.fileIds[0]);
    CHECK(rig.suspicious() == 0);
    REQUIRE(rig.manager.cancel(s.offer.offerId));
    rig.drain();
    rig.manager.onMessage(wire::FileRequest{s.offer.offerId, s.offer.fileIds[2], 0});
    rig.drain();
    REQUIRE(rig.sent<wire::TransferControl>().size() == 1);
    CHECK(rig.sent<wire::TransferControl>()[0].fileId == 0);
    rig.manager.produceChunks();
    rig.drain();
    CHECK(rig.chunks().empty());
}
