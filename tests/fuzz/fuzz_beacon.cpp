// Fuzzes the LAN beacon decoder: any datagram yields a beacon or an error; accepted beacons re-encode
// to the same bytes and carry no control characters.
#include "duet/wire/Beacon.hpp"

#include <cstdlib>

using namespace duet::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const ByteSpan datagram(data, size);
    const auto beacon = decodeBeacon(datagram);
    if (!beacon.ok()) return 0;
    if (encodeBeacon(beacon.value()) != Bytes(datagram.begin(), datagram.end())) std::abort();
    for (char c : beacon->displayName)
        if (static_cast<unsigned char>(c) < 0x20) std::abort();
    return 0;
}
