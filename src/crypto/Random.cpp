#include "duet/crypto/Random.hpp"

#include "duet/crypto/Internal.hpp"

namespace duet::crypto {

void SystemRandom::fill(std::span<std::uint8_t> out)
{
    if (out.empty()) return; // libsodium declares the buffer non-null
    initialize();
    randombytes_buf(out.data(), out.size());
}

SeededRandom::SeededRandom(std::uint64_t seed)
{
    // The seed's little-endian bytes, zero-padded: this source is for reproducibility, not secrecy.
    for (std::size_t i = 0; i < 8; ++i)
        m_seed[i] = static_cast<std::uint8_t>(seed >> (8 * i));
}

void SeededRandom::fill(std::span<std::uint8_t> out)
{
    initialize();
    if (out.empty()) return; // libsodium declares the buffer non-null; an empty fill does not advance
    // libsodium 1.0.18's randombytes_buf_deterministic has a fixed nonce, so the running counter goes into a
    // per-call subkey instead; otherwise every fill() would repeat the same bytes.
    static_assert(randombytes_SEEDBYTES == 32 && crypto_kdf_KEYBYTES == 32);
    std::array<std::uint8_t, randombytes_SEEDBYTES> callSeed{};
    crypto_kdf_derive_from_key(callSeed.data(), callSeed.size(), m_counter++, "DuetRand", m_seed.data());
    randombytes_buf_deterministic(out.data(), out.size(), callSeed.data());
    detail::wipe(callSeed);
}

} // namespace duet::crypto
