// Transfer resume records and the settings lookup their one-time import needs. These run about once a
// second at most, so statements are prepared per call instead of living in StoreImpl.
#include "duet/profile/StoreImpl.hpp"

#include <bit>
#include <stdexcept>

namespace duet::profile {

namespace {

std::int64_t storedOfferId(std::uint64_t offerId)
{
    return std::bit_cast<std::int64_t>(offerId);
}

void checkDirection(int direction)
{
    if (direction != 0 && direction != 1)
        throw std::invalid_argument("transfer record direction must be 0 or 1");
}

void putRecord(detail::Connection& connection, std::string_view peerFingerprint,
               const StoredTransferRecord& record)
{
    checkDirection(record.direction);
    detail::Statement upsert(connection,
                             "INSERT OR REPLACE INTO transfer_resume "
                             "(peer_fingerprint, direction, offer_id, record) VALUES (?1, ?2, ?3, ?4)");
    auto use = upsert.use();
    upsert.bindText(1, peerFingerprint);
    upsert.bindInt(2, record.direction);
    upsert.bindInt(3, storedOfferId(record.offerId));
    upsert.bindText(4, record.record);
    upsert.run();
}

} // namespace

std::vector<std::pair<std::string, std::string>> ProfileStore::settingsWithPrefix(std::string_view prefix)
{
    // A range on the primary key instead of LIKE, whose wildcards and case folding would need escaping.
    detail::Statement query(*m_impl->connection,
                            "SELECT key, value FROM settings WHERE key >= ?1 AND substr(key, 1, ?2) = ?1 "
                            "ORDER BY key");
    auto use = query.use();
    query.bindText(1, prefix);
    query.bindInt(2, static_cast<std::int64_t>(prefix.size()));
    std::vector<std::pair<std::string, std::string>> found;
    while (query.step())
        found.emplace_back(query.columnText(0), query.columnText(1));
    return found;
}

std::vector<StoredTransferRecord> ProfileStore::transferRecords(std::string_view peerFingerprint)
{
    detail::Statement query(*m_impl->connection, "SELECT direction, offer_id, record FROM transfer_resume "
                                                 "WHERE peer_fingerprint = ?1 ORDER BY direction, offer_id");
    auto use = query.use();
    query.bindText(1, peerFingerprint);
    std::vector<StoredTransferRecord> records;
    while (query.step())
        records.push_back({static_cast<int>(query.columnInt(0)),
                           std::bit_cast<std::uint64_t>(query.columnInt(1)), query.columnText(2)});
    return records;
}

void ProfileStore::putTransferRecord(std::string_view peerFingerprint, const StoredTransferRecord& record)
{
    putRecord(*m_impl->connection, peerFingerprint, record);
}

bool ProfileStore::deleteTransferRecord(std::string_view peerFingerprint, int direction,
                                        std::uint64_t offerId)
{
    checkDirection(direction);
    detail::Statement remove(*m_impl->connection,
                             "DELETE FROM transfer_resume "
                             "WHERE peer_fingerprint = ?1 AND direction = ?2 AND offer_id = ?3");
    auto use = remove.use();
    remove.bindText(1, peerFingerprint);
    remove.bindInt(2, direction);
    remove.bindInt(3, storedOfferId(offerId));
    remove.run();
    return m_impl->connection->changes() > 0;
}

void ProfileStore::importTransferRecords(std::string_view peerFingerprint,
                                         const std::vector<StoredTransferRecord>& records,
                                         std::string_view legacyKey)
{
    detail::Transaction transaction(*m_impl->connection);
    for (const StoredTransferRecord& record : records)
        putRecord(*m_impl->connection, peerFingerprint, record);
    detail::Statement remove(*m_impl->connection, "DELETE FROM settings WHERE key = ?1");
    {
        auto use = remove.use();
        remove.bindText(1, legacyKey);
        remove.run();
    }
    transaction.commit();
}

} // namespace duet::profile
