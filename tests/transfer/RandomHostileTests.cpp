// A seeded random hostile sender: thousands of mixed valid and invalid inputs against one receiver.
// Whatever arrives, the receiver must never write past a declared size, never commit anything but the
// offered content, and never hold more partials open than its pipeline allows. Bounded and reproducible.
#include "Rig.hpp"
#include "duet/transfer/ChunkMath.hpp"

#include <limits>

using namespace duet;
using namespace duet::transfer;
using namespace duet::transfer::test;

namespace {

constexpr std::uint64_t kC = kChunkBytes;
constexpr std::uint64_t kOffer = 40;
const std::vector<std::uint64_t> kSizes = {0, 100, kC + 7, 3 * kC};

wire::Bytes patternSlice(std::uint64_t seed, std::uint64_t offset, std::uint64_t length)
{
    wire::Bytes out(static_cast<std::size_t>(length));
    for (std::uint64_t i = 0; i < length; ++i)
        out[static_cast<std::size_t>(i)] = patternByte(seed, offset + i);
    return out;
}

class Chaos {
public:
    explicit Chaos(std::uint64_t seed) : m_ids(seed) {}
    std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : m_ids.next() % n; }
    bool chance(unsigned percent) { return below(100) < percent; }

private:
    IdSequence m_ids;
};

} // namespace

TEST_CASE("random hostile sender: invariants hold under a storm of inputs")
{
    std::vector<wire::Bytes> contents;
    std::vector<Hash32> hashes;
    for (std::size_t i = 0; i < kSizes.size(); ++i) {
        contents.push_back(patternSlice(i + 1, 0, kSizes[i]));
        hashes.push_back(testHash(contents.back()));
    }
    std::size_t commits = 0;
    std::size_t violations = 0;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        CAPTURE(seed);
        TransferConfig config;
        config.filesRequestedAhead = 2;
        config.maxActiveIncomingOffers = 2;
        Rig rig(config);
        Chaos chaos(seed);
        std::vector<wire::OfferEntry> entries;
        for (std::size_t i = 0; i < kSizes.size(); ++i)
            entries.push_back(wireFile(11 + i, kSizes[i], "f" + std::to_string(i)));
        entries.push_back(wire::OfferEntry{15, wire::EntryKind::Directory, 0, 0, "d"});
        rig.manager.onMessage(onePart(kOffer, entries));
        REQUIRE_FALSE(rig.manager.accept(kOffer).has_value());
        std::vector<std::uint64_t> next(kSizes.size(), 0); // the sender's idea of the next chunk

        for (int step = 0; step < 400; ++step) {
            const std::uint64_t pick = chaos.below(100);
            const std::size_t f = static_cast<std::size_t>(chaos.below(kSizes.size()));
            const std::uint64_t fileId = chaos.chance(90) ? 11 + f : chaos.below(20);
            const std::uint64_t size = kSizes[f];
            if (pick < 55) {
                std::uint64_t index = chaos.chance(80) ? next[f] : chaos.below(6);
                if (chaos.chance(3)) index = std::numeric_limits<std::uint64_t>::max() - chaos.below(3);
                std::uint64_t length = chunkLength(size, index);
                if (chaos.chance(10)) length = chaos.below(kC + 2);
                const std::uint64_t from = std::min(index * kC, size);
                wire::Bytes data(contents[f].begin() + static_cast<std::ptrdiff_t>(from),
                                 contents[f].begin() +
                                     static_cast<std::ptrdiff_t>(std::min(from + length, size)));
                data.resize(static_cast<std::size_t>(length), 0x5A);
                if (chaos.chance(5) && !data.empty()) data[0] ^= 0x80;
                rig.manager.onChunk(fileId, index, data);
                if (index == next[f] && length == chunkLength(size, index)) ++next[f];
            } else if (pick < 70) {
                Hash32 hash = hashes[f];
                if (chaos.chance(20)) hash[3] ^= 1;
                rig.manager.onMessage(wire::FileDone{fileId, hash});
            } else if (pick < 76) {
                const auto outcome = static_cast<wire::FileOutcome>(chaos.below(8));
                rig.manager.onMessage(wire::FileResult{fileId, outcome, "x"});
            } else if (pick < 82) {
                const auto action = static_cast<wire::TransferAction>(chaos.below(3));
                rig.manager.onMessage(wire::TransferControl{chaos.chance(80) ? kOffer : chaos.below(50),
                                                            chaos.chance(50) ? 0 : fileId, action});
            } else if (pick < 86) {
                rig.manager.onMessage(wire::ChunkAck{fileId, chaos.below(10)});
                rig.manager.onMessage(wire::FileRequest{kOffer, fileId, chaos.below(10)});
            } else if (pick < 90) {
                // Separate statements: the order of function arguments is unspecified.
                const std::uint64_t offerId = 100 + chaos.below(30);
                const std::uint64_t otherFile = 200 + chaos.below(30);
                rig.manager.onMessage(onePart(offerId, {wireFile(otherFile, 5, "o")}));
            } else if (pick < 95) {
                switch (chaos.below(4)) {
                case 0:
                    rig.manager.retry(kOffer, fileId);
                    break;
                case 1:
                    rig.manager.pause(kOffer, chaos.chance(50) ? 0 : fileId);
                    break;
                case 2:
                    rig.manager.resume(kOffer, chaos.chance(50) ? 0 : fileId);
                    break;
                default:
                    rig.manager.accept(100 + chaos.below(30));
                }
            } else {
                rig.manager.onDisconnected();
                rig.manager.onConnected();
                std::fill(next.begin(), next.end(), 0);
            }
            for (const auto& r : rig.sent<wire::FileResult>())
                if (r.outcome == wire::FileOutcome::ProtocolViolation) ++violations;
            // A receiver answers requests by restarting its idea of the stream.
            rig.drain();
            for (const auto& r : rig.sent<wire::FileRequest>())
                if (r.fileId >= 11 && r.fileId < 11 + kSizes.size()) next[r.fileId - 11] = r.fromChunk;

            for (const auto& [key, partial] : rig.sink.partials) {
                REQUIRE(partial.data.size() <= partial.entry.size);
                REQUIRE(partial.chunkHashes.size() == chunkCount(partial.data.size()));
            }
            for (const auto& [name, content] : rig.sink.committed) {
                if (name.rfind("f", 0) != 0 || name.size() != 2) continue; // files of other offers
                const std::size_t i = static_cast<std::size_t>(name[1] - '0');
                REQUIRE(content == contents[i]);
            }
            REQUIRE(rig.sink.openCount() <= 2 * config.filesRequestedAhead);
        }
        CHECK(rig.manager.snapshot().size() >= 1);
        commits += rig.sink.commits;
    }
    // The storm exercised both outcomes: files that made it through and files that were refused.
    CHECK(commits >= 5);
    CHECK(violations > 10);
}
