#pragma once
// The checksum kept beside each chunk of a partial file, so a restart trusts only chunks whose bytes on
// disk are still the ones written (a crash can leave a torn or unwritten tail). It guards against the
// disk, not an attacker: the whole-file BLAKE2b still decides before any file is named. XXH3-128, about
// forty times cheaper per byte than BLAKE2b here. Pure function, any thread.
#include <array>
#include <cstdint>
#include <span>

namespace duet::storage {

inline constexpr std::size_t kPartialChecksumBytes = 16;
using PartialChecksum = std::array<std::uint8_t, kPartialChecksumBytes>;

// Canonical (big-endian) XXH3-128 of `bytes`, seed 0: the same on every machine.
PartialChecksum partialChecksum(std::span<const std::uint8_t> bytes);

} // namespace duet::storage
