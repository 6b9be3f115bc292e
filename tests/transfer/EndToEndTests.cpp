// Sender and receiver managers pumped against each other over the fake link: the normal paths.
#include "TestSupport.hpp"

using namespace duet;
using namespace duet::transfer;
using namespace duet::transfer::test;

namespace {
constexpr std::uint64_t kC = kChunkBytes;
} // namespace

TEST_CASE("end to end: small files arrive verified with the exact message flow")
{
    Link link;
    const std::vector<wire::Bytes> contents = {patternBytes(11, 100), wire::Bytes{42},
                                               patternBytes(12, 1000)};
    const NewOffer offer = link.offerFromA(
        {fileEntry("a.txt", 100), fileEntry("b.bin", 1), fileEntry("c/d.txt", 1000)}, &contents);
    deliverAndAccept(link);
    REQUIRE(link.pump());

    CHECK(link.decodeFailures == 0);
    CHECK(link.b.sink.committed.size() == 3);
    CHECK(link.b.sink.committed.at("a.txt") == contents[0]);
    CHECK(link.b.sink.committed.at("b.bin") == contents[1]);
    CHECK(link.b.sink.committed.at("c/d.txt") == contents[2]);
    CHECK(link.b.sink.partials.empty());
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Finished);
    CHECK(offerState(*link.b.manager, offer.offerId) == OfferState::Finished);

    // Sender -> receiver: one offer part, then one FileDone per file carrying the whole-file hash.
    const auto parts = link.deliveredOf<wire::Offer>(true);
    REQUIRE(parts.size() == 1);
    CHECK(parts[0].totalEntries == 3);
    CHECK(parts[0].totalBytes == 1101);
    const auto dones = link.deliveredOf<wire::FileDone>(true);
    REQUIRE(dones.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(dones[i].fileId == offer.fileIds[i]);
        CHECK(dones[i].hash == testHash(contents[i]));
    }
    // Receiver -> sender: accept all, request each file from chunk 0, ack its only chunk, report Verified.
    const auto replies = link.deliveredOf<wire::OfferReply>(false);
    REQUIRE(replies.size() == 1);
    CHECK(replies[0].decision == wire::OfferDecision::Accept);
    CHECK(replies[0].acceptedFileIds == offer.fileIds);
    const auto requests = link.deliveredOf<wire::FileRequest>(false);
    REQUIRE(requests.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(requests[i].fileId == offer.fileIds[i]);
        CHECK(requests[i].fromChunk == 0);
    }
    const auto acks = link.deliveredOf<wire::ChunkAck>(false);
    REQUIRE(acks.size() == 3);
    for (const auto& ack : acks)
        CHECK(ack.nextChunk == 1);
    const auto results = link.deliveredOf<wire::FileResult>(false);
    REQUIRE(results.size() == 3);
    for (const auto& r : results)
        CHECK(r.outcome == wire::FileOutcome::Verified);
    CHECK(link.deliveredOf<wire::TransferControl>(true).empty());
    CHECK(link.a.suspiciousDrops() == 0);
    CHECK(link.b.suspiciousDrops() == 0);
    // Local paths never travel: the offer carries only the relative names given.
    CHECK(parts[0].entries[2].path == "c/d.txt");
}

TEST_CASE("end to end: sizes at chunk boundaries")
{
    for (const std::uint64_t size : {kC - 1, kC, kC + 1, 4 * kC, 5 * kC + 1}) {
        CAPTURE(size);
        Link link;
        const NewOffer offer = link.offerFromA({fileEntry("f", size)});
        deliverAndAccept(link);
        REQUIRE(link.pump());
        CHECK(link.b.sink.committed.at("f") == patternBytes(1, size));
        CHECK(link.chunkBytesFromA == size);
        // Acks every 4 chunks and at the end.
        const auto acks = link.deliveredOf<wire::ChunkAck>(false);
        const std::uint64_t count = chunkCount(size);
        REQUIRE(!acks.empty());
        CHECK(acks.back().nextChunk == count);
        CHECK(acks.size() == (count + kAckEveryChunks - 1) / kAckEveryChunks);
        CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Finished);
    }
}

