#include "duet/wire/Frame.hpp"

#include <cstring>

namespace duet::wire {

std::string_view describe(DecodeError e)
{
    switch (e) {
    case DecodeError::Truncated:
        return "truncated";
    case DecodeError::Oversized:
        return "oversized";
    case DecodeError::BadMagic:
        return "not a Duet frame";
    case DecodeError::WrongVersion:
        return "unsupported protocol version";
    case DecodeError::UnknownType:
        return "unknown message type";
    case DecodeError::Malformed:
        return "malformed field";
    case DecodeError::TrailingBytes:
        return "trailing bytes";
    case DecodeError::InvalidUtf8:
        return "invalid UTF-8";
    }
    return "unknown error";
}

bool isKnownFrameType(std::uint8_t type)
{
    switch (static_cast<FrameType>(type)) {
    case FrameType::HandshakeInit:
    case FrameType::HandshakeReply:
    case FrameType::HandshakeReveal:
    case FrameType::HandshakeFinish:
    case FrameType::Close:
    case FrameType::Record:
    case FrameType::Chunk:
    case FrameType::BulkData:
    case FrameType::BulkAck:
    case FrameType::StreamChunk:
        return true;
    }
    return false;
}

bool isHandshakeFrame(FrameType type)
{
    return type != FrameType::Record && type != FrameType::Chunk;
}

Bytes encodeFrame(FrameType type, ByteSpan body)
{
    return encodeFrame(type, {body});
}

Bytes encodeFrame(FrameType type, std::initializer_list<ByteSpan> bodyParts)
{
    std::size_t length = 0;
    for (ByteSpan part : bodyParts)
        length += part.size();
    Bytes frame(kFrameHeaderSize + length);
    writeFrameHeader(type, static_cast<std::uint32_t>(length), frame.data());
    std::uint8_t* at = frame.data() + kFrameHeaderSize;
    for (ByteSpan part : bodyParts) {
        if (!part.empty()) std::memcpy(at, part.data(), part.size());
        at += part.size();
    }
    return frame;
}

void writeFrameHeader(FrameType type, std::uint32_t bodyLength, std::uint8_t* out)
{
    out[0] = kMagic0;
    out[1] = kMagic1;
    out[2] = kProtocolVersion;
    out[3] = static_cast<std::uint8_t>(type);
    for (std::size_t i = 0; i < 4; ++i)
        out[4 + i] = static_cast<std::uint8_t>(bodyLength >> (8 * i));
}

Result<FrameView> decodeFrame(ByteSpan packet)
{
    ByteReader r(packet);
    std::uint8_t m0 = 0, m1 = 0, version = 0, type = 0;
    std::uint32_t length = 0;
    // Magic is checked before length so that foreign datagrams are classified as such, not "truncated".
    if (!r.u8(m0) || !r.u8(m1)) return DecodeError::Truncated;
    if (m0 != kMagic0 || m1 != kMagic1) return DecodeError::BadMagic;
    if (!r.u8(version)) return DecodeError::Truncated;
    if (version != kProtocolVersion) return DecodeError::WrongVersion;
    if (!r.u8(type) || !r.u32(length)) return DecodeError::Truncated;
    if (!isKnownFrameType(type)) return DecodeError::UnknownType;
    if (length > kMaxFrameBody) return DecodeError::Oversized;
    if (r.remaining() < length) return DecodeError::Truncated;
    if (r.remaining() > length) return DecodeError::TrailingBytes;
    return FrameView{static_cast<FrameType>(type), r.rest()};
}

bool isValidUtf8(std::string_view s)
{
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        const auto c = static_cast<std::uint8_t>(s[i]);
        std::size_t extra = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i <= extra) return false;
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto cc = static_cast<std::uint8_t>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        static constexpr std::uint32_t kMinForLength[4] = {0, 0x80, 0x800, 0x10000};
        if (cp < kMinForLength[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += extra + 1;
    }
    return true;
}

} // namespace duet::wire
