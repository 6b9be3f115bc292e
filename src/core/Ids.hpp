#pragma once
// Strong ids: the only handles that cross thread boundaries. Never a pointer into the net layer.
#include <compare>
#include <cstdint>
#include <functional>

namespace duet {

template <typename Tag>
struct Id {
    std::uint64_t value = 0;
    explicit operator bool() const { return value != 0; }
    friend auto operator<=>(const Id&, const Id&) = default;
};

using PeerId = Id<struct PeerTag>;
using TransferId = Id<struct TransferTag>;

inline constexpr std::uint16_t kDefaultPort = 55555;

} // namespace duet

template <typename Tag>
struct std::hash<duet::Id<Tag>> {
    std::size_t operator()(const duet::Id<Tag>& id) const noexcept
    {
        return std::hash<std::uint64_t>{}(id.value);
    }
};
