// Two TransferServices joined by an in-memory link (no ENet, a fake clock): finished offers leave the
// engine's memory and the resume table, by themselves after a while or at once on ForgetTransfers, so a
// long session holds only what is still moving. Also the receive sink after a restart: a file already in
// place under its final name is not added again as "name (1)". Chunks inside the sealed bulk stream go
// unsealed (StreamChunk).
#include "EngineHarness.hpp"
#include "duet/crypto/Crypto.hpp"
#include "duet/crypto/Handshake.hpp"
#include "duet/crypto/Hashing.hpp"
#include "duet/crypto/Random.hpp"
#include "duet/net/TransferFiles.hpp"
#include "duet/net/TransferService.hpp"
#include "duet/profile/ProfileStore.hpp"
#include "duet/storage/ReceiveRoot.hpp"
#include "duet/wire/Chunk.hpp"
#include "duet/wire/Frame.hpp"

#include <deque>
#include <doctest/doctest.h>
#include <fstream>
#include <thread>

using namespace duet;
using duet::test::TempDir;

namespace {

constexpr PeerId kOtherSide{1};

class MemoryLink final : public net::TransferLink {
public:
    void sendTransferMessage(PeerId, const wire::AppMessage& message) override
    {
        messages.push_back(message);
    }
    void sendChunkFrame(PeerId, const wire::Bytes& frame, std::uint64_t*) override
    {
        wire::Result<wire::FrameView> view = wire::decodeFrame(frame);
        REQUIRE(view);
        chunkTypes.push_back(view->type);
        chunks.emplace_back(view->body.begin(), view->body.end());
    }
    bool chunksTravelSealed(PeerId) override { return inSealedStream; }
    void closeForAbuse(PeerId, const std::string& reason) override { abuse.push_back(reason); }
    void emitEvent(Event event) override { events.push_back(std::move(event)); }

    std::size_t finishedOffers() const
    {
        std::size_t count = 0;
        for (const Event& e : events)
            if (const auto* finished = std::get_if<event::OfferFinished>(&e))
                count += finished->state == TransferState::Done ? 1 : 0;
        return count;
    }

    std::deque<wire::AppMessage> messages;
    std::deque<wire::Bytes> chunks;
    std::deque<wire::FrameType> chunkTypes;
    std::vector<wire::FrameType> sentTypes; // every chunk frame type ever delivered
    bool inSealedStream = false;
    std::vector<std::string> abuse;
    std::vector<Event> events;
};

struct Side {
    Side(const std::string& fingerprint, FakeClock& clock, crypto::Random& random, Millis forgetAfter)
        : profile(profile::ProfileStore::open(profileDir.path())),
          service(makeConfig(forgetAfter), link, clock, random, *profile), fingerprint(fingerprint)
    {
    }
    net::TransferServiceConfig makeConfig(Millis forgetAfter)
    {
        net::TransferServiceConfig config;
        config.downloadDir = downloads.path();
        config.autoAcceptAll = true;
        config.forgetFinishedAfter = forgetAfter;
        return config;
    }

    TempDir profileDir;
    TempDir downloads;
    MemoryLink link;
    std::unique_ptr<profile::ProfileStore> profile;
    net::TransferService service;
    std::string fingerprint;
};

class Pair {
public:
    explicit Pair(Millis forgetAfter)
        : m_random(7), sender("fp-sender", m_clock, m_random, forgetAfter),
          receiver("fp-receiver", m_clock, m_random, forgetAfter)
    {
        REQUIRE(crypto::initialize());
        crypto::SessionKeys senderKeys;
        crypto::SessionKeys receiverKeys;
        m_random.fill(senderKeys.send.file);
        m_random.fill(senderKeys.receive.file);
        receiverKeys.send.file = senderKeys.receive.file;
        receiverKeys.receive.file = senderKeys.send.file;
        sender.service.onPeerVerified(kOtherSide, receiver.fingerprint, senderKeys);
        receiver.service.onPeerVerified(kOtherSide, sender.fingerprint, receiverKeys);
    }

