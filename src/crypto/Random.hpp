#pragma once
// Sources of randomness, injectable so the handshake can run deterministically in tests.
// Thread: one object per thread at a time.
#include "duet/crypto/Types.hpp"

#include <span>

namespace duet::crypto {

class Random {
public:
    virtual ~Random() = default;
    virtual void fill(std::span<std::uint8_t> out) = 0;
};

// The operating system's CSPRNG through libsodium. The only source to use outside tests.
class SystemRandom final : public Random {
public:
    void fill(std::span<std::uint8_t> out) override;
};

// Reproducible stream for tests and fuzzing, NOT secret: the u64 seed is expanded to a 32-byte key, and each
// fill() draws randombytes_buf_deterministic output under a per-call subkey derived from a running counter,
// so successive calls differ while the whole sequence depends only on the seed.
class SeededRandom final : public Random {
public:
    explicit SeededRandom(std::uint64_t seed);
    void fill(std::span<std::uint8_t> out) override;

private:
    std::array<std::uint8_t, 32> m_seed{};
    std::uint64_t m_counter = 0;
};

} // namespace duet::crypto
