// Transfer resume records and the settings lookup their one-time import needs. These run about once a
// second at most, so statements are prepared per call instead of living in StoreImpl.
#include "duet/profile/StoreImpl.hpp"

#include <bit>
#include <cstdint>
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

void deleteRows(detail::Connection& connection, const char* table, std::string_view peerFingerprint,
                int direction, std::uint64_t offerId)
{
    checkDirection(direction);
    detail::Statement remove(connection,
                             std::string("DELETE FROM ") + table +
                                 " WHERE peer_fingerprint = ?1 AND direction = ?2 AND offer_id = ?3");
    auto use = remove.use();
    remove.bindText(1, peerFingerprint);
    remove.bindInt(2, direction);
    remove.bindInt(3, storedOfferId(offerId));
    remove.run();
}

void upsertRecord(detail::Connection& connection, std::string_view peerFingerprint,
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

// A whole record (files inside): file rows left from a split one would contradict it.
void putRecord(detail::Connection& connection, std::string_view peerFingerprint,
               const StoredTransferRecord& record)
{
    upsertRecord(connection, peerFingerprint, record);
    deleteRows(connection, "transfer_resume_file", peerFingerprint, record.direction, record.offerId);
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
    detail::Transaction transaction(*m_impl->connection);
    putRecord(*m_impl->connection, peerFingerprint, record);
    transaction.commit();
}

bool ProfileStore::deleteTransferRecord(std::string_view peerFingerprint, int direction,
                                        std::uint64_t offerId)
{
    detail::Transaction transaction(*m_impl->connection);
    deleteRows(*m_impl->connection, "transfer_resume", peerFingerprint, direction, offerId);
    const bool existed = m_impl->connection->changes() > 0;
    deleteRows(*m_impl->connection, "transfer_resume_file", peerFingerprint, direction, offerId);
    transaction.commit();
    return existed;
}

std::vector<StoredTransferFile> ProfileStore::transferFiles(std::string_view peerFingerprint)
{
    detail::Statement query(*m_impl->connection,
                            "SELECT direction, offer_id, position, record FROM transfer_resume_file "
                            "WHERE peer_fingerprint = ?1 ORDER BY direction, offer_id, position");
    auto use = query.use();
    query.bindText(1, peerFingerprint);
    std::vector<StoredTransferFile> files;
    while (query.step())
        files.push_back({static_cast<int>(query.columnInt(0)),
                         std::bit_cast<std::uint64_t>(query.columnInt(1)),
                         static_cast<std::uint64_t>(query.columnInt(2)), query.columnText(3)});
    return files;
}

void ProfileStore::writeTransferChanges(std::string_view peerFingerprint,
                                        const std::vector<StoredTransferRecord>& offers,
                                        const std::vector<StoredTransferFile>& files,
                                        const std::vector<std::pair<int, std::uint64_t>>& removed)
{
    detail::Connection& connection = *m_impl->connection;
    detail::Transaction transaction(connection);
    for (const auto& [direction, offerId] : removed) {
        deleteRows(connection, "transfer_resume", peerFingerprint, direction, offerId);
        deleteRows(connection, "transfer_resume_file", peerFingerprint, direction, offerId);
    }
    for (const StoredTransferRecord& offer : offers)
        upsertRecord(connection, peerFingerprint, offer);
    // Prepared once: a new offer of many files writes a row for each of them here.
    detail::Statement upsert(connection, "INSERT OR REPLACE INTO transfer_resume_file "
                                         "(peer_fingerprint, direction, offer_id, position, record) "
                                         "VALUES (?1, ?2, ?3, ?4, ?5)");
    for (const StoredTransferFile& file : files) {
        checkDirection(file.direction);
        if (file.position > static_cast<std::uint64_t>(INT64_MAX))
            throw std::invalid_argument("transfer file position out of range");
        auto use = upsert.use();
        upsert.bindText(1, peerFingerprint);
        upsert.bindInt(2, file.direction);
        upsert.bindInt(3, storedOfferId(file.offerId));
        upsert.bindInt(4, static_cast<std::int64_t>(file.position));
        upsert.bindText(5, file.record);
        upsert.run();
    }
    transaction.commit();
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
