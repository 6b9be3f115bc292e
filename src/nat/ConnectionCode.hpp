#pragma once
// The connection code two users exchange by phone or message: who I am (my identity fingerprint) and
// where I can be reached (mapped, public and LAN endpoints), with my NAT type and a checksum.
// Text form: Crockford base32 in dash-separated groups of five, e.g. "0G7ZQ-...". Decoding is lenient
// about case, dashes, spaces and the look-alikes I/L/O, strict about everything else.
// Thread: any; pure. Errors: decodeCode() never throws and reports why it refused.
#include "duet/nat/NatType.hpp"
#include "duet/nat/Stun.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace duet::nat {

inline constexpr std::uint8_t kCodeVersion = 1;
inline constexpr std::size_t kFingerprintSize = 20;
inline constexpr std::size_t kMaxCodeEndpoints = 6;
// Longest text decodeCode() looks at: a full code is ~110 characters with its dashes.
inline constexpr std::size_t kMaxCodeText = 256;

enum class EndpointKind : std::uint8_t {
    Lan = 1,    // an address of one of my interfaces
    Public = 2, // what a STUN server saw (the NAT's mapping of my socket)
    Mapped = 3, // a port my router forwards to me (UPnP IGD or NAT-PMP): reachable without punching
};

struct CodeEndpoint {
    EndpointKind kind = EndpointKind::Lan;
    Ipv4Endpoint address;
    friend bool operator==(const CodeEndpoint&, const CodeEndpoint&) = default;
};

struct ConnectionCode {
    std::array<std::uint8_t, kFingerprintSize> fingerprint{};
    NatType natType = NatType::Unknown;
    std::vector<CodeEndpoint> endpoints; // at most kMaxCodeEndpoints, in order of preference
    friend bool operator==(const ConnectionCode&, const ConnectionCode&) = default;
};

enum class CodeError : std::uint8_t {
    TooLong,      // more than kMaxCodeText characters
    BadCharacter, // a character outside the alphabet
    Truncated,    // too short for its declared content
    BadChecksum,  // a typo, or not a code at all
    WrongVersion, // a code from a newer Duet
    Malformed,    // a field outside its domain, or bytes left over
};

std::string_view describe(CodeError error);

struct CodeDecoded {
    std::optional<ConnectionCode> code;
    CodeError error = CodeError::Malformed;
    explicit operator bool() const { return code.has_value(); }
};

// Endpoints beyond kMaxCodeEndpoints are dropped.
std::string encodeCode(const ConnectionCode& code);
CodeDecoded decodeCode(std::string_view text);

// Duet's fingerprint text ("ABCD-EFGH-...": RFC 4648 base32 of 20 bytes, groups of 4) to bytes and back.
std::optional<std::array<std::uint8_t, kFingerprintSize>> fingerprintBytes(std::string_view text);
std::string fingerprintText(const std::array<std::uint8_t, kFingerprintSize>& bytes);

std::string_view describe(EndpointKind kind);

} // namespace duet::nat
