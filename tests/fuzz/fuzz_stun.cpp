// Fuzzes the STUN Binding response decoder: any datagram is answered or refused without reading out of
// bounds; an accepted answer re-encodes (as our own success response) to something that decodes to the
// same mapped endpoint; the request encoder's output is always recognised as STUN.
#include "duet/nat/Stun.hpp"

#include <cstdlib>

using namespace duet::nat;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::span<const std::uint8_t> datagram(data, size);
    const StunDecoded decoded = decodeBindingResponse(datagram);
    if (decoded && !looksLikeStun(datagram)) std::abort();
    if (!decoded) return 0;
    const auto request = encodeBindingRequest(decoded.response->transaction);
    if (!looksLikeStun(request)) std::abort();
    const StunDecoded again = decodeBindingResponse(encodeBindingSuccess(request, decoded.response->mapped));
    if (!again || again.response->mapped != decoded.response->mapped ||
        again.response->transaction != decoded.response->transaction)
        std::abort();
    return 0;
}
