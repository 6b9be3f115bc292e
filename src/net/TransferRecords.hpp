#pragma once
// Resume records of one peer, with the sender's local paths, as one JSON text for the profile's
// settings table. Pure functions, any thread; decode refuses anything malformed (nullopt) and
// transfer::checkResumeRecord / TransferManager::restore judge each record afterwards.
#include "duet/transfer/ResumeRecord.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace duet::net {

struct ResumeState {
    std::vector<transfer::ResumeRecord> records;
    std::map<std::uint64_t, std::string> localPaths; // sender: file id -> local path
};

std::string resumeSettingKey(const std::string& peerFingerprint);
std::string encodeResumeState(const std::vector<transfer::ResumeRecord>& records,
                              const std::map<std::uint64_t, std::string>& localPaths);
std::optional<ResumeState> decodeResumeState(const std::string& text);

} // namespace duet::net