TEST_CASE("end to end: a 0-byte file gets no chunks and the hash of nothing")
{
    Link link;
    const NewOffer offer = link.offerFromA({fileEntry("empty.txt", 0)});
    deliverAndAccept(link);
    REQUIRE(link.pump());
    CHECK(link.chunkBytesFromA == 0);
    const auto requests = link.deliveredOf<wire::FileRequest>(false);
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].fromChunk == 0);
    CHECK(link.deliveredOf<wire::ChunkAck>(false).empty());
    const auto dones = link.deliveredOf<wire::FileDone>(true);
    REQUIRE(dones.size() == 1);
    CHECK(dones[0].hash == testHash({}));
    REQUIRE(link.b.sink.committed.count("empty.txt") == 1);
    CHECK(link.b.sink.committed.at("empty.txt").empty());
    CHECK(fileProgress(*link.a.manager, offer.offerId, offer.fileIds[0]).state == FileState::Verified);
}

TEST_CASE("end to end: folders including empty ones are created")
{
    Link link;
    const NewOffer offer =
        link.offerFromA({dirEntry("photos"), dirEntry("photos/empty"), dirEntry("photos/2024"),
                         fileEntry("photos/2024/a.jpg", 3000), dirEntry("photos/2024/none")});
    deliverAndAccept(link);
    REQUIRE(link.pump());
    CHECK(link.b.sink.directories ==
          std::set<std::string>{"photos", "photos/empty", "photos/2024", "photos/2024/none"});
    CHECK(link.b.sink.committed.count("photos/2024/a.jpg") == 1);
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Finished);
    CHECK(offerState(*link.b.manager, offer.offerId) == OfferState::Finished);
    // Directories need no request.
    CHECK(link.deliveredOf<wire::FileRequest>(false).size() == 1);
    const FileProgress dir = fileProgress(*link.b.manager, offer.offerId, offer.fileIds[1]);
    CHECK(dir.state == FileState::Verified);
    CHECK(dir.finalPath == "photos/empty");
}

TEST_CASE("end to end: a directory that cannot be created fails alone")
{
    Link link;
    link.b.sink.failDirectories = true;
    const NewOffer offer = link.offerFromA({dirEntry("d"), fileEntry("x", 10)});
    deliverAndAccept(link);
    REQUIRE(link.pump());
    const FileProgress dir = fileProgress(*link.b.manager, offer.offerId, offer.fileIds[0]);
    CHECK(dir.state == FileState::Failed);
    CHECK(dir.outcome == wire::FileOutcome::WriteFailed);
    CHECK(link.b.sink.committed.count("x") == 1);
    CHECK(offerState(*link.b.manager, offer.offerId) == OfferState::Finished);
}

TEST_CASE("end to end: a 64 MiB file streams with memory bounded by the window")
{
    Link link;
    const std::uint64_t size = 64ull << 20;
    const NewOffer offer = link.offerFromA({fileEntry("big.bin", size)});
    deliverAndAccept(link);
    REQUIRE(link.pump());
    const std::uint64_t window = link.a.manager->windowBytes();
    CHECK(window == 8ull << 20);
    CHECK(link.maxInFlightA <= window);
    CHECK(link.maxQueuedChunkBytes <= window);
    CHECK(link.maxQueuedChunkBytes >= window / 2); // the window is actually used
    CHECK(link.a.source.largestRead <= kC);        // read a chunk at a time, right before sending it
    CHECK(link.chunkBytesFromA == size);           // nothing sent twice
    REQUIRE(link.b.sink.committed.count("big.bin") == 1);
    CHECK(link.b.sink.committed.at("big.bin").size() == size);
    CHECK(testHash(link.b.sink.committed.at("big.bin")) == patternHash(1, size));
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Finished);
}

TEST_CASE("end to end: a smaller window is honoured too")
{
    TransferConfig small;
    small.windowBytes = 1; // raised to the minimum, 4 chunks
    Link link(small);
    link.offerFromA({fileEntry("f", 20 * kC + 7)});
    deliverAndAccept(link);
    REQUIRE(link.pump());
    CHECK(link.a.manager->windowBytes() == kMinWindowBytes);
    CHECK(link.maxInFlightA <= kMinWindowBytes);
    CHECK(link.b.sink.committed.count("f") == 1);
}

