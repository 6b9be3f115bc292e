#pragma once
// Internal helpers shared by the message codecs. Not part of the wire library's public surface.
#include "duet/wire/Bytes.hpp"
#include "duet/wire/Result.hpp"

namespace duet::wire::detail {

// A value is returned only if the whole body was consumed.
template <typename Out, typename T>
Result<Out> finish(const ByteReader& r, T value)
{
    if (!r.atEnd()) return DecodeError::TrailingBytes;
    return Out{std::move(value)};
}

enum class Prefix { U16, U32 };

// Reads a length-prefixed UTF-8 string, telling "over the cap" apart from "ran out of bytes".
inline bool readUtf8(ByteReader& r, std::string& out, std::size_t maxLen, Prefix prefix, DecodeError& err)
{
    ByteReader probe = r;
    std::uint32_t declared = 0;
    if (prefix == Prefix::U32) {
        if (!probe.u32(declared)) return err = DecodeError::Truncated, false;
    } else {
        std::uint16_t d16 = 0;
        if (!probe.u16(d16)) return err = DecodeError::Truncated, false;
        declared = d16;
    }
    if (declared > maxLen) return err = DecodeError::Oversized, false;
    const bool read = prefix == Prefix::U32 ? r.longString(out, maxLen) : r.shortString(out, maxLen);
    if (!read) return err = DecodeError::Truncated, false;
    if (!isValidUtf8(out)) return err = DecodeError::InvalidUtf8, false;
    return true;
}

} // namespace duet::wire::detail
