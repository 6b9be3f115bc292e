// A scripted hostile sender against a receiving TransferManager (checklist C1-C10, E1, E4). Every case
// must end in a clear error and a failed or dropped transfer: nothing committed, nothing written out of
// place, no crash.
#include "Rig.hpp"
#include "duet/transfer/ChunkMath.hpp"

#include <limits>

using namespace duet;
using namespace duet::transfer;
using namespace duet::transfer::test;

namespace {

constexpr std::uint64_t kC = kChunkBytes;
constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t kOffer = 500;
constexpr std::uint64_t kFile = 501;

// Offers one file of `size` bytes and accepts it; the receiver's request is checked.
void offerAndAccept(Rig& rig, std::uint64_t size, std::uint64_t fileId = kFile,
                    std::uint64_t offerId = kOffer)
{
    rig.manager.onMessage(onePart(offerId, {wireFile(fileId, size, "f" + std::to_string(fileId))}));
    rig.drain();
    REQUIRE(rig.events<OfferArrived>().size() == 1);
    REQUIRE_FALSE(rig.manager.accept(offerId).has_value());
    rig.drain();
    const auto requests = rig.sent<wire::FileRequest>();
    REQUIRE(requests.size() == 1);
    REQUIRE(requests[0].fileId == fileId);
    REQUIRE(requests[0].fromChunk == 0);
}

wire::Bytes chunkOf(std::uint64_t size, std::uint64_t index, std::uint64_t seed = 1)
{
    wire::Bytes all = patternBytes(seed, size);
    const std::uint64_t from = index * kC;
    return wire::Bytes(all.begin() + static_cast<std::ptrdiff_t>(from),
                       all.begin() + static_cast<std::ptrdiff_t>(from + chunkLength(size, index)));
}

// Checks the file failed with a protocol violation whose detail is `detail`, reported to the sender.
void expectViolation(Rig& rig, const std::string& detail, std::uint64_t fileId = kFile)
{
    const auto results = rig.sent<wire::FileResult>();
    REQUIRE(results.size() == 1);
    CHECK(results[0].fileId == fileId);
    CHECK(results[0].outcome == wire::FileOutcome::ProtocolViolation);
    CHECK(results[0].detail == detail);
    CHECK(rig.suspicious() >= 1);
    const FileProgress f = rig.file(kOffer, fileId);
    CHECK(f.state == FileState::Failed);
    CHECK(f.outcome == wire::FileOutcome::ProtocolViolation);
    CHECK(rig.sink.committed.empty());
}

} // namespace

TEST_CASE("hostile sender: more bytes than declared (C4)")
{
    Rig rig;
    const std::uint64_t size = 2 * kC + 10;
    offerAndAccept(rig, size);
    for (std::uint64_t i = 0; i < 3; ++i)
        rig.manager.onChunk(kFile, i, chunkOf(size, i));
    rig.drain();
    CHECK(rig.sent<wire::ChunkAck>().size() == 1); // the last chunk is acknowledged
    rig.manager.onChunk(kFile, 3, wire::Bytes(kC, 0xAA));
    rig.drain();
    expectViolation(rig, "chunk 3 is beyond the file's 3 chunks (more bytes than offered)");
    CHECK(rig.sink.bytesWritten == size); // stopped at the declared size
    // Its FileDone changes nothing now.
    rig.manager.onMessage(wire::FileDone{kFile, testHash(patternBytes(1, size))});
    rig.drain();
    CHECK(rig.sink.committed.empty());
    CHECK(rig.sink.commits == 0);
}

TEST_CASE("hostile sender: a last chunk longer than the declared size")
{
    Rig rig;
    const std::uint64_t size = kC + 10;
    offerAndAccept(rig, size);
    rig.manager.onChunk(kFile, 0, chunkOf(size, 0));
    rig.manager.onChunk(kFile, 1, wire::Bytes(11, 1));
    rig.drain();
    expectViolation(rig, "chunk 1 has 11 bytes, expected 10");
    CHECK(rig.sink.bytesWritten == kC);
}

