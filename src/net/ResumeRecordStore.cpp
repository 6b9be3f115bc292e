#include "duet/net/ResumeRecordStore.hpp"

#include <set>

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
    m_pending.erase(peerFingerprint);
    std::map<Key, std::vector<profile::StoredTransferFile>> fileRows;
    for (profile::StoredTransferFile& row : m_profile.transferFiles(peerFingerprint))
        fileRows[{row.direction, row.offerId}].push_back(std::move(row));
    for (const profile::StoredTransferRecord& row : m_profile.transferRecords(peerFingerprint)) {
        std::optional<ResumeState> one;
        if (std::optional<transfer::ResumeRecord> header = decodeResumeHeader(row.record)) {
            one = ResumeState{};
            // The rows come in position order; a gap or a row that does not parse damages the record.
            std::vector<profile::StoredTransferFile>& files = fileRows[{row.direction, row.offerId}];
            for (std::size_t i = 0; one && i < files.size(); ++i) {
                std::optional<DecodedResumeFile> file = decodeResumeFile(files[i].record);
                if (!file || files[i].position != i) {
                    one.reset();
                    break;
                }
                if (file->localPath) one->localPaths[file->file.entry.fileId] = std::move(*file->localPath);
                header->files.push_back(std::move(file->file));
            }
            if (one) one->records.push_back(std::move(*header));
        } else {
            one = decodeResumeRecord(row.record);
        }
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

std::map<ResumeRecordStore::Key, std::string>&
ResumeRecordStore::savedRows(const std::string& peerFingerprint)
{
    if (m_saved.count(peerFingerprint) == 0) {
        // Never loaded in this process: learn what the rows hold, so stale ones are deleted too.
        std::map<Key, std::string>& fresh = m_saved[peerFingerprint];
        for (profile::StoredTransferRecord& row : m_profile.transferRecords(peerFingerprint))
            fresh[{row.direction, row.offerId}] = std::move(row.record);
    }
    return m_saved[peerFingerprint];
}

std::size_t ResumeRecordStore::save(const std::string& peerFingerprint,
                                    const std::vector<transfer::ResumeRecord>& records,
                                    const std::map<std::uint64_t, std::string>& localPaths)
{
    std::map<Key, std::string>& saved = savedRows(peerFingerprint);
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

std::size_t
ResumeRecordStore::saveChanges(const std::string& peerFingerprint,
                               std::vector<transfer::ResumeChange> changes,
                               const std::vector<std::pair<transfer::Direction, std::uint64_t>>& live,
                               const std::map<std::uint64_t, std::string>& localPaths)
{
    std::map<Key, std::string>& saved = savedRows(peerFingerprint);
    std::map<Key, Pending>& pending = m_pending[peerFingerprint];
    for (transfer::ResumeChange& change : changes) {
        Pending& slot = pending[{directionCode(change.header.direction), change.header.offerId}];
        slot.header = std::move(change.header);
        for (auto& [position, file] : change.files)
            slot.files[position] = std::move(file);
    }

    std::set<Key> liveKeys;
    for (const auto& [direction, offerId] : live)
        liveKeys.insert({directionCode(direction), offerId});
    std::vector<std::pair<int, std::uint64_t>> removed;
    for (const auto& [key, text] : saved)
        if (liveKeys.count(key) == 0) removed.push_back(key);
    std::erase_if(pending, [&](const auto& item) { return liveKeys.count(item.first) == 0; });
    if (removed.empty() && pending.empty()) return 0;

    std::vector<profile::StoredTransferRecord> offers;
    std::vector<profile::StoredTransferFile> files;
    for (const auto& [key, change] : pending) {
        offers.push_back({key.first, key.second, encodeResumeHeader(change.header)});
        for (const auto& [position, file] : change.files) {
            const auto path = localPaths.find(file.entry.fileId);
            files.push_back({key.first, key.second, position,
                             encodeResumeFile(file, path == localPaths.end() ? nullptr : &path->second)});
        }
    }
    m_profile.writeTransferChanges(peerFingerprint, offers, files, removed);
    for (const Key& key : removed)
        saved.erase(key);
    for (profile::StoredTransferRecord& offer : offers)
        saved[{offer.direction, offer.offerId}] = std::move(offer.record);
    pending.clear();
    return removed.size() + offers.size() + files.size();
}

} // namespace duet::net