TEST_CASE("end to end: accept some")
{
    Link link;
    const NewOffer offer =
        link.offerFromA({fileEntry("one", 10), fileEntry("two", 20), fileEntry("three", 30)});
    const std::vector<std::uint64_t> some = {offer.fileIds[1]};
    deliverAndAccept(link, &some);
    REQUIRE(link.pump());
    CHECK(link.b.sink.committed.size() == 1);
    CHECK(link.b.sink.committed.count("two") == 1);
    const auto replies = link.deliveredOf<wire::OfferReply>(false);
    REQUIRE(replies.size() == 1);
    CHECK(replies[0].acceptedFileIds == some);
    CHECK(fileProgress(*link.a.manager, offer.offerId, offer.fileIds[0]).state == FileState::NotAccepted);
    CHECK(fileProgress(*link.a.manager, offer.offerId, offer.fileIds[1]).state == FileState::Verified);
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Finished);
    const auto snapshot = link.b.manager->snapshotOffer(offer.offerId, false);
    CHECK(snapshot->entriesAccepted == 1);
    CHECK(snapshot->progress.totalBytes == 20);
    CHECK(snapshot->progress.doneBytes == 20);
}

TEST_CASE("end to end: a bad selection leaves the offer waiting")
{
    Link link;
    const NewOffer offer = link.offerFromA({fileEntry("one", 10)});
    REQUIRE(link.pumpUntil([&] { return arrivedOffer(link.b) != 0; }));
    const std::vector<std::uint64_t> unknown = {12345};
    CHECK(link.b.manager->accept(offer.offerId, &unknown).has_value());
    const std::vector<std::uint64_t> none;
    CHECK(link.b.manager->accept(offer.offerId, &none).has_value());
    CHECK(offerState(*link.b.manager, offer.offerId) == OfferState::AwaitingDecision);
    CHECK_FALSE(link.b.manager->accept(offer.offerId).has_value());
}

TEST_CASE("end to end: reject with a reason")
{
    Link link;
    const NewOffer offer = link.offerFromA({fileEntry("one", 10)});
    REQUIRE(link.pumpUntil([&] { return arrivedOffer(link.b) != 0; }));
    CHECK(link.b.manager->reject(offer.offerId, "not now"));
    REQUIRE(link.pump());
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Rejected);
    CHECK(link.a.manager->snapshotOffer(offer.offerId)->reason == "the peer declined: not now");
    CHECK(link.deliveredOf<wire::FileRequest>(false).empty());
    CHECK(link.chunkBytesFromA == 0);
    CHECK(link.b.sink.partials.empty());
}

TEST_CASE("end to end: not enough free space refuses the offer before anything is written")
{
    Link link;
    link.b.sink.m_freeSpace = 300ull << 20; // 300 MiB free, 256 MiB reserve
    const NewOffer offer = link.offerFromA({fileEntry("big", 100ull << 20)});
    REQUIRE(link.pumpUntil([&] { return arrivedOffer(link.b) != 0; }));
    const auto refusal = link.b.manager->accept(offer.offerId);
    REQUIRE(refusal.has_value());
    CHECK(*refusal == "not enough free space: 100 MiB needed plus 256 MiB kept free, 300 MiB available");
    REQUIRE(link.pump());
    const auto replies = link.deliveredOf<wire::OfferReply>(false);
    REQUIRE(replies.size() == 1);
    CHECK(replies[0].decision == wire::OfferDecision::Reject);
    CHECK(replies[0].reason == *refusal);
    CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Rejected);
    CHECK(link.b.sink.partials.empty());
    // With room to spare the same offer is fine.
    link.b.sink.m_freeSpace = 400ull << 20;
    const NewOffer again = link.offerFromA({fileEntry("big2", 100ull << 20)});
    deliverAndAccept(link);
    CHECK(offerState(*link.b.manager, again.offerId) == OfferState::Active);
}

