#pragma once
// The bulk stream's framing (PROTOCOL.md §11.2): each message is a u32 LE length, 1 .. kMaxBulkMessage,
// followed by that many bytes. Shared by BulkSender and BulkReceiver.
#include <cstddef>

namespace duet::flow {

// Largest message the stream carries: one Duet frame (a 1 MiB chunk plus its headers).
inline constexpr std::size_t kMaxBulkMessage = (1u << 20) + 256 + 8;
inline constexpr std::size_t kMessagePrefixSize = 4;

} // namespace duet::flow
