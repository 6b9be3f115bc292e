#include "duet/transfer/OfferAssembler.hpp"

#include <utility>

namespace duet::transfer {

static_assert(wire::kMaxOfferParts <= 64, "m_partsSeen is a 64-bit mask");

OfferAssembler::OfferAssembler(std::uint64_t offerId, OfferLimits limits, MonoTime startedAt)
    : m_offerId(offerId), m_limits(limits), m_startedAt(startedAt)
{
}

OfferAssembler::Status OfferAssembler::reject(std::string reason)
{
    m_status = Status::Rejected;
    m_reason = std::move(reason);
    m_parts.clear();
    m_fileIds.clear();
    return m_status;
}

OfferAssembler::Status OfferAssembler::add(const wire::Offer& part)
{
    if (m_status != Status::Incomplete) return reject("offer part after the offer was complete");
    if (part.offerId != m_offerId || part.offerId == 0) return reject("offer part with a wrong offer id");
    if (checkHeader(part) == Status::Rejected) return m_status;
    if (addEntries(part) == Status::Rejected) return m_status;

    const std::uint64_t allParts =
        m_partCount == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << m_partCount) - 1;
    if (m_partsSeen != allParts) return m_status;
    if (m_entryCount != m_totalEntries)
        return reject("offer lists " + std::to_string(m_entryCount) + " entries but declared " +
                      std::to_string(m_totalEntries));
    if (m_sizeSum != m_totalBytes)
        return reject("offer sizes add up to " + std::to_string(m_sizeSum) + " bytes but it declared " +
                      std::to_string(m_totalBytes));
    m_status = Status::Complete;
    return m_status;
}

OfferAssembler::Status OfferAssembler::checkHeader(const wire::Offer& part)
{
    if (part.partCount == 0 || part.partCount > wire::kMaxOfferParts)
        return reject("offer has " + std::to_string(part.partCount) + " parts (allowed 1 to " +
                      std::to_string(wire::kMaxOfferParts) + ")");
    if (part.partIndex >= part.partCount) return reject("offer part index beyond its part count");
    if (!m_haveHeader) {
        if (part.totalEntries == 0) return reject("offer lists no entries");
        if (part.totalEntries > m_limits.maxEntries)
            return reject("offer has too many entries (" + std::to_string(part.totalEntries) + ", limit " +
                          std::to_string(m_limits.maxEntries) + ")");
        if (part.totalBytes > m_limits.maxBytes)
            return reject("offer is too large (" + std::to_string(part.totalBytes) + " bytes, limit " +
                          std::to_string(m_limits.maxBytes) + ")");
        m_haveHeader = true;
        m_partCount = part.partCount;
        m_totalEntries = part.totalEntries;
        m_totalBytes = part.totalBytes;
        m_parts.resize(m_partCount);
    } else if (part.partCount != m_partCount || part.totalEntries != m_totalEntries ||
               part.totalBytes != m_totalBytes) {
        return reject("offer parts disagree on the totals");
    }
    const std::uint64_t bit = std::uint64_t{1} << part.partIndex;
    if ((m_partsSeen & bit) != 0)
        return reject("offer part " + std::to_string(part.partIndex) + " arrived twice");
    m_partsSeen |= bit;
    return m_status;
}

OfferAssembler::Status OfferAssembler::addEntries(const wire::Offer& part)
{
    if (part.entries.size() > wire::kMaxEntriesPerPart) return reject("offer part has too many entries");
    if (part.entries.size() > m_totalEntries - m_entryCount)
        return reject("offer lists more entries than its declared total");
    for (const wire::OfferEntry& e : part.entries) {
        if (e.fileId == 0) return reject("offer entry with file id 0");
        if (!m_fileIds.insert(e.fileId).second) return reject("offer lists a file id twice");
        if (e.kind != wire::EntryKind::File && e.kind != wire::EntryKind::Directory)
            return reject("offer entry of an unknown kind");
        if (e.kind == wire::EntryKind::Directory && e.size != 0)
            return reject("offer lists a directory with a size");
        if (e.path.size() > wire::kMaxPathBytes) return reject("offer entry path is too long");
        if (e.path.size() > m_limits.maxPathBytes - m_pathBytes)
            return reject("offer names are too long in total");
        m_pathBytes += e.path.size();
        // m_sizeSum never exceeds m_totalBytes, so this comparison cannot overflow.
        if (e.size > m_totalBytes - m_sizeSum)
            return reject("offer sizes add up to more than its declared total");
        m_sizeSum += e.size;
    }
    m_entryCount += part.entries.size();
    m_parts[part.partIndex] = part.entries;
    return m_status;
}

std::vector<wire::OfferEntry> OfferAssembler::takeEntries()
{
    std::vector<wire::OfferEntry> all;
    if (m_status != Status::Complete) return all;
    all.reserve(m_entryCount);
    for (std::vector<wire::OfferEntry>& p : m_parts)
        for (wire::OfferEntry& e : p)
            all.push_back(std::move(e));
    m_parts.clear();
    return all;
}

} // namespace duet::transfer
