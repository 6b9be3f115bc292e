#include "HostileScenarios.hpp"

#include "duet/wire/Chunk.hpp"

#include <algorithm>
#include <map>

namespace duet::test {
namespace {

constexpr std::size_t kChunk = wire::kChunkSize;
constexpr std::size_t kThreeChunks = 2 * kChunk + 1000; // 2 full chunks and a short last one

// The file and offer ids of one run: distinct per seed, so the receiver never sees one twice.
struct Ids {
    explicit Ids(std::uint64_t seed) : base((seed & 0xffff) << 32) {}
    std::uint64_t offer(std::uint64_t n) const { return base | 0x1000 | (n & 0xfff); }
    std::uint64_t file(std::uint64_t n) const { return base | 0x8000'0000 | (n & 0x7fff'ffff); }
    std::uint64_t base;
};

wire::OfferEntry fileEntry(std::uint64_t fileId, std::string path, std::uint64_t size)
{
    return {fileId, wire::EntryKind::File, size, 0, std::move(path)};
}

// Offers `entries` as one offer and expects the receiver (auto-accepting) to accept and request each.
bool offerAccepted(HostileSender& s, std::uint64_t offerId, std::vector<wire::OfferEntry> entries)
{
    std::vector<std::uint64_t> ids;
    for (const wire::OfferEntry& e : entries)
        ids.push_back(e.fileId);
    s.send(offerOf(offerId, std::move(entries)));
    const std::optional<wire::OfferReply> reply = s.reply(offerId);
    if (!s.expect(reply && reply->decision == wire::OfferDecision::Accept, "offer accepted")) return false;
    for (std::uint64_t id : ids)
        if (!s.expect(s.request(id).has_value(), "file " + hex64(id) + " requested")) return false;
    s.note({{"step", "accepted"}, {"offer", hex64(offerId)}});
    return true;
}

// Waits for the receiver's verdict on `fileId` and checks it is `wanted`.
void expectResult(HostileSender& s, std::uint64_t fileId, wire::FileOutcome wanted)
{
    const std::optional<wire::FileResult> result = s.result(fileId, 5s);
    s.note({{"step", "result"},
            {"file", hex64(fileId)},
            {"outcome", result ? wire::outcomeCode(result->outcome) : "none"},
            {"detail", result ? result->detail : ""}});
    s.expect(result && result->outcome == wanted,
             "file " + hex64(fileId) + " ended " + wire::outcomeCode(wanted));
}

wire::Bytes slice(const wire::Bytes& content, std::size_t index)
{
    const std::size_t offset = index * kChunk;
    const std::size_t length = std::min(kChunk, content.size() - offset);
    return {content.begin() + static_cast<std::ptrdiff_t>(offset),
            content.begin() + static_cast<std::ptrdiff_t>(offset + length)};
}

void fileDone(HostileSender& s, std::uint64_t fileId, const wire::Bytes& content)
{
    s.send(wire::FileDone{fileId, wholeFileHash({&content})});
}

// More bytes than declared: a chunk longer than the file, and a chunk past the file's end.
void moreBytes(HostileSender& s, const Ids& ids)
{
    const wire::Bytes content = patternBytes(1000, 1);
    if (!offerAccepted(s, ids.offer(1),
                       {fileEntry(ids.file(1), "more-long-chunk.bin", 1000),
                        fileEntry(ids.file(2), "more-extra-chunk.bin", 1000)}))
        return;
    wire::Bytes longer = content;
    longer.push_back(0x55);
    s.sendChunk(ids.file(1), 0, longer);
    s.sendChunk(ids.file(2), 0, content);
    s.sendChunk(ids.file(2), 1, content);
    fileDone(s, ids.file(2), content);
    expectResult(s, ids.file(1), wire::FileOutcome::ProtocolViolation);
    expectResult(s, ids.file(2), wire::FileOutcome::ProtocolViolation);
}

// Fewer bytes than declared: FileDone after 2 of 3 chunks (with the hash of the whole), a short chunk.
void fewerBytes(HostileSender& s, const Ids& ids)
{
    const wire::Bytes big = patternBytes(kThreeChunks, 2);
    const wire::Bytes small = patternBytes(1000, 3);
    if (!offerAccepted(s, ids.offer(1),
                       {fileEntry(ids.file(1), "fewer-missing-chunk.bin", big.size()),
                        fileEntry(ids.file(2), "fewer-short-chunk.bin", small.size())}))
        return;
    s.sendChunk(ids.file(1), 0, slice(big, 0));
    s.sendChunk(ids.file(1), 1, slice(big, 1));
    s.pump(200ms);
    fileDone(s, ids.file(1), big);
    s.sendChunk(ids.file(2), 0, wire::Bytes(small.begin(), small.end() - 1));
    fileDone(s, ids.file(2), small);
    expectResult(s, ids.file(1), wire::FileOutcome::ProtocolViolation);
    expectResult(s, ids.file(2), wire::FileOutcome::ProtocolViolation);
}

// Chunk indexes past the end, far past it, and ones whose byte offset overflows 64 bits.
void badOffsets(HostileSender& s, const Ids& ids)
{
    const wire::Bytes content = patternBytes(1000, 4);
    const std::uint64_t overflowing = std::uint64_t{1} << 46; // index x 256 KiB = 2^64
    const std::vector<std::uint64_t> indexes = {7, std::uint64_t{1} << 40, overflowing, overflowing + 1,
                                                ~std::uint64_t{0}};
    std::vector<wire::OfferEntry> entries;
    for (std::size_t i = 0; i < indexes.size(); ++i)
        entries.push_back(fileEntry(ids.file(i + 1), "offset-" + std::to_string(i) + ".bin", content.size()));
    if (!offerAccepted(s, ids.offer(1), entries)) return;
    for (std::size_t i = 0; i < indexes.size(); ++i)
        s.sendChunk(ids.file(i + 1), indexes[i], content);
    for (std::size_t i = 0; i < indexes.size(); ++i)
        expectResult(s, ids.file(i + 1), wire::FileOutcome::ProtocolViolation);
}

// A repeated chunk is ignored (the first copy stays), a conflicting repeat never replaces it, and
// endless repeats end the file.
void duplicateChunks(HostileSender& s, const Ids& ids)
{
    const wire::Bytes honest = patternBytes(kThreeChunks, 5);
    const wire::Bytes first = patternBytes(kThreeChunks, 6);
    const wire::Bytes small = patternBytes(1000, 7);
    if (!offerAccepted(s, ids.offer(1),
                       {fileEntry(ids.file(1), "duplicate-ok.bin", honest.size()),
                        fileEntry(ids.file(2), "conflict.bin", first.size()),
                        fileEntry(ids.file(3), "duplicate-flood.bin", small.size())}))
        return;
    for (std::size_t index = 0; index < 3; ++index) {
        s.sendChunk(ids.file(1), index, slice(honest, index));
        s.sendChunk(ids.file(1), index, slice(honest, index));
        s.pump(50ms);
    }
    fileDone(s, ids.file(1), honest);
    expectResult(s, ids.file(1), wire::FileOutcome::Verified);
    s.note({{"step", "expect_final"},
            {"path", "duplicate-ok.bin"},
            {"hash", crypto::toHex(wholeFileHash({&honest}))}});

    // Chunk 0 again with other bytes, then a hash over those other bytes: the receiver kept the first
    // copy, so the hash cannot match and the file fails.
    const wire::Bytes other = patternBytes(kChunk, 8);
    const wire::Bytes rest1 = slice(first, 1);
    const wire::Bytes rest2 = slice(first, 2);
    s.sendChunk(ids.file(2), 0, slice(first, 0));
    s.sendChunk(ids.file(2), 0, other);
    s.sendChunk(ids.file(2), 1, rest1);
    s.sendChunk(ids.file(2), 2, rest2);
    s.pump(200ms);
    s.send(wire::FileDone{ids.file(2), wholeFileHash({&other, &rest1, &rest2})});
    expectResult(s, ids.file(2), wire::FileOutcome::HashMismatch);

    s.sendChunk(ids.file(3), 0, small);
    for (int i = 0; i < 70; ++i) {
        s.sendChunk(ids.file(3), 0, small);
        if (i % 10 == 0) s.pump(10ms);
    }
    expectResult(s, ids.file(3), wire::FileOutcome::ProtocolViolation);
}

// Transfer messages for files and offers that do not exist, forged clear chunks on the ENet channels,
// then an honest file on the same connection to show the session still works.
void unknownTransfers(HostileSender& s, const Ids& ids)
{
    const std::uint64_t ghost = ids.file(0xdead);
    s.sendChunk(ghost, 0, patternBytes(1000, 9));
    s.send(wire::FileDone{ghost, {}});
    s.send(wire::FileResult{ghost, wire::FileOutcome::Verified, "trust me"});
    s.send(wire::ChunkAck{ghost, 3});
    s.send(wire::FileRequest{ids.offer(0xdead), ghost, 0});
    s.send(wire::TransferControl{ids.offer(0xdead), 0, wire::TransferAction::Cancel});
    s.send(wire::TransferControl{ids.offer(0xdead), ghost, wire::TransferAction::Pause});
    s.pump(500ms);
    if (!s.expect(s.connected(), "still connected after 7 messages for unknown transfers")) return;

    const wire::Bytes content = patternBytes(1000, 10);
    if (!offerAccepted(s, ids.offer(1), {fileEntry(ids.file(1), "after-unknown.bin", content.size())}))
        return;
    // Forged clear chunks outside the sealed bulk stream: were one taken, the honest chunk below would
    // be a duplicate and the file would not verify.
    for (std::uint8_t channel = 0; channel < 4; ++channel)
        s.sendClearChunk(channel, ids.file(1), 0, patternBytes(1000, 99));
    s.pump(100ms);
    s.sendChunk(ids.file(1), 0, content);
    s.pump(100ms);
    fileDone(s, ids.file(1), content);
    expectResult(s, ids.file(1), wire::FileOutcome::Verified);
    s.note({{"step", "expect_final"},
            {"path", "after-unknown.bin"},
            {"hash", crypto::toHex(wholeFileHash({&content}))}});
}

// The sender cancels a whole offer, and one file of another, then keeps sending their chunks.
void cancelledTransfers(HostileSender& s, const Ids& ids)
{
    const wire::Bytes content = patternBytes(kThreeChunks, 11);
    if (!offerAccepted(s, ids.offer(1), {fileEntry(ids.file(1), "cancelled-offer.bin", content.size())}))
        return;
    if (!offerAccepted(s, ids.offer(2),
                       {fileEntry(ids.file(2), "cancelled-file.bin", content.size()),
                        fileEntry(ids.file(3), "kept-file.bin", 1000)}))
        return;
    s.sendChunk(ids.file(1), 0, slice(content, 0));
    s.sendChunk(ids.file(2), 0, slice(content, 0));
    s.pump(200ms);
    s.send(wire::TransferControl{ids.offer(1), 0, wire::TransferAction::Cancel});
    s.send(wire::TransferControl{ids.offer(2), ids.file(2), wire::TransferAction::Cancel});
    s.pump(200ms);
    for (std::uint64_t file : {ids.file(1), ids.file(2)}) {
        s.sendChunk(file, 1, slice(content, 1));
        s.sendChunk(file, 2, slice(content, 2));
        s.pump(100ms);
        fileDone(s, file, content);
    }
    const wire::Bytes kept = patternBytes(1000, 12);
    s.sendChunk(ids.file(3), 0, kept);
    s.pump(100ms);
    fileDone(s, ids.file(3), kept);
    expectResult(s, ids.file(3), wire::FileOutcome::Verified);
    s.note({{"step", "expect_final"},
            {"path", "kept-file.bin"},
            {"hash", crypto::toHex(wholeFileHash({&kept}))}});
    for (std::uint64_t file : {ids.file(1), ids.file(2)}) {
        const std::optional<wire::FileResult> late = s.result(file, 300ms);
        s.expect(!late || late->outcome != wire::FileOutcome::Verified, "a cancelled file is never verified");
    }
}

// 300 offers as fast as they can go: a few are taken, the rest refused (or the connection is cut).
void offerFlood(HostileSender& s, const Ids& ids)
{
    constexpr int kFlood = 300;
    int sent = 0;
    for (; sent < kFlood && s.connected(); ++sent) {
        s.send(offerOf(ids.offer(static_cast<std::uint64_t>(sent)),
                       {fileEntry(ids.file(static_cast<std::uint64_t>(sent)),
                                  "flood-" + std::to_string(sent) + ".bin", 100)}));
        if (sent % 20 == 0) s.pump(5ms);
    }
    int accepted = 0;
    int refused = 0;
    std::map<std::string, int> reasons;
    // Every answer within 10 s in all (a slow, sanitized receiver included), not 10 s per offer.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (int i = 0; i < sent; ++i) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        const std::optional<wire::OfferReply> reply =
            s.reply(ids.offer(static_cast<std::uint64_t>(i)), std::max(left, 1ms));
        if (!reply) continue;
        if (reply->decision == wire::OfferDecision::Accept) {
            ++accepted;
        } else {
            ++refused;
            ++reasons[reply->reason];
        }
    }
    s.note({{"step", "flood"},
            {"sent", sent},
            {"accepted", accepted},
            {"refused", refused},
            {"reasons", reasons},
            {"connected", s.connected()},
            {"close", s.closeDetail()}});
    s.expect(accepted <= 8, "at most 8 flooded offers taken");
    s.expect(refused > 0 || !s.connected(), "the flood was refused or cut off");
    s.expect(reasons.count("") == 0, "every refusal has a reason");
}

