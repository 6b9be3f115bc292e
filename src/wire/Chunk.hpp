#pragma once
// Wire format v1, file data: FrameType::Chunk (0x11) on ENet channel 2, accepted only after the handshake,
// and FrameType::StreamChunk (0x14) inside the bulk stream.
//   fileId u64 | chunkIndex u64 | nonce prefix [16] | ciphertext (plaintext + 16-byte tag)
// The ciphertext is XChaCha20-Poly1305 under the sender's file key; see PROTOCOL.md. Pure functions.
#include "duet/wire/Frame.hpp"
#include "duet/wire/TransferMessages.hpp"

#include <array>

namespace duet::wire {

inline constexpr std::size_t kChunkTagSize = 16;
inline constexpr std::size_t kChunkHeaderSize = 8 + 8 + 16;

struct ChunkView {
    std::uint64_t fileId = 0;
    std::uint64_t chunkIndex = 0;
    std::array<std::uint8_t, 16> noncePrefix{};
    ByteSpan ciphertext; // points into the decoded body
};

Bytes encodeChunk(std::uint64_t fileId, std::uint64_t chunkIndex,
                  const std::array<std::uint8_t, 16>& noncePrefix, ByteSpan ciphertext);
// Refuses a body shorter than the header plus tag and a ciphertext above kChunkSize + tag.
Result<ChunkView> decodeChunkBody(ByteSpan body);

// FrameType::StreamChunk (0x14): the same chunk in clear, valid only as a message of the bulk stream,
// whose datagrams are already sealed and replay-checked (PROTOCOL.md §11.2); anywhere else it is a bad
// packet. Body: fileId u64 | chunkIndex u64 | plaintext (at most kChunkSize bytes).
inline constexpr std::size_t kStreamChunkHeaderSize = 8 + 8;

struct StreamChunkView {
    std::uint64_t fileId = 0;
    std::uint64_t chunkIndex = 0;
    ByteSpan data; // points into the decoded body
};

// The whole frame (header included), built in one allocation.
Bytes encodeStreamChunk(std::uint64_t fileId, std::uint64_t chunkIndex, ByteSpan plaintext);
// Refuses a body shorter than the header and data above kChunkSize.
Result<StreamChunkView> decodeStreamChunkBody(ByteSpan body);

} // namespace duet::wire
