#include "duet/nat/Stun.hpp"

#include "duet/nat/Crc32.hpp"

#include <algorithm>
#include <charconv>

namespace duet::nat {
namespace {

constexpr std::uint16_t kBindingRequest = 0x0001;
constexpr std::uint16_t kBindingSuccess = 0x0101;
constexpr std::uint16_t kBindingError = 0x0111;
constexpr std::uint16_t kAttrMappedAddress = 0x0001;
constexpr std::uint16_t kAttrXorMappedAddress = 0x0020;
// Servers written before RFC 5389 was final used this comprehension-optional code point.
constexpr std::uint16_t kAttrXorMappedAddressOld = 0x8020;
constexpr std::uint16_t kAttrChangeRequest = 0x0003;
constexpr std::uint16_t kAttrChangedAddress = 0x0005; // RFC 3489's name for OTHER-ADDRESS
constexpr std::uint16_t kAttrOtherAddress = 0x802C;
constexpr std::uint16_t kAttrFingerprint = 0x8028;
constexpr std::uint32_t kFingerprintXor = 0x5354554E;
constexpr std::uint8_t kFamilyIpv4 = 0x01;

std::uint16_t read16(std::span<const std::uint8_t> b, std::size_t at)
{
    return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

std::uint32_t read32(std::span<const std::uint8_t> b, std::size_t at)
{
    return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) |
           std::uint32_t{b[at + 3]};
}

void put16(std::vector<std::uint8_t>& out, std::uint16_t v)
{
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

void put32(std::vector<std::uint8_t>& out, std::uint32_t v)
{
    put16(out, static_cast<std::uint16_t>(v >> 16));
    put16(out, static_cast<std::uint16_t>(v));
}

void setLength(std::vector<std::uint8_t>& message)
{
    const auto length = static_cast<std::uint16_t>(message.size() - kStunHeaderSize);
    message[2] = static_cast<std::uint8_t>(length >> 8);
    message[3] = static_cast<std::uint8_t>(length);
}

// Appends FINGERPRINT: the header length must already count it, so set it before hashing.
void appendFingerprint(std::vector<std::uint8_t>& message)
{
    const std::size_t at = message.size();
    put16(message, kAttrFingerprint);
    put16(message, 4);
    put32(message, 0);
    setLength(message);
    const std::uint32_t value = crc32(std::span(message).first(at)) ^ kFingerprintXor;
    message.resize(at + 4);
    put32(message, value);
}

std::vector<std::uint8_t> header(std::uint16_t type, std::span<const std::uint8_t> transaction)
{
    std::vector<std::uint8_t> message;
    message.reserve(48);
    put16(message, type);
    put16(message, 0);
    put32(message, kStunMagicCookie);
    message.insert(message.end(), transaction.begin(), transaction.end());
    return message;
}

// An address attribute's value; nullopt with `malformed` set when its shape is wrong, nullopt alone for a
// well-formed address we cannot use (IPv6).
std::optional<Ipv4Endpoint> readAddress(std::span<const std::uint8_t> value, bool xored, bool& malformed)
{
    if (value.size() < 4) {
        malformed = true;
        return std::nullopt;
    }
    const std::uint8_t family = value[1];
    if (family != kFamilyIpv4) {
        malformed = family != 0x02 || value.size() != 20;
        return std::nullopt;
    }
    if (value.size() != 8) {
        malformed = true;
        return std::nullopt;
    }
    Ipv4Endpoint endpoint{read32(value, 4), read16(value, 2)};
    if (xored) {
        endpoint.port ^= static_cast<std::uint16_t>(kStunMagicCookie >> 16);
        endpoint.ip ^= kStunMagicCookie;
    }
    return endpoint;
}

} // namespace

std::string_view describe(StunError error)
{
    switch (error) {
    case StunError::NotStun:
        return "not a STUN message";
    case StunError::Truncated:
        return "truncated STUN attribute";
    case StunError::NotBinding:
        return "not a Binding response";
    case StunError::ErrorResponse:
        return "the STUN server answered with an error";
    case StunError::NoAddress:
        return "no IPv4 mapped address in the answer";
    case StunError::BadFingerprint:
        return "bad STUN FINGERPRINT";
    case StunError::Malformed:
        return "malformed STUN address";
    }
    return "?";
}

std::vector<std::uint8_t> encodeBindingRequest(const StunTransactionId& transaction, std::uint8_t changeFlags)
{
    std::vector<std::uint8_t> message = header(kBindingRequest, transaction);
    if (changeFlags != 0) {
        put16(message, kAttrChangeRequest);
        put16(message, 4);
        put32(message, changeFlags & (kChangeIp | kChangePort));
    }
    appendFingerprint(message);
    return message;
}

bool looksLikeStun(std::span<const std::uint8_t> datagram)
{
    if (datagram.size() < kStunHeaderSize || datagram.size() > kMaxStunMessage) return false;
    if ((datagram[0] & 0xC0) != 0) return false;
    if (read32(datagram, 4) != kStunMagicCookie) return false;
    const std::size_t length = read16(datagram, 2);
    return length % 4 == 0 && kStunHeaderSize + length == datagram.size();
}

StunDecoded decodeBindingResponse(std::span<const std::uint8_t> datagram)
{
    StunDecoded result;
    if (!looksLikeStun(datagram)) return result;
    const std::uint16_t type = read16(datagram, 0);
    if (type == kBindingError) {
        result.error = StunError::ErrorResponse;
        return result;
    }
    if (type != kBindingSuccess) {
        result.error = StunError::NotBinding;
        return result;
    }
    StunBindingResponse response;
    std::copy(datagram.begin() + 8, datagram.begin() + 20, response.transaction.begin());
    std::optional<Ipv4Endpoint> xorMapped;
    std::optional<Ipv4Endpoint> mapped;
    std::optional<Ipv4Endpoint> other;
    std::size_t at = kStunHeaderSize;
    // Each pass consumes at least the 4-byte attribute header, so this ends within size/4 passes.
    while (at < datagram.size()) {
        if (datagram.size() - at < 4) {
            result.error = StunError::Truncated;
            return result;
        }
        const std::uint16_t attribute = read16(datagram, at);
        const std::size_t length = read16(datagram, at + 2);
        const std::size_t padded = (length + 3) & ~std::size_t{3};
        if (datagram.size() - at - 4 < padded) {
            result.error = StunError::Truncated;
            return result;
        }
        const std::span<const std::uint8_t> value = datagram.subspan(at + 4, length);
        bool malformed = false;
        if (attribute == kAttrFingerprint) {
            const bool last = at + 4 + padded == datagram.size();
            if (length != 4 || !last ||
                (crc32(datagram.first(at)) ^ kFingerprintXor) != read32(datagram, at + 4)) {
                result.error = StunError::BadFingerprint;
                return result;
            }
        } else if (attribute == kAttrXorMappedAddress || attribute == kAttrXorMappedAddressOld) {
            if (auto endpoint = readAddress(value, true, malformed); endpoint && !xorMapped)
                xorMapped = endpoint;
        } else if (attribute == kAttrMappedAddress) {
            if (auto endpoint = readAddress(value, false, malformed); endpoint && !mapped) mapped = endpoint;
        } else if (attribute == kAttrOtherAddress || attribute == kAttrChangedAddress) {
            if (auto endpoint = readAddress(value, false, malformed); endpoint && !other) other = endpoint;
        }
        if (malformed) {
            result.error = StunError::Malformed;
            return result;
        }
        at += 4 + padded;
    }
    if (!xorMapped && !mapped) {
        result.error = StunError::NoAddress;
        return result;
    }
    response.fromXor = xorMapped.has_value();
    response.mapped = xorMapped ? *xorMapped : *mapped;
    // An address we could never send to is no second server address.
    if (other && other->ip != 0 && other->port != 0) response.otherAddress = other;
    result.response = response;
    return result;
}

std::vector<std::uint8_t> encodeBindingSuccess(std::span<const std::uint8_t> request, Ipv4Endpoint mapped,
                                               std::optional<Ipv4Endpoint> other)
{
    if (!looksLikeStun(request) || read16(request, 0) != kBindingRequest) return {};
    std::vector<std::uint8_t> message = header(kBindingSuccess, request.subspan(8, 12));
    put16(message, kAttrXorMappedAddress);
    put16(message, 8);
    message.push_back(0);
    message.push_back(kFamilyIpv4);
    put16(message, static_cast<std::uint16_t>(mapped.port ^ (kStunMagicCookie >> 16)));
    put32(message, mapped.ip ^ kStunMagicCookie);
    if (other) {
        put16(message, kAttrOtherAddress);
        put16(message, 8);
        message.push_back(0);
        message.push_back(kFamilyIpv4);
        put16(message, other->port);
        put32(message, other->ip);
    }
    appendFingerprint(message);
    return message;
}

std::string formatEndpoint(Ipv4Endpoint endpoint)
{
    std::string text;
    for (int shift = 24; shift >= 0; shift -= 8) {
        text += std::to_string((endpoint.ip >> shift) & 0xFFu);
        text += shift > 0 ? '.' : ':';
    }
    return text + std::to_string(endpoint.port);
}

std::optional<Ipv4Endpoint> parseEndpoint(std::string_view text)
{
    Ipv4Endpoint endpoint;
    const char* at = text.data();
    const char* end = text.data() + text.size();
    for (int part = 0; part < 4; ++part) {
        unsigned octet = 0;
        const auto [next, ec] = std::from_chars(at, end, octet);
        if (ec != std::errc() || octet > 255 || next - at > 3) return std::nullopt;
        endpoint.ip = (endpoint.ip << 8) | octet;
        at = next;
        if (at == end || *at != (part < 3 ? '.' : ':')) return std::nullopt;
        ++at;
    }
    unsigned port = 0;
    const auto [next, ec] = std::from_chars(at, end, port);
    if (ec != std::errc() || next != end || port == 0 || port > 65535) return std::nullopt;
    endpoint.port = static_cast<std::uint16_t>(port);
    return endpoint;
}

} // namespace duet::nat