TEST_CASE("hostile sender: fewer bytes than declared then done (C3) keeps the partial for resume")
{
    Rig rig;
    const std::uint64_t size = 3 * kC;
    offerAndAccept(rig, size);
    rig.manager.onChunk(kFile, 0, chunkOf(size, 0));
    rig.manager.onChunk(kFile, 1, chunkOf(size, 1));
    rig.manager.onMessage(wire::FileDone{kFile, testHash(patternBytes(1, size))});
    rig.drain();
    expectViolation(rig, "the sender finished after 2 of 3 chunks (fewer bytes than offered)");
    const FileKey key{kOffer, kFile};
    REQUIRE(rig.sink.partials.count(key) == 1);
    CHECK(rig.sink.partials.at(key).chunkHashes.size() == 2);
    CHECK_FALSE(rig.sink.partials.at(key).open);
    // A retry asks for exactly what is missing.
    CHECK(rig.manager.retry(kOffer, kFile));
    rig.drain();
    const auto requests = rig.sent<wire::FileRequest>();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].fromChunk == 2);
}

TEST_CASE("hostile sender: chunk indexes out of range or built to overflow (C5)")
{
    const std::uint64_t size = 4 * kC;
    const std::vector<std::pair<std::uint64_t, std::string>> cases = {
        {4, "chunk 4 is beyond the file's 4 chunks (more bytes than offered)"},
        {kMax, "chunk " + std::to_string(kMax) + " is beyond the file's 4 chunks (more bytes than offered)"},
        {kMax / kC + 1, "chunk " + std::to_string(kMax / kC + 1) +
                            " is beyond the file's 4 chunks (more bytes than offered)"},
        {2, "chunk 2 arrived while chunk 0 was expected"},
    };
    for (const auto& entry : cases) {
        const std::uint64_t index = entry.first;
        const std::string& detail = entry.second;
        CAPTURE(index);
        Rig rig;
        offerAndAccept(rig, size);
        rig.manager.onChunk(kFile, index, wire::Bytes(kC, 7));
        rig.drain();
        expectViolation(rig, detail);
        CHECK(rig.sink.bytesWritten == 0);
    }
}

TEST_CASE("hostile sender: empty and short and oversized chunks (C5)")
{
    for (const std::size_t length :
         {std::size_t{0}, std::size_t{kC - 1}, std::size_t{kC + 1}, std::size_t{2 * kC}}) {
        CAPTURE(length);
        Rig rig;
        offerAndAccept(rig, 4 * kC);
        rig.manager.onChunk(kFile, 0, wire::Bytes(length, 7));
        rig.drain();
        expectViolation(rig,
                        "chunk 0 has " + std::to_string(length) + " bytes, expected " + std::to_string(kC));
        CHECK(rig.sink.bytesWritten == 0);
    }
}

TEST_CASE("hostile sender: duplicate chunks are dropped and never rewritten (C6)")
{
    Rig rig;
    const std::uint64_t size = 2 * kC;
    offerAndAccept(rig, size);
    rig.manager.onChunk(kFile, 0, chunkOf(size, 0));
    rig.manager.onChunk(kFile, 0, chunkOf(size, 0));      // the same bytes again
    rig.manager.onChunk(kFile, 0, wire::Bytes(kC, 0xEE)); // different bytes for the same index
    rig.manager.onChunk(kFile, 1, chunkOf(size, 1));
    rig.drain();
    CHECK(rig.manager.incoming(kOffer)->duplicateChunks() == 2);
    CHECK(rig.sink.bytesWritten == size);
    rig.manager.onMessage(wire::FileDone{kFile, testHash(patternBytes(1, size))});
    rig.drain();
    CHECK(rig.sink.committed.at("f501") == patternBytes(1, size)); // the first version, untouched
    CHECK(rig.suspicious() == 0);
}

TEST_CASE("hostile sender: endless duplicates become a violation")
{
    Rig rig;
    offerAndAccept(rig, 2 * kC);
    rig.manager.onChunk(kFile, 0, chunkOf(2 * kC, 0));
    for (std::uint64_t i = 0; i <= kMaxDuplicateChunks; ++i)
        rig.manager.onChunk(kFile, 0, chunkOf(2 * kC, 0));
    rig.drain();
    expectViolation(rig, "too many duplicate chunks");
}

