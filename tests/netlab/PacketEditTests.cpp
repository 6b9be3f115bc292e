// Unit tests of packet corruption, UDP port rewriting and NAT rebinding on hand-built IP packets.
#include "linkemu/NatRebinder.hpp"
#include "linkemu/PacketEdit.hpp"

#include <cstdint>
#include <doctest/doctest.h>
#include <vector>

using namespace duet::netlab;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

using Bytes = std::vector<std::uint8_t>;

void put16(Bytes& packet, std::size_t offset, std::uint16_t value)
{
    packet[offset] = static_cast<std::uint8_t>(value >> 8);
    packet[offset + 1] = static_cast<std::uint8_t>(value & 0xFF);
}

std::uint16_t get16(const Bytes& packet, std::size_t offset)
{
    return static_cast<std::uint16_t>(packet[offset] << 8 | packet[offset + 1]);
}

// Sum of the pseudo header (IPv4 or IPv6) for a transport segment of `length` bytes.
std::uint32_t pseudoHeaderSum(const Bytes& packet, std::uint8_t protocol, std::size_t length)
{
    const bool v6 = packet[0] >> 4 == 6;
    const std::size_t addressOffset = v6 ? 8 : 12;
    const std::size_t addressBytes = v6 ? 32 : 8;
    std::uint32_t sum = onesComplementSum(packet.data() + addressOffset, addressBytes);
    if (protocol != kProtoIcmp) sum += protocol + static_cast<std::uint32_t>(length);
    return sum;
}

bool transportChecksumValid(const Bytes& packet)
{
    const auto view = parseTransport(packet.data(), packet.size());
    REQUIRE(view);
    const std::size_t length = view->end - view->transportOffset;
    const std::uint32_t initial =
        view->protocol == kProtoIcmp ? 0 : pseudoHeaderSum(packet, view->protocol, length);
    return onesComplementSum(packet.data() + view->transportOffset, length, initial) == 0xFFFF;
}

// IPv4 (or IPv6) packet with a transport header for `protocol` and a payload of `payloadBytes`.
Bytes buildPacket(std::uint8_t protocol, std::size_t payloadBytes, bool v6 = false,
                  std::uint16_t sourcePort = 40000, std::uint16_t destinationPort = 5201)
{
    const std::size_t ipBytes = v6 ? 40 : 20;
    const std::size_t l4Bytes = protocol == kProtoTcp ? 20 : 8;
    Bytes packet(ipBytes + l4Bytes + payloadBytes, 0);
    if (v6) {
        packet[0] = 0x60;
        put16(packet, 4, static_cast<std::uint16_t>(l4Bytes + payloadBytes));
        packet[6] = protocol;
        packet[7] = 64;
        packet[8 + 15] = 1;  // source ::1-like
        packet[24 + 15] = 2; // destination
    } else {
        packet[0] = 0x45;
        put16(packet, 2, static_cast<std::uint16_t>(packet.size()));
        packet[8] = 64;
        packet[9] = protocol;
        const std::uint8_t source[] = {10, 88, 7, 1}, destination[] = {10, 88, 7, 2};
        for (int i = 0; i < 4; ++i) {
            packet[12 + i] = source[i];
            packet[16 + i] = destination[i];
        }
        put16(packet, 10, static_cast<std::uint16_t>(~onesComplementSum(packet.data(), 20)));
    }
    for (std::size_t i = 0; i < payloadBytes; ++i)
        packet[ipBytes + l4Bytes + i] = static_cast<std::uint8_t>(i * 7 + 3);
    std::size_t checksumAt = 0;
    if (protocol == kProtoUdp) {
        put16(packet, ipBytes, sourcePort);
        put16(packet, ipBytes + 2, destinationPort);
        put16(packet, ipBytes + 4, static_cast<std::uint16_t>(l4Bytes + payloadBytes));
        checksumAt = ipBytes + 6;
    } else if (protocol == kProtoTcp) {
        put16(packet, ipBytes, sourcePort);
        put16(packet, ipBytes + 2, destinationPort);
        packet[ipBytes + 12] = 5 << 4;
        checksumAt = ipBytes + 16;
    } else {
        packet[ipBytes] = 8; // ICMP echo request
        checksumAt = ipBytes + 2;
    }
    const std::size_t length = packet.size() - ipBytes;
    const std::uint32_t initial = protocol == kProtoIcmp ? 0 : pseudoHeaderSum(packet, protocol, length);
    std::uint16_t checksum =
        static_cast<std::uint16_t>(~onesComplementSum(packet.data() + ipBytes, length, initial));
    if (protocol == kProtoUdp && checksum == 0) checksum = 0xFFFF;
    put16(packet, checksumAt, checksum);
    return packet;
}

