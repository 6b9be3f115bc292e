#pragma once
// Chunk arithmetic for a file of `size` bytes cut into wire::kChunkSize pieces (the last one shorter).
// Every function is total: indexes are compared against the chunk count before anything is multiplied,
// so a hostile index (up to 2^64 - 1) can never overflow an offset.
#include "duet/wire/TransferMessages.hpp"

#include <cstdint>

namespace duet::transfer {

inline constexpr std::uint64_t kChunkBytes = wire::kChunkSize;

// Number of chunks; 0 for an empty file.
constexpr std::uint64_t chunkCount(std::uint64_t size)
{
    return size / kChunkBytes + (size % kChunkBytes != 0 ? 1 : 0);
}

// Length of chunk `index`, or 0 when the file has no such chunk (no real chunk is empty).
constexpr std::uint64_t chunkLength(std::uint64_t size, std::uint64_t index)
{
    const std::uint64_t count = chunkCount(size);
    if (index >= count) return 0;
    if (index + 1 < count) return kChunkBytes;
    return size - index * kChunkBytes;
}

// Bytes held by chunks [0, chunks): the file offset of chunk `chunks`, capped at the file size.
constexpr std::uint64_t bytesBeforeChunk(std::uint64_t size, std::uint64_t chunks)
{
    if (chunks >= chunkCount(size)) return size;
    return chunks * kChunkBytes;
}

} // namespace duet::transfer
