#include "duet/storage/PartialChecksum.hpp"

#include <cstring>
#include <xxhash.h>

namespace duet::storage {

PartialChecksum partialChecksum(std::span<const std::uint8_t> bytes)
{
    XXH128_canonical_t canonical;
    XXH128_canonicalFromHash(&canonical, XXH3_128bits(bytes.data(), bytes.size()));
    PartialChecksum out;
    static_assert(sizeof canonical.digest == kPartialChecksumBytes);
    std::memcpy(out.data(), canonical.digest, out.size());
    return out;
}

} // namespace duet::storage