// `count` entries "<prefix>N" of `size` bytes, file ids from `firstId` on.
std::vector<wire::OfferEntry> manyEntries(const Ids& ids, std::uint64_t firstId, std::size_t count,
                                          const std::string& prefix, std::uint64_t size)
{
    std::vector<wire::OfferEntry> entries;
    for (std::size_t i = 0; i < count; ++i)
        entries.push_back(fileEntry(ids.file(firstId + i), prefix + std::to_string(firstId + i), size));
    return entries;
}

// Splits `entries` into parts of at most `perPart` that all declare `totalEntries` and `totalBytes`.
std::vector<wire::Offer> partsOf(std::uint64_t offerId, const std::vector<wire::OfferEntry>& entries,
                                 std::size_t perPart, std::uint32_t totalEntries, std::uint64_t totalBytes)
{
    const std::size_t per = std::clamp<std::size_t>(perPart, 1, wire::kMaxEntriesPerPart);
    const auto count = static_cast<std::uint32_t>((entries.size() + per - 1) / per);
    std::vector<wire::Offer> parts;
    for (std::uint32_t i = 0; i < count; ++i) {
        wire::Offer part;
        part.offerId = offerId;
        part.partIndex = i;
        part.partCount = count;
        part.totalEntries = totalEntries;
        part.totalBytes = totalBytes;
        const std::size_t from = i * per;
        part.entries.assign(entries.begin() + static_cast<std::ptrdiff_t>(from),
                            entries.begin() +
                                static_cast<std::ptrdiff_t>(std::min(from + per, entries.size())));
        parts.push_back(std::move(part));
    }
    return parts;
}

