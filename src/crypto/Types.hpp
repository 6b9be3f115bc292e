#pragma once
// Vocabulary shared by the crypto headers, and the one-time libsodium initialisation.
#include "duet/wire/Messages.hpp"

#include <array>
#include <cstdint>

namespace duet::crypto {

using wire::Bytes;
using wire::ByteSpan;
using wire::Key32;
using Signature = std::array<std::uint8_t, 64>;
using Hash32 = std::array<std::uint8_t, 32>;
using NoncePrefix = std::array<std::uint8_t, 16>;

// Calls sodium_init once (thread-safe; later calls return the first result). Returns false if libsodium
// cannot be used, and then the engine refuses to start. Every other function here also calls it.
bool initialize();

} // namespace duet::crypto
