#pragma once
// Resume records in the profile's transfer_resume table, one row per offer. Remembers what each row
// last held, so save() writes only the records that changed and deletes those that are gone.
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
    std::size_t save(const std::string& peerFingerprint, const std::vector<transfer::ResumeRecord>& records,
                     const std::map<std::uint64_t, std::string>& localPaths);

private:
    using Key = std::pair<int, std::uint64_t>; // direction, offer id
    profile::ProfileStore& m_profile;
    std::map<std::string, std::map<Key, std::string>> m_saved; // by fingerprint: what each row holds
};

} // namespace duet::net