TEST_CASE("end to end: many small files requested ahead or strictly one at a time")
{
    for (const std::size_t ahead : {std::size_t{1}, std::size_t{8}}) {
        CAPTURE(ahead);
        TransferConfig receiver;
        receiver.filesRequestedAhead = ahead;
        Link link({}, receiver);
        std::vector<LocalEntry> entries;
        for (int i = 0; i < 200; ++i)
            entries.push_back(fileEntry("dir/f" + std::to_string(i), 1000 + i));
        const NewOffer offer = link.offerFromA(entries);
        deliverAndAccept(link);
        const std::size_t before = link.stepsTaken;
        REQUIRE(link.pump(20'000));
        const std::size_t steps = link.stepsTaken - before;
        CHECK(link.b.sink.committed.size() == 200);
        CHECK(offerState(*link.a.manager, offer.offerId) == OfferState::Finished);
        CHECK(link.b.sink.maxOpen <= 2 * ahead);
        // Requests go out in offer order.
        const auto requests = link.deliveredOf<wire::FileRequest>(false);
        REQUIRE(requests.size() == 200);
        for (std::size_t i = 0; i < 200; ++i)
            CHECK(requests[i].fileId == offer.fileIds[i]);
        if (ahead == 1)
            CHECK(steps >= 200 * 2); // a round trip per file
        else
            CHECK(steps < 200); // round trips overlap
    }
}

TEST_CASE("end to end: data overtaken by control messages still completes")
{
    Link link;
    link.order = Link::Order::DataFirst;
    link.chunksPerStep = 1;
    link.offerFromA({fileEntry("a", 9 * kC + 3), fileEntry("b", 0), fileEntry("c", 2 * kC)});
    deliverAndAccept(link);
    REQUIRE(link.pump());
    CHECK(link.b.sink.committed.size() == 3);
    CHECK(link.b.suspiciousDrops() == 0);
}

TEST_CASE("end to end: both directions at once")
{
    Link link;
    const NewOffer fromA = link.offerFromA({fileEntry("to-b", 3 * kC + 5)});
    NewOffer fromB = link.b.manager->offer({fileEntry("to-a", 2 * kC + 9)});
    REQUIRE(fromB.ok());
    link.b.source.add(FileKey{fromB.offerId, fromB.fileIds[0]},
                      FakeSource::File{2 * kC + 9, 1'700'000'000'000, {}, 77});
    REQUIRE(link.pumpUntil([&] { return arrivedOffer(link.a) != 0 && arrivedOffer(link.b) != 0; }));
    CHECK_FALSE(link.a.manager->accept(fromB.offerId).has_value());
    CHECK_FALSE(link.b.manager->accept(fromA.offerId).has_value());
    REQUIRE(link.pump());
    CHECK(link.b.sink.committed.at("to-b") == patternBytes(1, 3 * kC + 5));
    CHECK(link.a.sink.committed.at("to-a") == patternBytes(77, 2 * kC + 9));
    CHECK(link.a.suspiciousDrops() == 0);
    CHECK(link.b.suspiciousDrops() == 0);
}

TEST_CASE("end to end: the sender refuses to offer what the validator refuses")
{
    Link link;
    const NewOffer absolute = link.a.manager->offer({fileEntry("/home/alice/secret.pdf", 10)});
    CHECK_FALSE(absolute.ok());
    CHECK(absolute.error == "bad name");
    CHECK_FALSE(link.a.manager->offer({}).ok());
    CHECK_FALSE(link.a.manager->offer({LocalEntry{wire::EntryKind::Directory, 5, 0, "d"}}).ok());
    CHECK(link.a.manager->takeActions().empty());
}

TEST_CASE("end to end: a name already taken lands under a free name and the events say where")
{
    Link link;
    const std::vector<wire::Bytes> first = {patternBytes(5, 10)};
    const std::vector<wire::Bytes> second = {patternBytes(6, 20)};
    link.offerFromA({fileEntry("report.pdf", 10)}, &first);
    deliverAndAccept(link);
    REQUIRE(link.pump());
    const NewOffer again = link.offerFromA({fileEntry("report.pdf", 20)}, &second);
    deliverAndAccept(link);
    REQUIRE(link.pump());
    CHECK(link.b.sink.committed.at("report.pdf") == first[0]); // never overwritten
    CHECK(link.b.sink.committed.at("report.pdf (1)") == second[0]);
    const FileProgress landed = fileProgress(*link.b.manager, again.offerId, again.fileIds[0]);
    CHECK(landed.finalPath == "report.pdf (1)");
    bool announced = false;
    for (const FileChanged& e : link.b.eventsOf<FileChanged>())
        if (e.file.fileId == again.fileIds[0] && e.state == FileState::Verified)
            announced = e.finalPath == "report.pdf (1)" && e.direction == Direction::Incoming;
    CHECK(announced);
    const auto offers = link.a.eventsOf<OfferChanged>();
    REQUIRE(!offers.empty());
    CHECK(offers.back().offerId == again.offerId);
    CHECK(offers.back().state == OfferState::Finished);
}
