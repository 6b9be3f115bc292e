#pragma once
// The stable identity of one incoming transfer on disk: names its folder in the partial area, so it must
// survive a restart (use the protocol's transfer id or offer hash, not a per-session counter).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace duet::storage {

class TransferKey {
public:
    static constexpr std::size_t kMaxBytes = 32;

    // 1..kMaxBytes bytes; nullopt otherwise.
    static std::optional<TransferKey> fromBytes(std::span<const std::uint8_t> bytes);
    // Lower-case hex of 1..kMaxBytes bytes (even length); nullopt for anything else.
    static std::optional<TransferKey> fromHex(std::string_view hex);

    const std::string& hex() const { return m_hex; }
    friend auto operator<=>(const TransferKey&, const TransferKey&) = default;

private:
    explicit TransferKey(std::string hex) : m_hex(std::move(hex)) {}
    std::string m_hex;
};

} // namespace duet::storage
