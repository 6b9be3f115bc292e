// Fuzzes the connection-code decoder: any text is decoded or refused; an accepted code re-encodes to a
// canonical text that decodes to the same code, and holds only usable endpoints.
#include "duet/nat/ConnectionCode.hpp"

#include <cstdlib>
#include <string_view>

using namespace duet::nat;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const CodeDecoded decoded = decodeCode(text);
    if (!decoded) return 0;
    if (decoded.code->endpoints.size() > kMaxCodeEndpoints) std::abort();
    for (const CodeEndpoint& endpoint : decoded.code->endpoints)
        if (endpoint.address.port == 0 || endpoint.address.ip == 0) std::abort();
    const std::string canonical = encodeCode(*decoded.code);
    const CodeDecoded again = decodeCode(canonical);
    if (!again || !(*again.code == *decoded.code) || encodeCode(*again.code) != canonical) std::abort();
    return 0;
}
