#include "PacketEdit.hpp"

namespace duet::netlab {
namespace {

std::uint16_t load16(const std::uint8_t* p)
{
    return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}

void store16(std::uint8_t* p, std::uint16_t value)
{
    p[0] = static_cast<std::uint8_t>(value >> 8);
    p[1] = static_cast<std::uint8_t>(value & 0xFF);
}

void describeTransport(const std::uint8_t* packet, TransportView& view)
{
    const std::size_t available = view.end - view.transportOffset;
    const std::uint8_t* l4 = packet + view.transportOffset;
    view.payloadOffset = view.transportOffset;
    if (view.laterFragment) return;
    if (view.protocol == kProtoUdp && available >= 8) {
        view.payloadOffset += 8;
        view.checksumOffset = view.transportOffset + 6;
    } else if (view.protocol == kProtoTcp && available >= 20) {
        const std::size_t headerBytes = static_cast<std::size_t>(l4[12] >> 4) * 4;
        if (headerBytes >= 20 && headerBytes <= available) {
            view.payloadOffset += headerBytes;
            view.checksumOffset = view.transportOffset + 16;
        }
    } else if ((view.protocol == kProtoIcmp || view.protocol == kProtoIcmpV6) && available >= 8) {
        view.payloadOffset += 8;
        view.checksumOffset = view.transportOffset + 2;
    }
}

} // namespace

std::optional<TransportView> parseTransport(const std::uint8_t* packet, std::size_t length)
{
    if (length < 1) return std::nullopt;
    TransportView view;
    const int version = packet[0] >> 4;
    if (version == 4) {
        if (length < 20) return std::nullopt;
        const std::size_t headerBytes = static_cast<std::size_t>(packet[0] & 0x0F) * 4;
        const std::size_t total = load16(packet + 2);
        if (headerBytes < 20 || total < headerBytes || total > length) return std::nullopt;
        view.protocol = packet[9];
        view.transportOffset = headerBytes;
        view.end = total;
        view.laterFragment = (load16(packet + 6) & 0x1FFF) != 0;
    } else if (version == 6) {
        if (length < 40) return std::nullopt;
        const std::size_t total = 40 + static_cast<std::size_t>(load16(packet + 4));
        if (total > length) return std::nullopt;
        // Extension headers are not walked: their next-header values are simply not TCP/UDP/ICMPv6.
        view.protocol = packet[6];
        view.transportOffset = 40;
        view.end = total;
    } else {
        return std::nullopt;
    }
    describeTransport(packet, view);
    return view;
}

std::uint16_t onesComplementSum(const std::uint8_t* data, std::size_t length, std::uint32_t initial)
{
    std::uint64_t sum = initial;
    std::size_t i = 0;
    for (; i + 1 < length; i += 2)
        sum += load16(data + i);
    if (i < length) sum += static_cast<std::uint32_t>(data[i]) << 8;
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(sum);
}

std::uint16_t adjustChecksum(std::uint16_t checksum, std::uint16_t oldWord, std::uint16_t newWord)
{
    std::uint32_t sum = static_cast<std::uint16_t>(~checksum);
    sum += static_cast<std::uint16_t>(~oldWord);
    sum += newWord;
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

bool corruptPayload(std::uint8_t* packet, std::size_t length, std::uint64_t draw, bool fixChecksum)
{
    auto view = parseTransport(packet, length);
    if (!view || view->payloadOffset >= view->end) return false;
    const std::size_t payloadBytes = view->end - view->payloadOffset;
    const std::size_t index = view->payloadOffset + static_cast<std::size_t>(draw % payloadBytes);
    const auto mask = static_cast<std::uint8_t>(((draw >> 32) & 0xFF) | 0x01); // never zero: always a change

    // The checksum covers 16-bit words counted from the transport header (the pseudo header is even).
    const std::size_t wordOffset = index - ((index - view->transportOffset) % 2);
    const bool wholeWord = wordOffset + 1 < view->end;
    const std::uint16_t before =
        wholeWord ? load16(packet + wordOffset) : static_cast<std::uint16_t>(packet[wordOffset] << 8);
    packet[index] ^= mask;
    const std::uint16_t after =
        wholeWord ? load16(packet + wordOffset) : static_cast<std::uint16_t>(packet[wordOffset] << 8);

    if (fixChecksum && view->checksumOffset != 0) {
        const std::uint16_t stored = load16(packet + view->checksumOffset);
        const bool udpWithoutChecksum = view->protocol == kProtoUdp && stored == 0 && packet[0] >> 4 == 4;
        if (!udpWithoutChecksum) {
            std::uint16_t updated = adjustChecksum(stored, before, after);
            if (view->protocol == kProtoUdp && updated == 0)
                updated = 0xFFFF; // 0 means "no checksum" for UDP
            store16(packet + view->checksumOffset, updated);
        }
    }
    return true;
}

std::optional<std::uint16_t> udpPort(const std::uint8_t* packet, std::size_t length, bool source)
{
    auto view = parseTransport(packet, length);
    if (!view || view->protocol != kProtoUdp || view->checksumOffset == 0) return std::nullopt;
    return load16(packet + view->transportOffset + (source ? 0 : 2));
}

bool rewriteUdpPort(std::uint8_t* packet, std::size_t length, bool source, std::uint16_t newPort)
{
    auto view = parseTransport(packet, length);
    if (!view || view->protocol != kProtoUdp || view->checksumOffset == 0) return false;
    std::uint8_t* port = packet + view->transportOffset + (source ? 0 : 2);
    const std::uint16_t oldPort = load16(port);
    store16(port, newPort);
    // Ports are not in the IP header, so only the UDP checksum (which covers them) changes.
    const std::uint16_t stored = load16(packet + view->checksumOffset);
    const bool udpWithoutChecksum = stored == 0 && packet[0] >> 4 == 4;
    if (!udpWithoutChecksum) {
        std::uint16_t updated = adjustChecksum(stored, oldPort, newPort);
        if (updated == 0) updated = 0xFFFF;
        store16(packet + view->checksumOffset, updated);
    }
    return true;
}

} // namespace duet::netlab
