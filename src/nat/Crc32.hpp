#pragma once
// CRC-32 (IEEE 802.3, reflected, the one STUN's FINGERPRINT and zlib use). Pure; any thread.
#include <cstdint>
#include <span>

namespace duet::nat {

std::uint32_t crc32(std::span<const std::uint8_t> bytes);

} // namespace duet::nat
