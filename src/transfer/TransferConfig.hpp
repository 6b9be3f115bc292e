#pragma once
// Tunables and caps of one peer's transfers. The defaults are the product's; tests shrink them.
#include "duet/core/Clock.hpp"
#include "duet/wire/TransferMessages.hpp"

#include <cstddef>
#include <cstdint>

namespace duet::transfer {

// The receiver acknowledges every kAckEveryChunks chunks (1 MiB) and the last chunk of a file. A sender
// window must hold at least that many chunks or both sides would wait for each other.
inline constexpr std::uint64_t kAckEveryChunks = 4;
inline constexpr std::uint64_t kMinWindowBytes = kAckEveryChunks * wire::kChunkSize;

struct TransferConfig {
    // Sender: chunk bytes sent but not yet acknowledged, over all offers to this peer. Raised to
    // kMinWindowBytes if set lower. Also the most chunk data the sender holds at once.
    std::uint64_t windowBytes = 8u << 20;
    // Receiver: files requested at once, in offer order. 1 is strictly one file at a time; more hides
    // one round trip per small file. Chunks of one file still arrive in order, files still one by one.
    // Files whose data is complete but whose FileDone has not come yet count separately, up to as many
    // again, so at most 2 x filesRequestedAhead partials are open. 32: with 8, a folder of small files
    // waited on round trips (3,000 files of 1-16 KiB: 33 s, against 20 s with 32).
    std::size_t filesRequestedAhead = 32;
    // Receiver: free space that must remain after all accepted bytes are written.
    std::uint64_t freeSpaceReserve = 256u << 20;
    // Receiver caps against floods: incoming offers being assembled or waiting for the user (per peer),
    // and accepted incoming offers still running.
    std::size_t maxPendingOffers = 1;
    std::size_t maxActiveIncomingOffers = 8;
    // Receiver caps on one offer.
    std::size_t maxOfferEntries = wire::kMaxOfferEntries;
    std::uint64_t maxOfferBytes = std::uint64_t{1} << 44; // 16 TiB
    std::size_t maxOfferPathBytes = 16u << 20;
    // Receiver: an offer whose parts have not all arrived by then is rejected.
    Millis assemblyTimeout{30'000};
    // Progress: speed is averaged over this much time.
    Millis speedWindow{5'000};
};

} // namespace duet::transfer
