#include "duet/transfer/OfferParts.hpp"

#include <limits>

namespace duet::transfer {

std::optional<std::vector<wire::Offer>> splitOffer(std::uint64_t offerId,
                                                   const std::vector<wire::OfferEntry>& entries)
{
    if (entries.empty() || entries.size() > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
    std::uint64_t totalBytes = 0;
    for (const wire::OfferEntry& e : entries) {
        if (e.size > std::numeric_limits<std::uint64_t>::max() - totalBytes) return std::nullopt;
        totalBytes += e.size;
    }

    std::vector<wire::Offer> parts;
    std::size_t partBytes = 0;
    for (const wire::OfferEntry& e : entries) {
        const std::size_t encoded = kEncodedEntryOverhead + e.path.size();
        if (parts.empty() || parts.back().entries.size() == wire::kMaxEntriesPerPart ||
            (partBytes + encoded > kPartBudgetBytes && !parts.back().entries.empty())) {
            if (parts.size() == wire::kMaxOfferParts) return std::nullopt;
            parts.emplace_back();
            partBytes = 0;
        }
        parts.back().entries.push_back(e);
        partBytes += encoded;
    }
    for (std::size_t i = 0; i < parts.size(); ++i) {
        parts[i].offerId = offerId;
        parts[i].partIndex = static_cast<std::uint32_t>(i);
        parts[i].partCount = static_cast<std::uint32_t>(parts.size());
        parts[i].totalEntries = static_cast<std::uint32_t>(entries.size());
        parts[i].totalBytes = totalBytes;
    }
    return parts;
}

} // namespace duet::transfer
