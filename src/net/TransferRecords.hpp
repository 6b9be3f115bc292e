#pragma once
// Resume records with the sender's local paths as JSON: one record per text for the profile's
// transfer_resume rows, and the older whole-peer text (one settings key per peer, profile schema v2)
// that is read once to move it into rows. Pure functions, any thread; decode refuses anything malformed
// (nullopt) and transfer::checkResumeRecord / TransferManager::restore judge each record afterwards.
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

// One record with the local paths of its own files only.
std::string encodeResumeRecord(const transfer::ResumeRecord& record,
                               const std::map<std::uint64_t, std::string>& localPaths);
// A state holding exactly one record, or nullopt.
std::optional<ResumeState> decodeResumeRecord(const std::string& text);

// A record split over rows (profile schema v4): the offer's own fields (its files are ignored), and
// each file on its own with the sender's local path when there is one. decodeResumeHeader gives a
// record without files and refuses whole records; decodeResumeRecord refuses headers.
std::string encodeResumeHeader(const transfer::ResumeRecord& header);
std::optional<transfer::ResumeRecord> decodeResumeHeader(const std::string& text);
std::string encodeResumeFile(const transfer::ResumeFile& file, const std::string* localPath);
struct DecodedResumeFile {
    transfer::ResumeFile file;
    std::optional<std::string> localPath;
};
std::optional<DecodedResumeFile> decodeResumeFile(const std::string& text);

} // namespace duet::net
