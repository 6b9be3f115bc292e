#include "duet/storage/TransferKey.hpp"

namespace duet::storage {

std::optional<TransferKey> TransferKey::fromBytes(std::span<const std::uint8_t> bytes)
{
    if (bytes.empty() || bytes.size() > kMaxBytes) return std::nullopt;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (const std::uint8_t byte : bytes) {
        hex.push_back(kHex[byte >> 4]);
        hex.push_back(kHex[byte & 0x0F]);
    }
    return TransferKey(std::move(hex));
}

std::optional<TransferKey> TransferKey::fromHex(std::string_view hex)
{
    if (hex.empty() || hex.size() % 2 != 0 || hex.size() > 2 * kMaxBytes) return std::nullopt;
    for (const char c : hex) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
    }
    return TransferKey(std::string(hex));
}

} // namespace duet::storage
