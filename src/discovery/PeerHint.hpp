#pragma once
// What discovery reports. Everything here was CLAIMED by an unauthenticated beacon: a PeerHint says "a
// datagram from this source address said this"; only the engine's handshake proves who is there. Connect to
// an endpoint's sourceAddress (seen by the kernel) at its claimedEnetPort, never to anything else.
#include "duet/core/Clock.hpp"
#include "duet/discovery/Ipv4Address.hpp"
#include "duet/wire/Beacon.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace duet::discovery {

using FingerprintHint = std::array<std::uint8_t, wire::kFingerprintHintSize>;

// A hint is keyed by both claimed fields, so a forged beacon that reuses a real peer's instance id with
// another fingerprint becomes its own (visibly different) entry instead of rewriting the real one.
struct HintKey {
    std::uint64_t claimedInstanceId = 0;
    FingerprintHint claimedFingerprint{};
    friend bool operator==(const HintKey&, const HintKey&) = default;
};

// One place the hint was heard: the kernel-reported source address and arrival interface.
struct HintEndpoint {
    Ipv4Address sourceAddress;
    std::string interfaceName;
    std::uint16_t claimedEnetPort = 0;
    MonoTime lastSeen{};
};

struct PeerHint {
    HintKey key;
    std::string claimedName;             // from the latest beacon; checked UTF-8 without control characters
    std::vector<HintEndpoint> endpoints; // never empty while the hint is in the table
    MonoTime firstSeen{};
    MonoTime lastSeen{};
};

enum class ChangeKind : std::uint8_t { Found, Updated, Lost };
enum class LostReason : std::uint8_t {
    None,          // for Found and Updated
    Expired,       // no beacon for the expiry time on any endpoint
    Left,          // a Leaving beacon from its last endpoint
    Evicted,       // pushed out of the bounded table by newer hints
    InterfaceGone, // its interfaces went away or were removed from the allow-list
};

struct DiscoveryChange {
    ChangeKind kind = ChangeKind::Found;
    LostReason reason = LostReason::None;
    PeerHint hint; // for Lost, its last state, with the endpoints it was last heard on (never empty)
};

// Monotonic counters for diagnostics and tests. "Dropped" datagrams cost a recv and at most a header check.
struct DiscoveryCounters {
    std::uint64_t datagramsReceived = 0;
    std::uint64_t beaconsAccepted = 0; // valid, foreign, on an allowed interface
    std::uint64_t ownBeacons = 0;      // our own broadcasts and multicasts looping back: expected, ignored
    std::uint64_t droppedMalformed = 0;
    std::uint64_t droppedOversized = 0;
    std::uint64_t droppedInterface = 0; // arrived on an interface that is not active or not allowed
    std::uint64_t droppedUnicast = 0; // addressed to one host: a LAN beacon is always broadcast or multicast
    std::uint64_t droppedLowPort = 0; // claims an ENet port below 1024 (would aim us at a system service)
    std::uint64_t hintsEvicted = 0;
    std::uint64_t queriesReceived = 0;
    std::uint64_t queryAnswersSent = 0; // announces sent early because of queries (rate-limited)
    std::uint64_t announceRounds = 0;   // periodic announces, each to every destination
    std::uint64_t datagramsSent = 0;
    std::uint64_t sendErrors = 0;
    std::uint64_t multicastJoinErrors = 0; // e.g. more interfaces than the kernel's membership limit (20)
    std::uint64_t receiveErrors = 0;
};

} // namespace duet::discovery