TEST_CASE("hostile sender: chunks for unknown or unrequested or cancelled or finished files (C7)")
{
    Rig rig;
    // Unknown file: dropped, counted, nothing created.
    rig.manager.onChunk(999, 0, wire::Bytes(10, 1));
    rig.drain();
    CHECK(rig.suspicious() == 1);
    CHECK(rig.events<InputDropped>()[0].reason == "chunk for an unknown offer or file");
    CHECK(rig.sink.partials.empty());

    // Before the offer is accepted.
    rig.manager.onMessage(onePart(
        kOffer, {wireFile(kFile, 100, "a"), wireFile(kFile + 1, 100, "b"), wireFile(kFile + 2, 100, "c")}));
    rig.drain();
    rig.manager.onChunk(kFile, 0, wire::Bytes(100, 1));
    rig.drain();
    CHECK(rig.suspicious() == 1);
    CHECK(rig.sink.partials.empty());

    // A file that was not accepted.
    const std::vector<std::uint64_t> some = {kFile, kFile + 1};
    REQUIRE_FALSE(rig.manager.accept(kOffer, &some).has_value());
    rig.drain();
    rig.manager.onChunk(kFile + 2, 0, wire::Bytes(100, 1));
    rig.drain();
    CHECK(rig.suspicious() == 1);
    CHECK(rig.sink.partials.count(FileKey{kOffer, kFile + 2}) == 0);

    // A cancelled file: dropped quietly (chunks may still be in flight), not written.
    REQUIRE(rig.manager.cancel(kOffer, kFile + 1));
    rig.drain();
    rig.manager.onChunk(kFile + 1, 0, wire::Bytes(100, 1));
    rig.drain();
    CHECK(rig.suspicious() == 0);
    CHECK(rig.events<InputDropped>().size() == 1);
    CHECK(rig.sink.partials.count(FileKey{kOffer, kFile + 1}) == 0);

    // A finished file: dropped as suspicious, the committed file untouched.
    const wire::Bytes content = patternBytes(4, 100);
    rig.manager.onChunk(kFile, 0, content);
    rig.manager.onMessage(wire::FileDone{kFile, testHash(content)});
    rig.drain();
    REQUIRE(rig.sink.committed.count("a") == 1);
    rig.manager.onChunk(kFile, 0, wire::Bytes(100, 9));
    rig.manager.onMessage(wire::FileDone{kFile, testHash(content)});
    rig.drain();
    CHECK(rig.suspicious() == 2);
    CHECK(rig.sink.committed.at("a") == content);
    CHECK(rig.sink.commits == 1);
}

TEST_CASE("hostile sender: a wrong whole-file hash discards the partial and commits nothing (C8)")
{
    Rig rig;
    const std::uint64_t size = kC + 1;
    offerAndAccept(rig, size);
    rig.manager.onChunk(kFile, 0, chunkOf(size, 0));
    rig.manager.onChunk(kFile, 1, chunkOf(size, 1));
    Hash32 wrong = testHash(patternBytes(1, size));
    wrong[0] ^= 1;
    rig.manager.onMessage(wire::FileDone{kFile, wrong});
    rig.drain();
    const auto results = rig.sent<wire::FileResult>();
    REQUIRE(results.size() == 1);
    CHECK(results[0].outcome == wire::FileOutcome::HashMismatch);
    CHECK(results[0].detail == "the received content does not match the sender's hash");
    CHECK(rig.sink.committed.empty());
    CHECK(rig.sink.partials.empty());
    CHECK(rig.sink.discards == 1);
}

TEST_CASE("hostile sender: a sender cannot declare a file verified nor finish one it never started")
{
    Rig rig;
    rig.manager.onMessage(onePart(kOffer, {wireFile(kFile, 10, "a"), wireFile(kFile + 1, 10, "b")}));
    rig.drain();
    REQUIRE_FALSE(rig.manager.accept(kOffer).has_value());
    rig.drain();
    rig.manager.onMessage(wire::FileResult{kFile, wire::FileOutcome::Verified, {}});
    rig.drain();
    expectViolation(rig, "the sender declared the file verified");
    // FileDone for a file the receiver has not requested yet is dropped (the second file may not be).
    Rig other(TransferConfig{.filesRequestedAhead = 1});
    other.manager.onMessage(onePart(kOffer, {wireFile(kFile, 10, "a"), wireFile(kFile + 1, 10, "b")}));
    other.drain();
    REQUIRE_FALSE(other.manager.accept(kOffer).has_value());
    other.drain();
    other.manager.onMessage(wire::FileDone{kFile + 1, testHash({})});
    other.drain();
    CHECK(other.suspicious() == 1);
    CHECK(other.sink.commits == 0);
}

