#include "duet/nat/ConnectionCode.hpp"

#include "duet/nat/Crc32.hpp"

#include <algorithm>

namespace duet::nat {
namespace {

constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::string_view kRfc4648 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::size_t kCodeGroup = 5;
constexpr std::size_t kFingerprintGroup = 4;
constexpr std::size_t kEndpointSize = 7; // kind, IPv4, port
constexpr std::size_t kChecksumSize = 4;
constexpr std::size_t kFixedSize = 1 + 1 + kFingerprintSize + 1; // version, NAT type, fingerprint, count

std::string toBase32(const std::vector<std::uint8_t>& bytes, std::string_view alphabet)
{
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const std::uint8_t b : bytes) {
        buffer = (buffer << 8) | b;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out.push_back(alphabet[(buffer >> bits) & 0x1F]);
        }
    }
    if (bits > 0) out.push_back(alphabet[(buffer << (5 - bits)) & 0x1F]);
    return out;
}

// Five-bit digits to bytes; false when leftover bits are not zero padding.
bool fromDigits(const std::vector<std::uint8_t>& digits, std::vector<std::uint8_t>& out)
{
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const std::uint8_t digit : digits) {
        buffer = ((buffer << 5) | digit) & 0xFFFFu;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>(buffer >> bits));
        }
    }
    return bits < 5 && (buffer & ((1u << bits) - 1)) == 0;
}

int crockfordDigit(char c)
{
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    const std::size_t at = kCrockford.find(c);
    return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

std::string grouped(const std::string& digits, std::size_t group)
{
    std::string out;
    for (std::size_t i = 0; i < digits.size(); i += group) {
        if (i > 0) out.push_back('-');
        out.append(digits, i, group);
    }
    return out;
}

void put32(std::vector<std::uint8_t>& out, std::uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> shift));
}

std::uint32_t read32(const std::vector<std::uint8_t>& b, std::size_t at)
{
    return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) |
           std::uint32_t{b[at + 3]};
}

CodeDecoded refuse(CodeError error)
{
    CodeDecoded result;
    result.error = error;
    return result;
}

} // namespace

std::string_view describe(CodeError error)
{
    switch (error) {
    case CodeError::TooLong:
        return "too long to be a connection code";
    case CodeError::BadCharacter:
        return "a character that cannot be in a connection code";
    case CodeError::Truncated:
        return "the code is incomplete";
    case CodeError::BadChecksum:
        return "the code has a typo (checksum mismatch)";
    case CodeError::WrongVersion:
        return "the code comes from a newer version of Duet";
    case CodeError::Malformed:
        return "not a valid connection code";
    }
    return "not a valid connection code";
}

std::string_view describe(EndpointKind kind)
{
    switch (kind) {
    case EndpointKind::Lan:
        return "lan";
    case EndpointKind::Public:
        return "public";
    case EndpointKind::Mapped:
        return "mapped";
    }
    return "?";
}

std::string encodeCode(const ConnectionCode& code)
{
    std::vector<std::uint8_t> bytes;
    bytes.push_back(kCodeVersion);
    bytes.push_back(static_cast<std::uint8_t>(code.natType));
    bytes.insert(bytes.end(), code.fingerprint.begin(), code.fingerprint.end());
    const std::size_t count = std::min(code.endpoints.size(), kMaxCodeEndpoints);
    bytes.push_back(static_cast<std::uint8_t>(count));
    for (std::size_t i = 0; i < count; ++i) {
        const CodeEndpoint& endpoint = code.endpoints[i];
        bytes.push_back(static_cast<std::uint8_t>(endpoint.kind));
        put32(bytes, endpoint.address.ip);
        bytes.push_back(static_cast<std::uint8_t>(endpoint.address.port >> 8));
        bytes.push_back(static_cast<std::uint8_t>(endpoint.address.port));
    }
    put32(bytes, crc32(bytes));
    return grouped(toBase32(bytes, kCrockford), kCodeGroup);
}

CodeDecoded decodeCode(std::string_view text)
{
    if (text.size() > kMaxCodeText) return refuse(CodeError::TooLong);
    std::vector<std::uint8_t> digits;
    for (const char c : text) {
        if (c == '-' || c == ' ' || c == '\t') continue;
        const int digit = crockfordDigit(c);
        if (digit < 0) return refuse(CodeError::BadCharacter);
        digits.push_back(static_cast<std::uint8_t>(digit));
    }
    std::vector<std::uint8_t> bytes;
    if (!fromDigits(digits, bytes)) return refuse(CodeError::Malformed);
    if (bytes.size() < kFixedSize + kChecksumSize) return refuse(CodeError::Truncated);
    const std::size_t body = bytes.size() - kChecksumSize;
    if (crc32(std::span(bytes).first(body)) != read32(bytes, body)) return refuse(CodeError::BadChecksum);
    if (bytes[0] != kCodeVersion) return refuse(CodeError::WrongVersion);
    ConnectionCode code;
    if (bytes[1] > static_cast<std::uint8_t>(NatType::Blocked)) return refuse(CodeError::Malformed);
    code.natType = static_cast<NatType>(bytes[1]);
    std::copy_n(bytes.begin() + 2, kFingerprintSize, code.fingerprint.begin());
    const std::size_t count = bytes[kFixedSize - 1];
    if (count > kMaxCodeEndpoints) return refuse(CodeError::Malformed);
    if (body != kFixedSize + count * kEndpointSize)
        return refuse(body < kFixedSize + count * kEndpointSize ? CodeError::Truncated
                                                                : CodeError::Malformed);
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t at = kFixedSize + i * kEndpointSize;
        const std::uint8_t kind = bytes[at];
        if (kind < static_cast<std::uint8_t>(EndpointKind::Lan) ||
            kind > static_cast<std::uint8_t>(EndpointKind::Mapped))
            return refuse(CodeError::Malformed);
        CodeEndpoint endpoint;
        endpoint.kind = static_cast<EndpointKind>(kind);
        endpoint.address.ip = read32(bytes, at + 1);
        endpoint.address.port = static_cast<std::uint16_t>((bytes[at + 5] << 8) | bytes[at + 6]);
        // Nobody is reachable at 0.0.0.0, at a multicast or broadcast address, or at port 0.
        const std::uint32_t top = endpoint.address.ip >> 24;
        if (endpoint.address.ip == 0 || top >= 224 || endpoint.address.port == 0)
            return refuse(CodeError::Malformed);
        code.endpoints.push_back(endpoint);
    }
    CodeDecoded result;
    result.code = std::move(code);
    return result;
}

std::optional<std::array<std::uint8_t, kFingerprintSize>> fingerprintBytes(std::string_view text)
{
    std::vector<std::uint8_t> digits;
    for (const char c : text) {
        if (c == '-') continue;
        const std::size_t at = kRfc4648.find(c);
        if (at == std::string_view::npos) return std::nullopt;
        digits.push_back(static_cast<std::uint8_t>(at));
    }
    std::vector<std::uint8_t> bytes;
    if (digits.size() != kFingerprintSize * 8 / 5 || !fromDigits(digits, bytes)) return std::nullopt;
    std::array<std::uint8_t, kFingerprintSize> out{};
    std::copy(bytes.begin(), bytes.end(), out.begin());
    return out;
}

std::string fingerprintText(const std::array<std::uint8_t, kFingerprintSize>& bytes)
{
    return grouped(toBase32(std::vector<std::uint8_t>(bytes.begin(), bytes.end()), kRfc4648),
                   kFingerprintGroup);
}

} // namespace duet::nat