    // Delivers everything in flight and pumps both sides, `turns` times, with `step` of fake time each.
    void run(int turns, Millis step = Millis{50})
    {
        for (int turn = 0; turn < turns; ++turn) {
            for (int i = 0; i < 10'000 && !(sender.link.messages.empty() && sender.link.chunks.empty() &&
                                            receiver.link.messages.empty() && receiver.link.chunks.empty());
                 ++i) {
                deliver(sender.link, receiver.service);
                deliver(receiver.link, sender.service);
            }
            sender.service.pump();
            receiver.service.pump();
            // Received files are synced on the sink's worker threads, in real time: wait (bounded) for
            // them so a turn's files are committed as the fake time passes.
            for (int wait = 0; wait < 5'000 && receiver.service.busy(); ++wait) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
                receiver.service.pump();
            }
            m_clock.advance(step);
        }
    }

    FakeClock m_clock;
    crypto::SeededRandom m_random;
    Side sender;
    Side receiver;

private:
    static void deliver(MemoryLink& from, net::TransferService& to)
    {
        if (!from.messages.empty()) {
            const wire::AppMessage message = std::move(from.messages.front());
            from.messages.pop_front();
            to.onMessage(kOtherSide, message);
        } else if (!from.chunks.empty()) {
            const wire::Bytes chunk = std::move(from.chunks.front());
            const wire::FrameType type = from.chunkTypes.front();
            from.chunks.pop_front();
            from.chunkTypes.pop_front();
            from.sentTypes.push_back(type);
            if (type == wire::FrameType::StreamChunk)
                to.onStreamChunk(kOtherSide, chunk);
            else
                to.onChunk(kOtherSide, chunk);
        }
    }
};

std::string writeSource(const TempDir& dir, int index)
{
    const auto path = dir.path() / ("note-" + std::to_string(index) + ".txt");
    std::ofstream(path) << "file number " << index << " "
                        << std::string(static_cast<std::size_t>(index) * 300, 'x');
    return path.string();
}

} // namespace

TEST_CASE("a long session of offers keeps the services' memory and resume rows flat")
{
    Pair pair(Millis{3000});
    TempDir sources;
    constexpr int kOffers = 60;
    std::size_t peakOffers = 0;
    std::size_t peakEntries = 0;
    for (int i = 0; i < kOffers; ++i) {
        pair.sender.service.handle(command::SendFiles{kOtherSide, {writeSource(sources, i)}});
        pair.run(20); // one second of fake time: the offer completes well within it
        REQUIRE(pair.receiver.link.finishedOffers() == static_cast<std::size_t>(i + 1));
        for (Side* side : {&pair.sender, &pair.receiver}) {
            const net::TransferHoldings held = side->service.holdings();
            peakOffers = std::max(peakOffers, held.offers);
            peakEntries = std::max(peakEntries, held.perFileEntries);
        }
    }
    // An offer lives about forgetFinishedAfter (3 s) plus a tick after finishing: a handful at a time.
    CHECK(peakOffers <= 6);
    CHECK(peakEntries <= 6 * 4);
    pair.run(100); // five more seconds: everything finished is forgotten
    for (Side* side : {&pair.sender, &pair.receiver}) {
        const net::TransferHoldings held = side->service.holdings();
        CHECK(held.offers == 0);
        CHECK(held.perFileEntries == 0);
        CHECK(held.finishedTimers == 0);
        CHECK(side->profile->transferRecords(side == &pair.sender ? "fp-receiver" : "fp-sender").empty());
        CHECK(side->link.abuse.empty());
    }
    // Every file arrived all the same.
    std::size_t received = 0;
    for (const auto& entry : std::filesystem::directory_iterator(pair.receiver.downloads.path()))
        received += entry.is_regular_file() ? 1 : 0;
    CHECK(received == kOffers);
}

