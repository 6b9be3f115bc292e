#include "duet/crypto/Internal.hpp"

namespace duet::crypto {

bool initialize()
{
    // A function-local static makes the first call thread-safe and lets every entry point call this cheaply.
    static const bool ready = sodium_init() >= 0;
    return ready;
}

} // namespace duet::crypto
