#pragma once
// Small helpers shared by the transfer test files.
#include "Harness.hpp"
#include "duet/transfer/ChunkMath.hpp"

#include <doctest/doctest.h>

namespace duet::transfer::test {

inline LocalEntry fileEntry(std::string path, std::uint64_t size, std::int64_t mtimeMs = 1'700'000'000'000)
{
    return LocalEntry{wire::EntryKind::File, size, mtimeMs, std::move(path)};
}

inline LocalEntry dirEntry(std::string path)
{
    return LocalEntry{wire::EntryKind::Directory, 0, 0, std::move(path)};
}

// The id of the last offer that arrived at `peer`, or 0.
inline std::uint64_t arrivedOffer(const Peer& peer)
{
    const auto arrived = peer.eventsOf<OfferArrived>();
    return arrived.empty() ? 0 : arrived.back().offerId;
}

// The sender's window at its minimum (4 chunks), so tests can act in the middle of a file.
inline TransferConfig smallWindow()
{
    TransferConfig config;
    config.windowBytes = kMinWindowBytes;
    return config;
}

// Pumps until an offer has arrived at b, then accepts it (all, or `some`).
inline void deliverAndAccept(Link& link, const std::vector<std::uint64_t>* some = nullptr)
{
    const std::size_t before = link.b.eventsOf<OfferArrived>().size();
    REQUIRE(link.pumpUntil([&] { return link.b.eventsOf<OfferArrived>().size() > before; }, 100));
    const auto refusal = link.b.manager->accept(arrivedOffer(link.b), some);
    REQUIRE_MESSAGE(!refusal.has_value(), refusal.value_or(""));
}

inline OfferState offerState(TransferManager& manager, std::uint64_t offerId)
{
    auto snapshot = manager.snapshotOffer(offerId, false);
    REQUIRE(snapshot.has_value());
    return snapshot->state;
}

inline FileProgress fileProgress(TransferManager& manager, std::uint64_t offerId, std::uint64_t fileId)
{
    auto snapshot = manager.snapshotOffer(offerId, true);
    REQUIRE(snapshot.has_value());
    for (const FileProgress& f : snapshot->files)
        if (f.file.fileId == fileId) return f;
    FAIL("no such file in the snapshot");
    return {};
}

inline Hash32 patternHash(std::uint64_t seed, std::uint64_t size)
{
    TestHasher h;
    wire::Bytes buffer(kChunkBytes);
    for (std::uint64_t offset = 0; offset < size; offset += kChunkBytes) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunkBytes, size - offset));
        for (std::size_t i = 0; i < n; ++i)
            buffer[i] = patternByte(seed, offset + i);
        h.update(wire::ByteSpan(buffer.data(), n));
    }
    return h.finish();
}

template <typename T>
std::size_t countOf(const std::vector<wire::AppMessage>& messages)
{
    std::size_t n = 0;
    for (const auto& m : messages)
        if (std::holds_alternative<T>(m)) ++n;
    return n;
}

} // namespace duet::transfer::test
