#include "duet/wire/Beacon.hpp"

#include "CodecDetail.hpp"

namespace duet::wire {
namespace {
constexpr std::array<std::uint8_t, 4> kBeaconMagic = {'D', 'U', 'B', 'C'};

// Names are shown in peer lists; a beacon is unauthenticated, so refuse anything that could move a cursor
// or hide text rather than trying to clean it.
bool hasControlCharacters(std::string_view s)
{
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) return true;
    }
    return false;
}
} // namespace

Bytes encodeBeacon(const Beacon& beacon)
{
    ByteWriter w;
    w.fixed(kBeaconMagic);
    w.u8(kProtocolVersion);
    w.u8(static_cast<std::uint8_t>(beacon.kind));
    w.u64(beacon.instanceId);
    w.u16(beacon.port);
    w.fixed(beacon.fingerprintHint);
    w.shortString(std::string_view(beacon.displayName).substr(0, kMaxDisplayName));
    return w.take();
}

Result<Beacon> decodeBeacon(ByteSpan datagram)
{
    if (datagram.size() > kMaxBeaconSize) return DecodeError::Oversized;
    ByteReader r(datagram);
    std::array<std::uint8_t, 4> magic{};
    if (!r.fixed(magic)) return DecodeError::Truncated;
    if (magic != kBeaconMagic) return DecodeError::BadMagic;
    std::uint8_t version = 0, kind = 0;
    if (!r.u8(version)) return DecodeError::Truncated;
    if (version != kProtocolVersion) return DecodeError::WrongVersion;
    Beacon b;
    if (!r.u8(kind) || !r.u64(b.instanceId) || !r.u16(b.port) || !r.fixed(b.fingerprintHint))
        return DecodeError::Truncated;
    if (kind > static_cast<std::uint8_t>(BeaconKind::Leaving)) return DecodeError::UnknownType;
    b.kind = static_cast<BeaconKind>(kind);
    if (b.instanceId == 0 || b.port == 0) return DecodeError::Malformed;
    DecodeError err{};
    if (!detail::readUtf8(r, b.displayName, kMaxDisplayName, detail::Prefix::U16, err)) return err;
    if (hasControlCharacters(b.displayName)) return DecodeError::Malformed;
    return detail::finish<Beacon>(r, std::move(b));
}

} // namespace duet::wire