int differingBytes(const Bytes& a, const Bytes& b)
{
    int count = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        count += a[i] != b[i];
    return count;
}

} // namespace

TEST_CASE("packet builder produces valid checksums (sanity of the test helper)")
{
    for (std::uint8_t protocol : {kProtoUdp, kProtoTcp, kProtoIcmp})
        CHECK(transportChecksumValid(buildPacket(protocol, 33)));
    CHECK(transportChecksumValid(buildPacket(kProtoUdp, 100, true)));
}

TEST_CASE("corruption with checksum fix: one payload byte changes and the checksum still verifies")
{
    for (std::uint8_t protocol : {kProtoUdp, kProtoTcp, kProtoIcmp}) {
        for (std::size_t payload : {1u, 2u, 33u, 1200u}) {
            for (std::uint64_t draw = 0; draw < 64; ++draw) {
                const Bytes original = buildPacket(protocol, payload);
                Bytes packet = original;
                const std::uint64_t mixed = draw * 0x9E3779B97F4A7C15ULL;
                REQUIRE(corruptPayload(packet.data(), packet.size(), mixed, true));
                const auto view = parseTransport(packet.data(), packet.size());
                // Exactly one payload byte and the checksum differ; the IP header is untouched.
                int payloadChanges = 0;
                for (std::size_t i = view->payloadOffset; i < packet.size(); ++i)
                    payloadChanges += packet[i] != original[i];
                CHECK(payloadChanges == 1);
                CHECK(std::equal(packet.begin(), packet.begin() + 20, original.begin()));
                CHECK(differingBytes(packet, original) <= 3);
                CHECK(transportChecksumValid(packet));
            }
        }
    }
    Bytes v6 = buildPacket(kProtoUdp, 77, true);
    REQUIRE(corruptPayload(v6.data(), v6.size(), 12345, true));
    CHECK(transportChecksumValid(v6));
}

TEST_CASE("corruption in wire mode breaks the checksum, nothing to corrupt is reported")
{
    Bytes packet = buildPacket(kProtoUdp, 50);
    REQUIRE(corruptPayload(packet.data(), packet.size(), 77, false));
    CHECK_FALSE(transportChecksumValid(packet));

    Bytes emptyTcp = buildPacket(kProtoTcp, 0); // a pure ACK has no payload
    const Bytes before = emptyTcp;
    CHECK_FALSE(corruptPayload(emptyTcp.data(), emptyTcp.size(), 77, true));
    CHECK(emptyTcp == before);

    Bytes truncated = buildPacket(kProtoUdp, 50);
    truncated.resize(30); // IPv4 total length now exceeds the buffer
    CHECK_FALSE(corruptPayload(truncated.data(), truncated.size(), 1, true));
    Bytes garbage(60, 0xAB);
    CHECK_FALSE(corruptPayload(garbage.data(), garbage.size(), 1, true));
}

TEST_CASE("UDP without checksum (IPv4 zero) stays without checksum")
{
    Bytes packet = buildPacket(kProtoUdp, 20);
    put16(packet, 26, 0);
    REQUIRE(corruptPayload(packet.data(), packet.size(), 3, true));
    CHECK(get16(packet, 26) == 0);
    REQUIRE(rewriteUdpPort(packet.data(), packet.size(), true, 1234));
    CHECK(get16(packet, 26) == 0);
    CHECK(get16(packet, 20) == 1234);
}