TEST_CASE("hostile sender: an offer flood gets one prompt and the rest are refused as busy (E1)")
{
    Rig rig;
    std::size_t prompts = 0;
    std::size_t busy = 0;
    for (std::uint64_t i = 0; i < 1000; ++i) {
        rig.manager.onMessage(onePart(1000 + i, {wireFile(5000 + i, 10, "x")}));
        rig.drain();
        prompts += rig.events<OfferArrived>().size();
        for (const auto& reply : rig.sent<wire::OfferReply>()) {
            CHECK(reply.decision == wire::OfferDecision::Reject);
            CHECK(reply.reason == "busy: another offer is waiting for a decision");
            ++busy;
        }
    }
    CHECK(prompts == 1);
    CHECK(busy == 999);
    CHECK(rig.manager.snapshot().size() == 1);
    // Parts of a recently refused offer get the same answer again instead of opening a new prompt.
    REQUIRE(rig.manager.reject(1000, "no"));
    rig.drain();
    rig.manager.onMessage(onePart(1999, {wireFile(9999, 10, "x")}));
    rig.drain();
    CHECK(rig.events<OfferArrived>().empty());
    REQUIRE(rig.sent<wire::OfferReply>().size() == 1);
    CHECK(rig.sent<wire::OfferReply>()[0].reason == "busy: another offer is waiting for a decision");
    // After the decision a new offer may prompt again.
    rig.manager.onMessage(onePart(3000, {wireFile(7000, 10, "y")}));
    rig.drain();
    CHECK(rig.events<OfferArrived>().size() == 1);
}

TEST_CASE("hostile sender: pending offers are capped across peers too")
{
    PendingOfferLimit shared(1);
    Rig peer1({}, &shared);
    Rig peer2({}, &shared);
    peer1.manager.onMessage(onePart(1, {wireFile(11, 10, "x")}));
    peer1.drain();
    CHECK(peer1.events<OfferArrived>().size() == 1);
    peer2.manager.onMessage(onePart(2, {wireFile(21, 10, "x")}));
    peer2.drain();
    CHECK(peer2.events<OfferArrived>().empty());
    REQUIRE(peer2.sent<wire::OfferReply>().size() == 1);
    CHECK(peer2.sent<wire::OfferReply>()[0].reason == "busy: too many offers are waiting for a decision");
    REQUIRE(peer1.manager.reject(1, "no"));
    CHECK(shared.inUse() == 0);
    peer2.manager.onMessage(onePart(3, {wireFile(31, 10, "x")}));
    peer2.drain();
    CHECK(peer2.events<OfferArrived>().size() == 1);
}

TEST_CASE("hostile sender: running incoming offers are capped")
{
    TransferConfig config;
    config.maxActiveIncomingOffers = 2;
    Rig rig(config);
    for (std::uint64_t i = 1; i <= 2; ++i) {
        rig.manager.onMessage(onePart(i, {wireFile(100 + i, 10 * kC, "f" + std::to_string(i))}));
        REQUIRE_FALSE(rig.manager.accept(i).has_value());
    }
    rig.drain();
    rig.manager.onMessage(onePart(3, {wireFile(103, 10, "g")}));
    rig.drain();
    REQUIRE(rig.sent<wire::OfferReply>().size() == 1);
    CHECK(rig.sent<wire::OfferReply>()[0].reason == "busy: too many transfers are running");
}

