#pragma once
// Sender side: cuts an offer's entries into wire parts that each fit one record: at most
// kMaxEntriesPerPart entries and about kPartBudgetBytes of encoded entries, in entry order, every part
// carrying the same totals. Pure.
#include "duet/wire/TransferMessages.hpp"

#include <optional>
#include <vector>

namespace duet::transfer {

// Well below the 1 MiB record cap, leaving room for the part header and record overhead.
inline constexpr std::size_t kPartBudgetBytes = 512u * 1024u;
// Encoded size of one entry on the wire: fileId, kind, size, mtime, u16 path length, path.
inline constexpr std::size_t kEncodedEntryOverhead = 8 + 1 + 8 + 8 + 2;

// The parts, or nothing when the entries would need more than kMaxOfferParts parts, are empty, or
// their sizes overflow 64 bits.
std::optional<std::vector<wire::Offer>> splitOffer(std::uint64_t offerId,
                                                   const std::vector<wire::OfferEntry>& entries);

} // namespace duet::transfer