TEST_CASE("UDP port rewrite keeps the checksum valid")
{
    for (std::uint16_t port : {1, 80, 20000, 54321, 65535}) {
        Bytes packet = buildPacket(kProtoUdp, 41);
        REQUIRE(rewriteUdpPort(packet.data(), packet.size(), true, port));
        CHECK(udpPort(packet.data(), packet.size(), true) == port);
        CHECK(transportChecksumValid(packet));
        REQUIRE(rewriteUdpPort(packet.data(), packet.size(), false, port));
        CHECK(udpPort(packet.data(), packet.size(), false) == port);
        CHECK(transportChecksumValid(packet));
    }
    Bytes tcp = buildPacket(kProtoTcp, 10);
    CHECK_FALSE(rewriteUdpPort(tcp.data(), tcp.size(), true, 1));
}

TEST_CASE("NAT rebinding: new source port per epoch, replies mapped back, stale ports dropped")
{
    NatRebindConfig config;
    config.firstNs = 1 * kSecond;
    config.periodNs = 5 * kSecond;
    NatRebinder nat(config, 9);

    // Epoch 0: identity mapping.
    Bytes out0 = buildPacket(kProtoUdp, 16, false, 40000, 7000);
    CHECK(nat.translateOutbound(out0.data(), out0.size(), 0) == NatVerdict::Untouched);
    Bytes reply0 = buildPacket(kProtoUdp, 16, false, 7000, 40000);
    CHECK(nat.translateInbound(reply0.data(), reply0.size(), kSecond / 2) == NatVerdict::Untouched);

    // Epoch 1: a fresh external port, valid checksum, and the reply is mapped back to 40000.
    Bytes out1 = buildPacket(kProtoUdp, 16, false, 40000, 7000);
    CHECK(nat.translateOutbound(out1.data(), out1.size(), 2 * kSecond) == NatVerdict::Rewritten);
    const std::uint16_t external1 = *udpPort(out1.data(), out1.size(), true);
    CHECK(external1 != 40000);
    CHECK(transportChecksumValid(out1));
    Bytes reply1 = buildPacket(kProtoUdp, 16, false, 7000, external1);
    CHECK(nat.translateInbound(reply1.data(), reply1.size(), 2 * kSecond) == NatVerdict::Rewritten);
    CHECK(udpPort(reply1.data(), reply1.size(), false) == 40000);
    CHECK(transportChecksumValid(reply1));
    // The server still answering the old port: that mapping is gone.
    Bytes stale = buildPacket(kProtoUdp, 16, false, 7000, 40000);
    CHECK(nat.translateInbound(stale.data(), stale.size(), 2 * kSecond) == NatVerdict::DropStale);

    // Epoch 2 (at 6 s): yet another port; the epoch-1 port is stale now.
    Bytes out2 = buildPacket(kProtoUdp, 16, false, 40000, 7000);
    CHECK(nat.translateOutbound(out2.data(), out2.size(), 6 * kSecond) == NatVerdict::Rewritten);
    const std::uint16_t external2 = *udpPort(out2.data(), out2.size(), true);
    CHECK(external2 != external1);
    Bytes staleAgain = buildPacket(kProtoUdp, 16, false, 7000, external1);
    CHECK(nat.translateInbound(staleAgain.data(), staleAgain.size(), 6 * kSecond) == NatVerdict::DropStale);

    // Non-UDP traffic is never touched.
    Bytes tcp = buildPacket(kProtoTcp, 16);
    CHECK(nat.translateOutbound(tcp.data(), tcp.size(), 6 * kSecond) == NatVerdict::Untouched);
}

TEST_CASE("NAT rebinding is reproducible for a seed")
{
    NatRebindConfig config;
    config.timesNs = {kSecond};
    auto externalFor = [&](std::uint64_t seed) {
        NatRebinder nat(config, seed);
        Bytes packet = buildPacket(kProtoUdp, 8, false, 41000, 7000);
        nat.translateOutbound(packet.data(), packet.size(), 2 * kSecond);
        return *udpPort(packet.data(), packet.size(), true);
    };
    CHECK(externalFor(3) == externalFor(3));
    CHECK(externalFor(3) != externalFor(4));
}
