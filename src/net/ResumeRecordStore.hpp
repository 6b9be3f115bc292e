#pragma once
// Resume records in the profile: one row per offer in transfer_resume and, for records saved by
// saveChanges(), one row per file in transfer_resume_file, so a save costs what changed. Remembers which
// offers have rows, so records that are gone are deleted.
// Thread: the net thread (it uses that thread's ProfileStore). Database errors throw std::runtime_error
// from the profile; a row that fails to decode is skipped and named in `problems`.
#include "duet/net/TransferRecords.hpp"
#include "duet/profile/ProfileStore.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace duet::net {

class ResumeRecordStore {
public:
    explicit ResumeRecordStore(profile::ProfileStore& profile) : m_profile(profile) {}

    // Moves every whole-peer JSON setting of profile schema v2 into rows, each peer in one transaction,
    // and deletes the setting. A damaged setting is deleted too and named in `problems`. Later calls
    // find nothing to move.
    void importLegacySettings(std::vector<std::string>& problems);
    // The peer's stored records (and the sender's local paths of their files).
    ResumeState load(const std::string& peerFingerprint, std::vector<std::string>& problems);
    // Makes the peer's rows equal to `records`. Returns how many rows were written or deleted.
    // Whole records, one row each (files inside).
    std::size_t save(const std::string& peerFingerprint, const std::vector<transfer::ResumeRecord>& records,
                     const std::map<std::uint64_t, std::string>& localPaths);
    // Writes `changes` (TransferManager::takeResumeChanges) in one transaction and deletes the records of
    // offers not in `live`. Changes that could not be written (it throws) are kept and written by the
    // next call. Returns how many rows were written or deleted.
    std::size_t saveChanges(const std::string& peerFingerprint, std::vector<transfer::ResumeChange> changes,
                            const std::vector<std::pair<transfer::Direction, std::uint64_t>>& live,
                            const std::map<std::uint64_t, std::string>& localPaths);

private:
    using Key = std::pair<int, std::uint64_t>; // direction, offer id
    struct Pending {
        transfer::ResumeRecord header;
        std::map<std::size_t, transfer::ResumeFile> files; // by position in the offer
    };
    std::map<Key, std::string>& savedRows(const std::string& peerFingerprint);

    profile::ProfileStore& m_profile;
    std::map<std::string, std::map<Key, std::string>> m_saved; // by fingerprint: what each offer row holds
    std::map<std::string, std::map<Key, Pending>> m_pending;   // by fingerprint: not yet written
};

} // namespace duet::net
