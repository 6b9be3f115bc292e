#pragma once
// Receiver side: collects the parts of one incoming offer and checks them against each other and the
// caps before anything else sees the entries. Refuses totals that disagree between parts, a part twice,
// more entries than declared, zero or duplicate file ids, sizes that do not add up to the declared total
// (overflow-checked), directories with a size, and offers over the entry, byte or path-byte caps.
// Memory is bounded by those caps. Pure; single thread.
#include "duet/core/Clock.hpp"
#include "duet/wire/TransferMessages.hpp"

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

namespace duet::transfer {

struct OfferLimits {
    std::size_t maxEntries = wire::kMaxOfferEntries;
    std::uint64_t maxBytes = std::uint64_t{1} << 44;
    std::size_t maxPathBytes = 16u << 20;
};

class OfferAssembler {
public:
    enum class Status { Incomplete, Complete, Rejected };

    OfferAssembler(std::uint64_t offerId, OfferLimits limits, MonoTime startedAt);

    // Adds one part. After Rejected or Complete further parts are refused.
    Status add(const wire::Offer& part);
    Status status() const { return m_status; }
    // Why the offer was refused (readable; no peer-chosen text in it).
    const std::string& reason() const { return m_reason; }

    std::uint64_t offerId() const { return m_offerId; }
    std::uint64_t totalBytes() const { return m_totalBytes; }
    MonoTime startedAt() const { return m_startedAt; }
    // The entries in offer order (part order, then order within each part). Only when Complete.
    std::vector<wire::OfferEntry> takeEntries();

private:
    Status reject(std::string reason);
    Status checkHeader(const wire::Offer& part);
    Status addEntries(const wire::Offer& part);

    std::uint64_t m_offerId;
    OfferLimits m_limits;
    MonoTime m_startedAt;
    Status m_status = Status::Incomplete;
    std::string m_reason;

    bool m_haveHeader = false;
    std::uint32_t m_partCount = 0;
    std::uint32_t m_totalEntries = 0;
    std::uint64_t m_totalBytes = 0;
    std::uint64_t m_partsSeen = 0; // bit i: part i arrived (kMaxOfferParts is 64)
    std::size_t m_entryCount = 0;
    std::uint64_t m_sizeSum = 0;
    std::size_t m_pathBytes = 0;
    std::unordered_set<std::uint64_t> m_fileIds;
    std::vector<std::vector<wire::OfferEntry>> m_parts; // indexed by partIndex
};

} // namespace duet::transfer
