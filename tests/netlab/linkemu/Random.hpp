#pragma once

#include <cstdint>

// Small seeded generator for the emulator's decisions. SplitMix64 is tiny, fast and statistically good
// enough for impairment draws; its output is fully defined here, so a seed reproduces on any compiler
// (unlike std:: distributions). Not thread-safe: one instance per stream, owned by one thread.
namespace duet::netlab {

class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed) : m_state(seed) {}

    std::uint64_t next()
    {
        m_state += 0x9E3779B97F4A7C15ULL;
        std::uint64_t z = m_state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }

    // Uniform in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

    bool chance(double probability) { return uniform() < probability; }

private:
    std::uint64_t m_state;
};

// Independent seed for stream `stream` of direction `direction`, so that e.g. the loss pattern of a
// direction does not change when duplication is switched on or when the other direction sees traffic.
inline std::uint64_t deriveSeed(std::uint64_t seed, std::uint64_t direction, std::uint64_t stream)
{
    SplitMix64 mixer(seed ^ (direction * 0x100000001B3ULL) ^ (stream << 32));
    mixer.next();
    return mixer.next();
}

} // namespace duet::netlab