TEST_CASE("ForgetTransfers drops finished offers at once and keeps unfinished ones")
{
    Pair pair(Millis{3'600'000}); // never by time in this test
    TempDir sources;
    pair.sender.service.handle(command::SendFiles{kOtherSide, {writeSource(sources, 1)}});
    pair.run(20);
    REQUIRE(pair.sender.link.finishedOffers() == 1);
    // A second offer that stays paused before any data moves: not finished, so it is kept.
    pair.sender.service.handle(command::SendFiles{kOtherSide, {writeSource(sources, 2)}});
    std::optional<TransferId> second;
    for (const Event& e : pair.sender.link.events)
        if (const auto* sent = std::get_if<event::OfferSent>(&e)) second = sent->offer;
    REQUIRE(second);
    pair.sender.service.handle(command::ControlTransfer{kOtherSide, *second, 0, TransferAction::Pause});
    pair.run(20);
    REQUIRE(pair.sender.service.holdings().offers == 2);
    REQUIRE(pair.sender.profile->transferRecords("fp-receiver").size() == 2);

    pair.sender.service.handle(command::ForgetTransfers{});
    CHECK(pair.sender.service.holdings().offers == 1);
    CHECK(pair.sender.profile->transferRecords("fp-receiver").size() == 1);
    pair.receiver.service.handle(command::ForgetTransfers{kOtherSide, TransferId{}});
    CHECK(pair.receiver.service.holdings().offers == 1);

    // The kept offer still completes once resumed.
    pair.sender.service.handle(command::ControlTransfer{kOtherSide, *second, 0, TransferAction::Resume});
    pair.run(20);
    CHECK(pair.receiver.link.finishedOffers() == 2);
    CHECK(pair.sender.link.abuse.empty());
    CHECK(pair.receiver.link.abuse.empty());
}

TEST_CASE("chunks in the sealed bulk stream go unsealed as StreamChunk and arrive identical")
{
    for (const bool stream : {false, true}) {
        CAPTURE(stream);
        Pair pair(Millis{3000});
        pair.sender.link.inSealedStream = stream;
        pair.receiver.link.inSealedStream = stream;
        TempDir sources;
        // Three chunks and a bit, so several frames and a short last one.
        wire::Bytes content(3 * wire::kChunkSize + 1234);
        crypto::SeededRandom(11).fill(content);
        const auto source = sources.path() / "data.bin";
        std::ofstream(source, std::ios::binary)
            .write(reinterpret_cast<const char*>(content.data()),
                   static_cast<std::streamsize>(content.size()));
        pair.sender.service.handle(command::SendFiles{kOtherSide, {source.string()}});
        pair.run(20);
        REQUIRE(pair.receiver.link.finishedOffers() == 1);
        std::ifstream got(pair.receiver.downloads.path() / "data.bin", std::ios::binary);
        const wire::Bytes received((std::istreambuf_iterator<char>(got)), std::istreambuf_iterator<char>());
        CHECK(received == content);
        REQUIRE(pair.sender.link.sentTypes.size() == 4);
        for (const wire::FrameType type : pair.sender.link.sentTypes)
            CHECK(type == (stream ? wire::FrameType::StreamChunk : wire::FrameType::Chunk));
        CHECK(pair.sender.link.abuse.empty());
        CHECK(pair.receiver.link.abuse.empty());
    }
}

