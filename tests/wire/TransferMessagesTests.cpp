#include "duet/wire/Messages.hpp"

#include <doctest/doctest.h>

using namespace duet::wire;

namespace {
Bytes roundTrip(const AppMessage& m)
{
    const Bytes encoded = encodeApp(m);
    auto decoded = decodeApp(encoded);
    REQUIRE(decoded.ok());
    REQUIRE(decoded->index() == m.index());
    return encodeApp(*decoded);
}

Offer sampleOffer()
{
    Offer o;
    o.offerId = 77;
    o.partIndex = 0;
    o.partCount = 2;
    o.totalEntries = 3;
    o.totalBytes = 1234;
    o.entries.push_back({1, EntryKind::Directory, 0, 0, "Photos"});
    o.entries.push_back({2, EntryKind::File, 1234, 1'700'000'000'000, "Photos/R\xC3\xA9sum\xC3\xA9.pdf"});
    return o;
}

// Offer header up to the entry count, for hand-built hostile offers.
ByteWriter offerHeader(std::uint32_t partIndex, std::uint32_t partCount, std::uint32_t total,
                       std::uint32_t count)
{
    ByteWriter w;
    w.u8(static_cast<std::uint8_t>(AppType::Offer));
    w.u64(9);
    w.u32(partIndex);
    w.u32(partCount);
    w.u32(total);
    w.u64(0);
    w.u32(count);
    return w;
}
} // namespace

TEST_CASE("transfer messages round-trip")
{
    const Offer offer = sampleOffer();
    CHECK(roundTrip(offer) == encodeApp(offer));
    auto decoded = decodeApp(encodeApp(offer));
    const auto& o = std::get<Offer>(*decoded);
    REQUIRE(o.entries.size() == 2);
    CHECK(o.entries[1].path == offer.entries[1].path);
    CHECK(o.entries[1].size == 1234);
    CHECK(o.entries[0].kind == EntryKind::Directory);

    OfferReply accept{77, OfferDecision::Accept, {2, 3}, ""};
    CHECK(roundTrip(accept) == encodeApp(accept));
    OfferReply reject{77, OfferDecision::Reject, {}, "not enough free space: 1.2 GB needed"};
    CHECK(roundTrip(reject) == encodeApp(reject));

    const AppMessage others[] = {
        FileRequest{77, 2, 5},
        ChunkAck{2, 6},
        FileDone{2, {}},
        FileResult{2, FileOutcome::HashMismatch, "hash differs"},
        TransferControl{77, 0, TransferAction::Cancel},
    };
    for (const AppMessage& m : others)
        CHECK(roundTrip(m) == encodeApp(m));
}

TEST_CASE("hostile offers are refused before anything is allocated from their counts")
{
    SUBCASE("entry count far beyond the body")
    {
        ByteWriter w = offerHeader(0, 1, 4000, 4000);
        CHECK(decodeApp(w.take()).error() == DecodeError::Truncated);
    }
    SUBCASE("more entries in a part than the cap")
    {
        ByteWriter w = offerHeader(0, 1, kMaxOfferEntries, kMaxEntriesPerPart + 1);
        CHECK(decodeApp(w.take()).error() == DecodeError::Oversized);
    }
    SUBCASE("total above the cap")
    {
        ByteWriter w = offerHeader(0, 1, kMaxOfferEntries + 1, 0);
        CHECK(decodeApp(w.take()).error() == DecodeError::Oversized);
    }
    SUBCASE("part index outside the part count")
    {
        ByteWriter w = offerHeader(2, 2, 1, 0);
        CHECK(decodeApp(w.take()).error() == DecodeError::Malformed);
    }
    SUBCASE("zero parts")
    {
        ByteWriter w = offerHeader(0, 0, 1, 0);
        CHECK(decodeApp(w.take()).error() == DecodeError::Malformed);
    }
    SUBCASE("a part claims more entries than the whole offer")
    {
        ByteWriter w = offerHeader(0, 1, 1, 2);
        CHECK(decodeApp(w.take()).error() == DecodeError::Malformed);
    }
    SUBCASE("a directory with a size")
    {
        ByteWriter w = offerHeader(0, 1, 1, 1);
        w.u64(1);
        w.u8(static_cast<std::uint8_t>(EntryKind::Directory));
        w.u64(10);
        w.i64(0);
        w.shortString("dir");
        CHECK(decodeApp(w.take()).error() == DecodeError::Malformed);
    }
    SUBCASE("an unknown entry kind")
    {
        ByteWriter w = offerHeader(0, 1, 1, 1);
        w.u64(1);
        w.u8(7);
        w.u64(0);
        w.i64(0);
        w.shortString("x");
        CHECK(decodeApp(w.take()).error() == DecodeError::Malformed);
    }
    SUBCASE("a path above 4096 bytes")
    {
        ByteWriter w = offerHeader(0, 1, 1, 1);
        w.u64(1);
        w.u8(0);
        w.u64(0);
        w.i64(0);
        w.shortString(std::string(kMaxPathBytes + 1, 'a'));
        CHECK(decodeApp(w.take()).error() == DecodeError::Oversized);
    }
    SUBCASE("a path that is not UTF-8")
    {
        ByteWriter w = offerHeader(0, 1, 1, 1);
        w.u64(1);
        w.u8(0);
        w.u64(0);
        w.i64(0);
        w.shortString("bad\xC0\xAF");
        CHECK(decodeApp(w.take()).error() == DecodeError::InvalidUtf8);
    }
}

