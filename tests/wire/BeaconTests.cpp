#include "duet/wire/Beacon.hpp"

#include <doctest/doctest.h>

using namespace duet::wire;

namespace {
Beacon sample()
{
    Beacon b;
    b.kind = BeaconKind::Announce;
    b.instanceId = 0x1122334455667788ull;
    b.port = 55555;
    b.fingerprintHint.fill(0xAB);
    b.displayName = "Zo\xC3\xAB's laptop";
    return b;
}
} // namespace

TEST_CASE("a beacon round-trips and stays small")
{
    const Bytes encoded = encodeBeacon(sample());
    CHECK(encoded.size() <= kMaxBeaconSize);
    auto decoded = decodeBeacon(encoded);
    REQUIRE(decoded.ok());
    CHECK(decoded->instanceId == sample().instanceId);
    CHECK(decoded->port == 55555);
    CHECK(decoded->fingerprintHint == sample().fingerprintHint);
    CHECK(decoded->displayName == sample().displayName);

    Beacon longest = sample();
    longest.displayName = std::string(200, 'n'); // encoder truncates to the cap
    const Bytes big = encodeBeacon(longest);
    CHECK(big.size() <= kMaxBeaconSize);
    CHECK(decodeBeacon(big)->displayName.size() == kMaxDisplayName);
}

TEST_CASE("malformed beacons are dropped")
{
    const Bytes good = encodeBeacon(sample());
    auto mutated = [&](std::size_t at, std::uint8_t value) {
        Bytes b = good;
        b[at] = value;
        return b;
    };
    CHECK(decodeBeacon({}).error() == DecodeError::Truncated);
    CHECK(decodeBeacon(mutated(0, 'X')).error() == DecodeError::BadMagic);
    CHECK(decodeBeacon(mutated(4, 9)).error() == DecodeError::WrongVersion);
    CHECK(decodeBeacon(mutated(5, 3)).error() == DecodeError::UnknownType);
    CHECK(decodeBeacon(ByteSpan(good).first(20)).error() == DecodeError::Truncated);
    CHECK(decodeBeacon(Bytes(kMaxBeaconSize + 1, 'D')).error() == DecodeError::Oversized);

    Bytes trailing = good;
    trailing.push_back(0);
    CHECK(decodeBeacon(trailing).error() == DecodeError::TrailingBytes);

    Beacon zeroPort = sample();
    zeroPort.port = 0;
    CHECK(decodeBeacon(encodeBeacon(zeroPort)).error() == DecodeError::Malformed);
    Beacon escape = sample();
    escape.displayName = "evil\x1b[2Jname";
    CHECK(decodeBeacon(encodeBeacon(escape)).error() == DecodeError::Malformed);
    Beacon badUtf8 = sample();
    badUtf8.displayName = "bad\xFF";
    CHECK(decodeBeacon(encodeBeacon(badUtf8)).error() == DecodeError::InvalidUtf8);
}
