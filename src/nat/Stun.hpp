#pragma once
// STUN Binding (RFC 5389 / RFC 8489) for learning the public address of a UDP socket: the request encoder
// and a strict decoder for the answer. Pure code: no sockets, no allocation beyond the returned values.
// Thread: any. Errors: decoders never throw and never read outside the given bytes; refusals are values.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace duet::nat {

inline constexpr std::uint32_t kStunMagicCookie = 0x2112A442;
inline constexpr std::size_t kStunHeaderSize = 20;
// A Binding response worth reading is a few dozen bytes; anything larger than one MTU is refused.
inline constexpr std::size_t kMaxStunMessage = 1500;

using StunTransactionId = std::array<std::uint8_t, 12>;

// An IPv4 endpoint; `ip` in host byte order (10.0.0.1 is 0x0A000001).
struct Ipv4Endpoint {
    std::uint32_t ip = 0;
    std::uint16_t port = 0;
    friend bool operator==(const Ipv4Endpoint&, const Ipv4Endpoint&) = default;
};

enum class StunError : std::uint8_t {
    NotStun,        // header bits, cookie or length say this is not a STUN message
    Truncated,      // an attribute runs past the end of the message
    NotBinding,     // a STUN message, but not a Binding success or error response
    ErrorResponse,  // the server answered with a Binding error response
    NoAddress,      // a success response without a usable IPv4 (XOR-)MAPPED-ADDRESS
    BadFingerprint, // FINGERPRINT present but wrong, or not the last attribute
    Malformed,      // an address attribute with a bad length or family
};

std::string_view describe(StunError error);

struct StunBindingResponse {
    StunTransactionId transaction{};
    Ipv4Endpoint mapped;  // XOR-MAPPED-ADDRESS when present, else MAPPED-ADDRESS
    bool fromXor = false; // which of the two it came from
    // RFC 5780 OTHER-ADDRESS (or RFC 3489 CHANGED-ADDRESS): the server's second address, present only
    // when it can answer CHANGE-REQUEST from there.
    std::optional<Ipv4Endpoint> otherAddress;
};

// RFC 5780 CHANGE-REQUEST flags: answer from the server's other IP address and/or its other port.
inline constexpr std::uint8_t kChangeIp = 0x04;
inline constexpr std::uint8_t kChangePort = 0x02;

// A decoded answer or the reason it was refused.
struct StunDecoded {
    std::optional<StunBindingResponse> response;
    StunError error = StunError::NotStun;
    explicit operator bool() const { return response.has_value(); }
};

// A Binding request with the given transaction id and a FINGERPRINT attribute (28 bytes); with non-zero
// `changeFlags` (kChangeIp | kChangePort) also a CHANGE-REQUEST attribute (36 bytes).
std::vector<std::uint8_t> encodeBindingRequest(const StunTransactionId& transaction,
                                               std::uint8_t changeFlags = 0);

// Cheap test used by a socket demultiplexer: first two bits zero, magic cookie, length a multiple of 4
// that matches the datagram exactly.
bool looksLikeStun(std::span<const std::uint8_t> datagram);

// Decodes a Binding success response (error responses are reported as ErrorResponse). Unknown attributes
// are skipped; a FINGERPRINT, when present, must be last and correct.
StunDecoded decodeBindingResponse(std::span<const std::uint8_t> datagram);

// Server side, for tests and a minimal local responder: a Binding success response to `request` that
// reports `mapped` in XOR-MAPPED-ADDRESS (and `other` in OTHER-ADDRESS when given). Empty when `request`
// is not a well-formed Binding request.
std::vector<std::uint8_t> encodeBindingSuccess(std::span<const std::uint8_t> request, Ipv4Endpoint mapped,
                                               std::optional<Ipv4Endpoint> other = std::nullopt);

// "a.b.c.d:port"
std::string formatEndpoint(Ipv4Endpoint endpoint);
// Parses "a.b.c.d:port" (port 1..65535); nullopt otherwise.
std::optional<Ipv4Endpoint> parseEndpoint(std::string_view text);

} // namespace duet::nat
