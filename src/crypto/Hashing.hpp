#pragma once
// BLAKE2b-256 (crypto_generichash with a 32-byte output) and hex formatting. Pure, never throws on data.
#include "duet/crypto/Types.hpp"

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

namespace duet::crypto {

// Incremental BLAKE2b-256, for whole-file integrity. One thread at a time; copies share one state.
// finish() ends the hash: calling update() or finish() again throws std::logic_error.
class Hasher {
public:
    Hasher();
    void update(ByteSpan data);
    Hash32 finish();

private:
    struct State;
    std::shared_ptr<State> m_state;
};

// BLAKE2b-256 of the concatenation of `parts` (domain label first, by convention of this library).
Hash32 blake2b256(std::initializer_list<ByteSpan> parts);
// A key for one purpose derived from `key`: BLAKE2b-256(label ‖ key).
Hash32 labelledKey(std::string_view label, const Hash32& key);

// Lower-case hex, two characters per byte.
std::string toHex(ByteSpan bytes);

} // namespace duet::crypto