TEST_CASE("hostile replies and controls are refused")
{
    ByteWriter reject;
    reject.u8(static_cast<std::uint8_t>(AppType::OfferReply));
    reject.u64(1);
    reject.u8(0); // reject, yet lists accepted files
    reject.u32(1);
    reject.u64(5);
    reject.shortString("");
    CHECK(decodeApp(reject.take()).error() == DecodeError::Malformed);

    ByteWriter huge;
    huge.u8(static_cast<std::uint8_t>(AppType::OfferReply));
    huge.u64(1);
    huge.u8(1);
    huge.u32(0xFFFFFFFFu);
    CHECK(decodeApp(huge.take()).error() == DecodeError::Oversized);

    ByteWriter action;
    action.u8(static_cast<std::uint8_t>(AppType::TransferControl));
    action.u64(1);
    action.u64(0);
    action.u8(9);
    CHECK(decodeApp(action.take()).error() == DecodeError::Malformed);

    ByteWriter outcome;
    outcome.u8(static_cast<std::uint8_t>(AppType::FileResult));
    outcome.u64(1);
    outcome.u8(200);
    outcome.shortString("");
    CHECK(decodeApp(outcome.take()).error() == DecodeError::Malformed);
}

TEST_CASE("chunk frames round-trip and refuse bad sizes")
{
    std::array<std::uint8_t, 16> prefix{};
    prefix.fill(0xAB);
    const Bytes ciphertext(100 + kChunkTagSize, 0x5A);
    const Bytes packet = encodeChunk(3, 9, prefix, ciphertext);

    const auto frame = decodeFrame(packet);
    REQUIRE(frame.ok());
    REQUIRE(frame->type == FrameType::Chunk);
    CHECK_FALSE(isHandshakeFrame(frame->type));
    const auto chunk = decodeChunkBody(frame->body);
    REQUIRE(chunk.ok());
    CHECK(chunk->fileId == 3);
    CHECK(chunk->chunkIndex == 9);
    CHECK(chunk->noncePrefix == prefix);
    CHECK(chunk->ciphertext.size() == ciphertext.size());

    CHECK(decodeChunkBody(Bytes(kChunkHeaderSize + kChunkTagSize - 1, 0)).error() == DecodeError::Truncated);
    CHECK(decodeChunkBody(Bytes(kChunkHeaderSize + kChunkSize + kChunkTagSize + 1, 0)).error() ==
          DecodeError::Oversized);
    CHECK(decodeChunkBody(Bytes(kChunkHeaderSize + kChunkTagSize, 0)).ok()); // empty plaintext, tag only
}

TEST_CASE("clear stream chunk frames round-trip and refuse bad sizes")
{
    Bytes data(kChunkSize);
    for (std::size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<std::uint8_t>(i * 7);
    const Bytes packet = encodeStreamChunk(0x1122334455667788ull, 41, data);
    CHECK(packet.size() == kFrameHeaderSize + kStreamChunkHeaderSize + kChunkSize);
    const auto frame = decodeFrame(packet);
    REQUIRE(frame.ok());
    REQUIRE(frame->type == FrameType::StreamChunk);
    const auto chunk = decodeStreamChunkBody(frame->body);
    REQUIRE(chunk.ok());
    CHECK(chunk->fileId == 0x1122334455667788ull);
    CHECK(chunk->chunkIndex == 41);
    CHECK(Bytes(chunk->data.begin(), chunk->data.end()) == data);

    CHECK(decodeStreamChunkBody(Bytes(kStreamChunkHeaderSize - 1, 0)).error() == DecodeError::Truncated);
    CHECK(decodeStreamChunkBody(Bytes(kStreamChunkHeaderSize + kChunkSize + 1, 0)).error() ==
          DecodeError::Oversized);
    CHECK(decodeStreamChunkBody(Bytes(kStreamChunkHeaderSize, 0))->data.empty());
}
