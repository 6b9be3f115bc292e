// Fuzzes the STUN Binding response decoder: any datagram is answered or refused without reading out of
// bounds; an accepted answer re-encodes (as our own success response) to something that decodes to the
// same mapped endpoint and OTHER-ADDRESS; the request encoder's output (with or without CHANGE-REQUEST) is
// always recognised as STUN.
#include "duet/nat/Stun.hpp"

#include <cstdlib>

using namespace duet::nat;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::span<const std::uint8_t> datagram(data, size);
    const StunDecoded decoded = decodeBindingResponse(datagram);
    if (decoded && !looksLikeStun(datagram)) std::abort();
    if (!decoded) return 0;
    // The RFC 5780 probe form too: the last byte picks the CHANGE-REQUEST flags.
    const auto change = static_cast<std::uint8_t>(data[size - 1] & (kChangeIp | kChangePort));
    const auto request = encodeBindingRequest(decoded.response->transaction, change);
    if (!looksLikeStun(request)) std::abort();
    const StunDecoded again = decodeBindingResponse(
        encodeBindingSuccess(request, decoded.response->mapped, decoded.response->otherAddress));
    if (!again || again.response->mapped != decoded.response->mapped ||
        again.response->transaction != decoded.response->transaction ||
        again.response->otherAddress != decoded.response->otherAddress)
        std::abort();
    return 0;
}
