#include "duet/net/ResumeRecordStore.hpp"

namespace duet::net {
namespace {

constexpr const char* kLegacyPrefix = "transfers.resume.";

int directionCode(transfer::Direction direction)
{
    return direction == transfer::Direction::Outgoing ? 0 : 1;
}

} // namespace

void ResumeRecordStore::importLegacySettings(std::vector<std::string>& problems)
{
    for (const auto& [key, value] : m_profile.settingsWithPrefix(kLegacyPrefix)) {
        const std::string fingerprint = key.substr(std::string_view(kLegacyPrefix).size());
        std::vector<profile::StoredTransferRecord> rows;
        if (std::optional<ResumeState> state = decodeResumeState(value)) {
            for (const transfer::ResumeRecord& record : state->records)
                rows.push_back({directionCode(record.direction), record.offerId,
                                encodeResumeRecord(record, state->localPaths)});
        } else if (!value.empty()) {
            problems.push_back("saved transfer state is damaged; ignored");
        }
        m_profile.importTransferRecords(fingerprint, rows, key);
    }
}

ResumeState ResumeRecordStore::load(const std::string& peerFingerprint, std::vector<std::string>& problems)
{
    ResumeState state;
    std::map<Key, std::string>& saved = m_saved[peerFingerprint];
    saved.clear();
    for (const profile::StoredTransferRecord& row : m_profile.transferRecords(peerFingerprint)) {
        std::optional<ResumeState> one = decodeResumeRecord(row.record);
        // A row whose key disagrees with its content is as damaged as one that does not parse.
        if (!one || one->records.size() != 1 || one->records[0].offerId != row.offerId ||
            directionCode(one->records[0].direction) != row.direction) {
            problems.push_back("a saved transfer record is damaged; ignored");
            continue;
        }
        saved[{row.direction, row.offerId}] = row.record;
        state.records.push_back(std::move(one->records[0]));
        state.localPaths.merge(one->localPaths);
    }
    return state;
}

std::size_t ResumeRecordStore::save(const std::string& peerFingerprint,
                                    const std::vector<transfer::ResumeRecord>& records,
                                    const std::map<std::uint64_t, std::string>& localPaths)
{
    if (m_saved.count(peerFingerprint) == 0) {
        // Never loaded in this process: learn what the rows hold, so stale ones are deleted too.
        std::map<Key, std::string>& fresh = m_saved[peerFingerprint];
        for (profile::StoredTransferRecord& row : m_profile.transferRecords(peerFingerprint))
            fresh[{row.direction, row.offerId}] = std::move(row.record);
    }
    std::map<Key, std::string>& saved = m_saved[peerFingerprint];
    std::map<Key, std::string> wanted;
    for (const transfer::ResumeRecord& record : records)
        wanted[{directionCode(record.direction), record.offerId}] = encodeResumeRecord(record, localPaths);

    std::size_t writes = 0;
    // The cache is updated after each row succeeds, so a failed write is retried on the next save.
    for (auto it = saved.begin(); it != saved.end();) {
        if (wanted.count(it->first) != 0) {
            ++it;
            continue;
        }
        m_profile.deleteTransferRecord(peerFingerprint, it->first.first, it->first.second);
        it = saved.erase(it);
        ++writes;
    }
    for (auto& [key, text] : wanted) {
        const auto old = saved.find(key);
        if (old != saved.end() && old->second == text) continue;
        m_profile.putTransferRecord(peerFingerprint, {key.first, key.second, text});
        saved[key] = std::move(text);
        ++writes;
    }
    return writes;
}

} // namespace duet::net
