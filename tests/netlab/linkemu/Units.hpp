#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

// Parsers for the human-friendly quantities on duet-linkemu's command line. Each returns nullopt on any
// malformed or out-of-range text; none throws. Pure functions, safe from any thread.
namespace duet::netlab {

inline constexpr std::int64_t kNanosPerSecond = 1'000'000'000;

// "20mbit", "1gbit", "500k", "1.5M", "64000" -> bits per second (decimal prefixes).
std::optional<std::uint64_t> parseRate(std::string_view text);

// "250us", "5ms", "2s", "1.5s", "100ns" -> nanoseconds. A unit is required.
std::optional<std::int64_t> parseDuration(std::string_view text);

// "64k", "64KiB", "1m", "1500" -> bytes (binary prefixes).
std::optional<std::uint64_t> parseBytes(std::string_view text);

// "2%", "0.02" -> probability in [0, 1].
std::optional<double> parseProbability(std::string_view text);

} // namespace duet::netlab