TEST_CASE("a clear chunk that does not decode or belongs to no file is reported and struck")
{
    Pair pair(Millis{3000});
    const auto errors = [&pair] {
        std::size_t count = 0;
        for (const Event& e : pair.receiver.link.events)
            count += std::holds_alternative<event::Error>(e) ? 1 : 0;
        return count;
    };
    pair.receiver.service.onStreamChunk(kOtherSide, wire::Bytes{1, 2, 3}); // shorter than its header
    CHECK(errors() == 1);
    wire::Bytes oversized(wire::kStreamChunkHeaderSize + wire::kChunkSize + 1);
    pair.receiver.service.onStreamChunk(kOtherSide, oversized);
    CHECK(errors() == 2);
    // Well formed, but no offer has this file: the transfer layer's own checks apply, as on channel 2.
    const wire::Bytes frame = wire::encodeStreamChunk(77, 0, wire::Bytes(100, 9));
    const wire::Result<wire::FrameView> view = wire::decodeFrame(frame);
    REQUIRE(view);
    const std::size_t before = errors();
    for (int i = 0; i < 20; ++i)
        pair.receiver.service.onStreamChunk(kOtherSide, view->body);
    CHECK(errors() > before);
    CHECK(!pair.receiver.link.abuse.empty()); // the strikes add up to hanging up, as for sealed chunks
    CHECK(std::filesystem::is_empty(pair.receiver.downloads.path()));
}

namespace {

std::string receiveOnce(net::StorageReceiveSink& sink, const wire::OfferEntry& entry,
                        const wire::Bytes& content)
{
    const transfer::FileKey key{42, entry.fileId};
    REQUIRE(sink.openPartial(key, entry).ok());
    REQUIRE(sink.writeChunk(key, 0, content).ok());
    const transfer::IoResult<std::string> placed = sink.commit(key, crypto::blake2b256({content}));
    REQUIRE_MESSAGE(placed.ok(), placed.error().message);
    return placed.value();
}

} // namespace

TEST_CASE("after a restart, a file renamed into place before its record was saved counts as done")
{
    TempDir temp;
    const std::filesystem::path downloads = temp.path() / "downloads";
    std::filesystem::create_directories(downloads);
    storage::Expected<storage::ReceiveRoot> opened = storage::ReceiveRoot::open(downloads);
    REQUIRE(opened.ok());
    auto root = std::make_shared<storage::ReceiveRoot>(std::move(*opened));
    const wire::Bytes hello{'h', 'e', 'l', 'l', 'o'};
    const wire::OfferEntry top{7, wire::EntryKind::File, 5, 0, "note.txt"};
    const wire::OfferEntry nested{8, wire::EntryKind::File, 5, 0, "Tree/a.txt"};
    {
        net::StorageReceiveSink before(root, downloads, "peer");
        CHECK(receiveOnce(before, top, hello) == "note.txt");
        CHECK(receiveOnce(before, nested, hello) == "Tree/a.txt");
    }
    // Killed before the records said so: both are fetched again after the restart.
    net::StorageReceiveSink after(root, downloads, "peer");
    after.restoreTopLevel(42, "Tree", "Tree");
    after.expectResumed({42, 7});
    after.expectResumed({42, 8});
    CHECK(receiveOnce(after, top, hello) == "note.txt");
    CHECK(receiveOnce(after, nested, hello) == "Tree/a.txt");
    CHECK(after.committedHash({42, 7}) == crypto::toHex(crypto::blake2b256({hello})));
    CHECK(!std::filesystem::exists(downloads / "note (1).txt"));
    CHECK(!std::filesystem::exists(downloads / "Tree (1)"));
    CHECK(!std::filesystem::exists(downloads / "Tree/a (1).txt"));

    // Other bytes under the name, or a file that is not being resumed, still land beside it.
    after.expectResumed({42, 9});
    CHECK(receiveOnce(after, {9, wire::EntryKind::File, 5, 0, "note.txt"},
                      wire::Bytes{'w', 'o', 'r', 'l', 'd'}) == "note (1).txt");
    CHECK(receiveOnce(after, {10, wire::EntryKind::File, 5, 0, "note.txt"}, hello) == "note (2).txt");
    std::ifstream kept(downloads / "note.txt");
    std::string text;
    kept >> text;
    CHECK(text == "hello");
}