TEST_CASE("hostile sender: huge offers are refused before anything touches disk (C1 C10)")
{
    struct Case {
        const char* name;
        wire::Offer offer;
        std::string reason;
    };
    const std::vector<Case> cases = {
        {"size near 2^63", onePart(1, {wireFile(2, std::uint64_t{1} << 63, "x")}),
         "offer is too large (9223372036854775808 bytes, limit 17592186044416)"},
        {"sizes overflowing", wire::Offer{1, 0, 1, 2, 1000, {wireFile(2, kMax, "x"), wireFile(3, kMax, "y")}},
         "offer sizes add up to more than its declared total"},
        {"too many entries", wire::Offer{1, 0, 2, 100'001, 0, {}},
         "offer has too many entries (100001, limit 100000)"},
        {"a directory with a size", onePart(1, {wire::OfferEntry{2, wire::EntryKind::Directory, 1, 0, "d"}}),
         "offer lists a directory with a size"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        Rig rig;
        rig.manager.onMessage(c.offer);
        rig.drain();
        REQUIRE(rig.sent<wire::OfferReply>().size() == 1);
        CHECK(rig.sent<wire::OfferReply>()[0].decision == wire::OfferDecision::Reject);
        CHECK(rig.sent<wire::OfferReply>()[0].reason == c.reason);
        CHECK(rig.events<OfferArrived>().empty());
        CHECK(rig.suspicious() == 1);
        CHECK(rig.sink.partials.empty());
        CHECK(rig.sink.directories.empty());
    }
    // Bigger than the disk: refused at accept with the free-space reason (checked before any write).
    Rig rig;
    rig.sink.m_freeSpace = 1ull << 30;
    rig.manager.onMessage(onePart(1, {wireFile(2, 1ull << 40, "x")}));
    rig.drain();
    REQUIRE(rig.manager.accept(1).has_value());
    CHECK(rig.sink.partials.empty());
}

TEST_CASE("hostile sender: many empty folders up to the cap are fine and beyond it refused (C10)")
{
    TransferConfig config;
    config.maxOfferEntries = 5000;
    Rig rig(config);
    std::vector<wire::OfferEntry> dirs;
    for (std::uint64_t i = 1; i <= 4096; ++i)
        dirs.push_back(wire::OfferEntry{i, wire::EntryKind::Directory, 0, 0, "d" + std::to_string(i)});
    rig.manager.onMessage(wire::Offer{1, 0, 2, 5001, 0, dirs});
    rig.drain();
    REQUIRE(rig.sent<wire::OfferReply>().size() == 1);
    CHECK(rig.sent<wire::OfferReply>()[0].reason == "offer has too many entries (5001, limit 5000)");
    rig.manager.onMessage(wire::Offer{2, 0, 1, 4096, 0, dirs});
    rig.drain();
    REQUIRE(rig.events<OfferArrived>().size() == 1);
    REQUIRE_FALSE(rig.manager.accept(2).has_value());
    CHECK(rig.sink.directories.size() == 4096);
    CHECK(offerState(rig.manager, 2) == OfferState::Finished);
}

TEST_CASE("hostile sender: inconsistent parts are refused and later parts get the same answer")
{
    Rig rig;
    rig.manager.onMessage(wire::Offer{7, 0, 3, 3, 30, {wireFile(1, 10, "a")}});
    rig.manager.onMessage(wire::Offer{7, 0, 3, 3, 30, {wireFile(2, 10, "b")}}); // part 0 again
    rig.drain();
    REQUIRE(rig.sent<wire::OfferReply>().size() == 1);
    CHECK(rig.sent<wire::OfferReply>()[0].reason == "offer part 0 arrived twice");
    rig.manager.onMessage(wire::Offer{7, 1, 3, 3, 30, {wireFile(3, 10, "c")}});
    rig.drain();
    REQUIRE(rig.sent<wire::OfferReply>().size() == 1);
    CHECK(rig.sent<wire::OfferReply>()[0].reason == "offer part 0 arrived twice");
    CHECK(rig.events<OfferArrived>().empty());
    // A part after the offer was already complete and waiting for the user.
    rig.manager.onMessage(onePart(8, {wireFile(4, 10, "d")}));
    rig.manager.onMessage(onePart(8, {wireFile(5, 10, "e")}));
    rig.drain();
    CHECK(offerState(rig.manager, 8) == OfferState::Rejected);
}

TEST_CASE("hostile sender: ids already in use on the connection are refused")
{
    Rig rig;
    rig.manager.onMessage(onePart(1, {wireFile(10, 5, "a")}));
    REQUIRE_FALSE(rig.manager.accept(1).has_value());
    rig.drain();
    // Same file id in another offer.
    rig.manager.onMessage(onePart(2, {wireFile(10, 5, "b")}));
    rig.drain();
    REQUIRE(rig.sent<wire::OfferReply>().size() == 1);
    CHECK(rig.sent<wire::OfferReply>()[0].reason == "the offer reuses ids already in use on this connection");
    // The id of our own outgoing offer.
    const NewOffer mine = rig.manager.offer({LocalEntry{wire::EntryKind::File, 1, 0, "mine"}});
    REQUIRE(mine.ok());
    rig.drain();
    rig.manager.onMessage(onePart(mine.offerId, {wireFile(77, 5, "c")}));
    rig.drain();
    REQUIRE(rig.sent<wire::OfferReply>().size() == 1);
    CHECK(rig.sent<wire::OfferReply>()[0].reason == "the offer id is already in use on this connection");
    CHECK(offerState(rig.manager, mine.offerId) == OfferState::AwaitingReply);
}

TEST_CASE("hostile sender: the path validator refuses the whole offer before any disk access")
{
    Rig rig;
    rig.manager.onMessage(onePart(1, {wireFile(2, 5, "ok.txt"), wireFile(3, 5, "../../.ssh/authorized_keys"),
                                      wire::OfferEntry{4, wire::EntryKind::Directory, 0, 0, "dir"}}));
    rig.drain();
    REQUIRE(rig.sent<wire::OfferReply>().size() == 1);
    CHECK(rig.sent<wire::OfferReply>()[0].reason == "invalid offer: bad name");
    CHECK(rig.events<OfferArrived>().empty());
    CHECK(rig.sink.partials.empty());
    CHECK(rig.sink.directories.empty());
    // Without a validator nothing is accepted at all.
    FakeClock clock;
    FakeSource source;
    FakeSink sink;
    TestHashFactory hashes;
    TransferManager bare({}, ManagerDeps{source, sink, hashes, clock, nullptr, nullptr, nullptr});
    bare.onMessage(onePart(1, {wireFile(2, 5, "ok.txt")}));
    const auto actions = bare.takeActions();
    bool refused = false;
    for (const Action& a : actions)
        if (const auto* m = std::get_if<SendMessage>(&a))
            if (const auto* r = std::get_if<wire::OfferReply>(&m->message))
                refused = r->reason == "receiving files is not set up";
    CHECK(refused);
    CHECK_FALSE(bare.offer({LocalEntry{wire::EntryKind::File, 1, 0, "x"}}).ok());
}

TEST_CASE("hostile sender: an offer that never completes times out and frees its slot")
{
    Rig rig;
    rig.manager.onMessage(wire::Offer{1, 0, 2, 2, 20, {wireFile(2, 10, "a")}});
    rig.drain();
    rig.manager.onMessage(onePart(9, {wireFile(90, 1, "z")}));
    rig.drain();
    CHECK(rig.sent<wire::OfferReply>()[0].reason == "busy: another offer is waiting for a decision");
    rig.clock.advance(std::chrono::seconds(29));
    rig.manager.tick();
    CHECK(rig.drain().empty());
    rig.clock.advance(std::chrono::seconds(2));
    rig.manager.tick();
    rig.drain();
    REQUIRE(rig.sent<wire::OfferReply>().size() == 1);
    CHECK(rig.sent<wire::OfferReply>()[0].offerId == 1);
    CHECK(rig.sent<wire::OfferReply>()[0].reason == "the offer did not arrive completely in time");
    rig.manager.onMessage(onePart(10, {wireFile(91, 1, "z")}));
    rig.drain();
    CHECK(rig.events<OfferArrived>().size() == 1);
}

TEST_CASE("hostile sender: control and results for files it does not own are dropped")
{
    Rig rig;
    offerAndAccept(rig, 10);
    rig.manager.onMessage(wire::TransferControl{kOffer, 12345, wire::TransferAction::Cancel});
    rig.manager.onMessage(wire::TransferControl{777, 0, wire::TransferAction::Cancel});
    rig.manager.onMessage(wire::FileResult{12345, wire::FileOutcome::SourceChanged, "x"});
    rig.manager.onMessage(wire::ChunkAck{kFile, 5}); // an ack for a file we receive
    rig.manager.onMessage(wire::FileDone{4242, {}});
    rig.drain();
    CHECK(rig.suspicious() == 5);
    CHECK(rig.file(kOffer, kFile).state == FileState::Active);
}

TEST_CASE("hostile sender: a disk filled by an endless stream stops cleanly (E4)")
{
    Rig rig;
    rig.sink.diskFullAfterBytes = 2 * kC;
    offerAndAccept(rig, 100 * kC);
    for (std::uint64_t i = 0; i < 10; ++i)
        rig.manager.onChunk(kFile, i, chunkOf(10 * kC, i));
    rig.drain();
    CHECK(rig.sink.bytesWritten == 2 * kC);
    const auto results = rig.sent<wire::FileResult>();
    REQUIRE(results.size() == 1);
    CHECK(results[0].outcome == wire::FileOutcome::DiskFull);
    CHECK(rig.file(kOffer, kFile).state == FileState::Failed);
    CHECK(rig.sink.committed.empty());
}

TEST_CASE("hostile sender: terminal escapes in a reason never reach the UI raw")
{
    Rig rig;
    offerAndAccept(rig, 10);
    rig.manager.onMessage(
        wire::FileResult{kFile, wire::FileOutcome::SourceUnreadable, "\x1b[2J\rgone\xe2\x80\xae"});
    rig.drain();
    const FileProgress f = rig.file(kOffer, kFile);
    CHECK(f.state == FileState::Failed);
    CHECK(f.detail == "the sender reports the sender could not read the file: ?[2J?gone?");
}
