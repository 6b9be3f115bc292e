#pragma once
// Helpers shared by this library's sources. Not part of the API: other libraries must not include it
// (it needs libsodium's headers, which only duet_crypto links).
#include "duet/crypto/Types.hpp"

#include <array>
#include <sodium.h>
#include <string_view>

namespace duet::crypto::detail {

inline ByteSpan asBytes(std::string_view text)
{
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

template <typename T>
void wipe(T& object)
{
    sodium_memzero(&object, sizeof object);
}

// The associated data of chunks and bulk packets (ChunkCipher, PacketCipher): "duet-chunk-v1" | type or
// transfer id u64 LE | index u64 LE | plaintext length u32 LE. On the stack: it is built per packet.
inline constexpr std::string_view kChunkLabel = "duet-chunk-v1";
using ChunkAssociatedData = std::array<std::uint8_t, kChunkLabel.size() + 8 + 8 + 4>;

inline ChunkAssociatedData chunkAssociatedData(std::uint64_t id, std::uint64_t index, std::uint32_t length)
{
    ChunkAssociatedData ad{};
    std::size_t at = 0;
    for (char c : kChunkLabel)
        ad[at++] = static_cast<std::uint8_t>(c);
    for (std::size_t i = 0; i < 8; ++i)
        ad[at++] = static_cast<std::uint8_t>(id >> (8 * i));
    for (std::size_t i = 0; i < 8; ++i)
        ad[at++] = static_cast<std::uint8_t>(index >> (8 * i));
    for (std::size_t i = 0; i < 4; ++i)
        ad[at++] = static_cast<std::uint8_t>(length >> (8 * i));
    return ad;
}

} // namespace duet::crypto::detail