// Offers over the caps, and offers whose totals lie: each refused with a reason, none shown to the user.
// One that declares more entries than the wire format allows does not even decode: it is dropped
// (counted toward the connection's bad packets) without an answer.
void hugeOffers(HostileSender& s, const Ids& ids)
{
    // 102,400 real entries in 25 parts that declare 100,000 (the cap): refused when the surplus arrives.
    const std::vector<wire::OfferEntry> overCap = manyEntries(ids, 1, 25 * wire::kMaxEntriesPerPart, "n", 1);
    std::vector<std::vector<wire::Offer>> refused;
    refused.push_back(partsOf(ids.offer(1), overCap, wire::kMaxEntriesPerPart,
                              static_cast<std::uint32_t>(wire::kMaxOfferEntries), wire::kMaxOfferEntries));
    refused.push_back({offerOf(ids.offer(2), {fileEntry(ids.file(1), "huge.bin", std::uint64_t{1} << 45)})});
    // Two parts of 6 entries that declare 10 in all.
    refused.push_back(partsOf(ids.offer(3), manyEntries(ids, 1, 12, "lie-", 10), 6, 10, 120));
    wire::Offer moreBytes = offerOf(ids.offer(4), manyEntries(ids, 1, 2, "sum-", 1000));
    moreBytes.totalBytes = 100;
    refused.push_back({moreBytes});
    refused.push_back(
        {offerOf(ids.offer(5), {fileEntry(ids.file(1), "no-room.bin", std::uint64_t{1} << 42)})});
    for (const std::vector<wire::Offer>& parts : refused) {
        for (std::size_t i = 0; i < parts.size(); ++i) {
            s.send(parts[i]);
            if (i % 4 == 3) s.pump(20ms); // lets ENet move the large parts along
        }
        const std::uint64_t offerId = parts.front().offerId;
        const std::optional<wire::OfferReply> reply = s.reply(offerId, 5s);
        s.note({{"step", "reply"},
                {"offer", hex64(offerId)},
                {"parts", parts.size()},
                {"decision",
                 reply ? (reply->decision == wire::OfferDecision::Accept ? "accept" : "reject") : "none"},
                {"reason", reply ? reply->reason : ""}});
        s.expect(reply && reply->decision == wire::OfferDecision::Reject && !reply->reason.empty(),
                 "offer " + hex64(offerId) + " refused with a reason");
    }

    wire::Offer undecodable = offerOf(ids.offer(6), manyEntries(ids, 1, 10, "x-", 1));
    undecodable.totalEntries = static_cast<std::uint32_t>(wire::kMaxOfferEntries + 1);
    s.send(undecodable);
    const std::optional<wire::OfferReply> none = s.reply(undecodable.offerId, 500ms);
    s.note({{"step", "undecodable"}, {"offer", hex64(undecodable.offerId)}, {"answered", none.has_value()}});
    s.expect(!none && s.connected(), "an undecodable offer is dropped without an answer");
}

