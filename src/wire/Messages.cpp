#include "duet/wire/Messages.hpp"

namespace duet::wire {
namespace {

Bytes frame(FrameType type, ByteWriter& w)
{
    const Bytes body = w.take();
    return encodeFrame(type, body);
}

// Every decoder ends here: a value is returned only if the whole body was consumed.
template <typename T>
Result<T> finish(ByteReader& r, T value)
{
    if (!r.atEnd()) return DecodeError::TrailingBytes;
    return value;
}

bool readUtf8(ByteReader& r, std::string& out, std::size_t maxLen, bool longPrefix, DecodeError& err)
{
    // Distinguish "declared length over the cap" from "ran out of bytes" for clearer diagnostics.
    ByteReader probe = r;
    std::uint32_t declared = 0;
    if (longPrefix) {
        if (!probe.u32(declared)) return err = DecodeError::Truncated, false;
    } else {
        std::uint16_t d16 = 0;
        if (!probe.u16(d16)) return err = DecodeError::Truncated, false;
        declared = d16;
    }
    if (declared > maxLen) return err = DecodeError::Oversized, false;
    const bool read = longPrefix ? r.longString(out, maxLen) : r.shortString(out, maxLen);
    if (!read) return err = DecodeError::Truncated, false;
    if (!isValidUtf8(out)) return err = DecodeError::InvalidUtf8, false;
    return true;
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
    if (!readUtf8(r, m.detail, kMaxCloseDetail, false, err)) return err;
    return finish(r, m);
}

Bytes encodeApp(const AppMessage& message)
{
    ByteWriter w;
    std::visit(
        [&w](const auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, Hello>) {
                w.u8(static_cast<std::uint8_t>(AppType::Hello));
                w.shortString(m.displayName);
                w.u32(m.capabilities);
            } else if constexpr (std::is_same_v<T, PeerConfirmed>) {
                w.u8(static_cast<std::uint8_t>(AppType::PeerConfirmed));
            } else if constexpr (std::is_same_v<T, Chat>) {
                w.u8(static_cast<std::uint8_t>(AppType::Chat));
                w.u64(m.id);
                w.i64(m.sentAtMs);
                w.longString(m.text);
            } else if constexpr (std::is_same_v<T, ChatAck>) {
                w.u8(static_cast<std::uint8_t>(AppType::ChatAck));
                w.u64(m.id);
            }
        },
        message);
    return w.take();
}

Result<AppMessage> decodeApp(ByteSpan plaintext)
{
    ByteReader r(plaintext);
    std::uint8_t type = 0;
    if (!r.u8(type)) return DecodeError::Truncated;
    DecodeError err{};
    switch (static_cast<AppType>(type)) {
    case AppType::Hello: {
        Hello m;
        if (!readUtf8(r, m.displayName, kMaxDisplayName, false, err)) return err;
        if (!r.u32(m.capabilities)) return DecodeError::Truncated;
        return finish<AppMessage>(r, m);
    }
    case AppType::PeerConfirmed: return finish<AppMessage>(r, PeerConfirmed{});
    case AppType::Chat: {
        Chat m;
        if (!r.u64(m.id) || !r.i64(m.sentAtMs)) return DecodeError::Truncated;
        if (!readUtf8(r, m.text, kMaxChatText, true, err)) return err;
        return finish<AppMessage>(r, m);
    }
    case AppType::ChatAck: {
        ChatAck m;
        if (!r.u64(m.id)) return DecodeError::Truncated;
        return finish<AppMessage>(r, m);
    }
    }
    return DecodeError::UnknownType;
}

} // namespace duet::wire
