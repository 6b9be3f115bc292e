#pragma once
// A peer whose identity key this profile has seen, as stored in known_peers. Plain value.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace duet::profile {

using PublicKey = std::array<std::uint8_t, 32>; // opaque here; duet::crypto gives it meaning

struct KnownPeer {
    std::string fingerprint; // opaque, derived from publicKey by duet::crypto; the primary key
    PublicKey publicKey{};
    std::string displayName;      // as the peer last announced it
    std::string lastAddress;      // "ip:port" it last connected from or to
    std::int64_t firstSeenMs = 0; // Unix epoch milliseconds
    std::int64_t lastSeenMs = 0;
    bool verified = false; // the user confirmed the verification code: the key is pinned

    friend bool operator==(const KnownPeer&, const KnownPeer&) = default;
};

// The host part of an address: "10.0.0.2:55555" -> "10.0.0.2", "[fe80::1]:55555" -> "fe80::1". An
// address without a port ("10.0.0.2", or a bare IPv6 "fe80::1") is its own host.
std::string_view addressHost(std::string_view address);

} // namespace duet::profile
