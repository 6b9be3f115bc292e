#pragma once
// Test helpers: beacons and sightings with readable defaults.
#include "duet/discovery/DiscoveryTable.hpp"
#include "duet/wire/Beacon.hpp"

#include <string>

namespace duet::discovery::test {

inline FingerprintHint fingerprintOf(std::uint8_t fill)
{
    FingerprintHint hint{};
    hint.fill(fill);
    return hint;
}

inline wire::Bytes beaconBytes(std::uint64_t instanceId, wire::BeaconKind kind = wire::BeaconKind::Announce,
                               std::uint16_t port = 40000, const std::string& name = "alice",
                               std::uint8_t fingerprintFill = 0xA1)
{
    return wire::encodeBeacon(wire::Beacon{kind, instanceId, port, fingerprintOf(fingerprintFill), name});
}

inline Ipv4Address addr(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d)
{
    return Ipv4Address::fromOctets(a, b, c, d);
}

} // namespace duet::discovery::test
