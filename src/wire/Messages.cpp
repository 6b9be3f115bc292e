#include "duet/wire/Messages.hpp"

#include "CodecDetail.hpp"

namespace duet::wire {
namespace {

using detail::Prefix;
using detail::readUtf8;

template <typename T>
Result<T> finish(const ByteReader& r, T value)
{
    return detail::finish<T>(r, std::move(value));
}

Bytes frame(FrameType type, ByteWriter& w)
{
    const Bytes body = w.take();
    return encodeFrame(type, body);
}

} // namespace

Bytes encode(const HandshakeInit& m)
{
    ByteWriter w;
    w.u8(m.suite);
    w.fixed(m.commitment);
    return frame(FrameType::HandshakeInit, w);
}

Bytes encode(const HandshakeReply& m)
{
    ByteWriter w;
    w.fixed(m.ephemeral);
    return frame(FrameType::HandshakeReply, w);
}

Bytes encode(const HandshakeReveal& m)
{
    ByteWriter w;
    w.fixed(m.ephemeral);
    w.fixed(m.identity);
    return frame(FrameType::HandshakeReveal, w);
}

Bytes encode(const HandshakeFinish& m)
{
    ByteWriter w;
    w.fixed(m.identity);
    return frame(FrameType::HandshakeFinish, w);
}

Bytes encode(const Close& m)
{
    ByteWriter w;
    w.u16(static_cast<std::uint16_t>(m.reason));
    w.shortString(std::string_view(m.detail).substr(0, kMaxCloseDetail));
    return frame(FrameType::Close, w);
}

Result<HandshakeInit> decodeHandshakeInit(ByteSpan body)
{
    ByteReader r(body);
    HandshakeInit m;
    if (!r.u8(m.suite) || !r.fixed(m.commitment)) return DecodeError::Truncated;
    if (m.suite != kSuiteX25519Ed25519XChaCha) return DecodeError::Malformed;
    return finish(r, m);
}

Result<HandshakeReply> decodeHandshakeReply(ByteSpan body)
{
    ByteReader r(body);
    HandshakeReply m;
    if (!r.fixed(m.ephemeral)) return DecodeError::Truncated;
    return finish(r, m);
}

Result<HandshakeReveal> decodeHandshakeReveal(ByteSpan body)
{
    ByteReader r(body);
    HandshakeReveal m;
    if (!r.fixed(m.ephemeral) || !r.fixed(m.identity)) return DecodeError::Truncated;
    return finish(r, m);
}

Result<HandshakeFinish> decodeHandshakeFinish(ByteSpan body)
{
    ByteReader r(body);
    HandshakeFinish m;
    if (!r.fixed(m.identity)) return DecodeError::Truncated;
    return finish(r, m);
}

Result<Close> decodeClose(ByteSpan body)
{
    ByteReader r(body);
    Close m;
    std::uint16_t reason = 0;
    if (!r.u16(reason)) return DecodeError::Truncated;
    if (reason > static_cast<std::uint16_t>(CloseReason::KeyMismatch)) return DecodeError::Malformed;
    m.reason = static_cast<CloseReason>(reason);
    DecodeError err{};
    if (!readUtf8(r, m.detail, kMaxCloseDetail, Prefix::U16, err)) return err;
    return finish(r, m);
}

} // namespace duet::wire
