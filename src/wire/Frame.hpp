#pragma once
// Wire format v1, outer layer: every ENet packet Duet sends is exactly one frame.
//   magic "DU" (2) | version u8 | type u8 | body length u32 LE | body
// Pure functions; see PROTOCOL.md beside this file for the full specification.
#include "duet/wire/Bytes.hpp"
#include "duet/wire/Result.hpp"

#include <initializer_list>

namespace duet::wire {

inline constexpr std::uint8_t kMagic0 = 'D';
inline constexpr std::uint8_t kMagic1 = 'U';
inline constexpr std::uint8_t kProtocolVersion = 1;
inline constexpr std::size_t kFrameHeaderSize = 8;
// Largest body any frame may declare: a 1 MiB file chunk plus its record overhead.
inline constexpr std::size_t kMaxFrameBody = (1u << 20) + 256;

enum class FrameType : std::uint8_t {
    // Plaintext, the only frames accepted before the handshake completes.
    HandshakeInit = 0x01,
    HandshakeReply = 0x02,
    HandshakeReveal = 0x03,
    HandshakeFinish = 0x04,
    Close = 0x05,
    // Encrypted, accepted only after the handshake.
    Record = 0x10,
    Chunk = 0x11,    // file data, see Chunk.hpp
    BulkData = 0x12, // bulk datagram transport, see Bulk.hpp (PROTOCOL.md §11)
    BulkAck = 0x13,
    StreamChunk = 0x14, // file data inside the sealed bulk stream only, see Chunk.hpp
};

bool isKnownFrameType(std::uint8_t type);
bool isHandshakeFrame(FrameType type);

struct FrameView {
    FrameType type;
    ByteSpan body; // points into the decoded packet
};

Bytes encodeFrame(FrameType type, ByteSpan body);
// The same with the body given in pieces, copied once into one allocation.
Bytes encodeFrame(FrameType type, std::initializer_list<ByteSpan> bodyParts);
// Writes the kFrameHeaderSize header bytes of a frame whose body (bodyLength bytes) follows at out + 8.
void writeFrameHeader(FrameType type, std::uint32_t bodyLength, std::uint8_t* out);
// Refuses bad magic, another version, unknown types, a length above kMaxFrameBody, and any mismatch
// between the declared length and the packet size (truncated or trailing bytes).
Result<FrameView> decodeFrame(ByteSpan packet);

} // namespace duet::wire