// The sender pretends to know where the receiver stands: it starts mid-file, declares a file verified,
// asks for its own file from chunk 5 and acknowledges chunks in the receiver's name.
void bogusResume(HostileSender& s, const Ids& ids)
{
    const wire::Bytes big = patternBytes(kThreeChunks, 13);
    const wire::Bytes small = patternBytes(1000, 14);
    if (!offerAccepted(s, ids.offer(1),
                       {fileEntry(ids.file(1), "resume-mid-file.bin", big.size()),
                        fileEntry(ids.file(2), "resume-self-verified.bin", small.size()),
                        fileEntry(ids.file(3), "resume-acked.bin", small.size())}))
        return;
    s.sendChunk(ids.file(1), 2, slice(big, 2));
    s.sendChunk(ids.file(2), 0, small);
    s.pump(100ms);
    s.send(wire::FileResult{ids.file(2), wire::FileOutcome::Verified, {}});
    s.send(wire::FileRequest{ids.offer(1), ids.file(3), 5});
    s.send(wire::ChunkAck{ids.file(3), 1});
    fileDone(s, ids.file(3), small);
    expectResult(s, ids.file(1), wire::FileOutcome::ProtocolViolation);
    expectResult(s, ids.file(2), wire::FileOutcome::ProtocolViolation);
    expectResult(s, ids.file(3), wire::FileOutcome::ProtocolViolation);
}

using Scenario = void (*)(HostileSender&, const Ids&);
const std::map<std::string, Scenario>& scenarios()
{
    static const std::map<std::string, Scenario> table = {
        {"more-bytes", moreBytes},
        {"fewer-bytes", fewerBytes},
        {"bad-offsets", badOffsets},
        {"duplicate-chunks", duplicateChunks},
        {"unknown-transfers", unknownTransfers},
        {"cancelled-transfers", cancelledTransfers},
        {"offer-flood", offerFlood},
        {"huge-offers", hugeOffers},
        {"bogus-resume", bogusResume},
    };
    return table;
}

} // namespace

std::vector<std::string> scenarioNames()
{
    std::vector<std::string> names;
    for (const auto& [name, run] : scenarios())
        names.push_back(name);
    return names;
}

bool runScenario(const std::string& name, HostileSender& sender, std::uint64_t seed)
{
    const auto found = scenarios().find(name);
    if (found == scenarios().end()) return false;
    found->second(sender, Ids(seed));
    return true;
}

} // namespace duet::test
