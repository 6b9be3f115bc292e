#pragma once
// Helpers shared by this library's sources. Not part of the API: other libraries must not include it
// (it needs libsodium's headers, which only duet_crypto links).
#include "duet/crypto/Types.hpp"

#include <sodium.h>
#include <string_view>

namespace duet::crypto::detail {

inline ByteSpan asBytes(std::string_view text)
{
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

template <typename T>
void wipe(T& object)
{
    sodium_memzero(&object, sizeof object);
}

} // namespace duet::crypto::detail
