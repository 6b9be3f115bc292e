#pragma once
// Writes one conversation as plain UTF-8 text, oldest first: a header line, then one line per message
// "[YYYY-MM-DD HH:MM:SS UTC] Name: text" (the lines of multi-line text follow, indented by two spaces).
// Thread: the caller's (the net thread). Errors: returns nullopt and sets `error`; a half-written file
// is removed. The file is created new (O_EXCL, mode 0600): an existing file or symlink is never replaced.
#include "duet/profile/ProfileStore.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace duet::net {

// Returns how many messages were written.
std::optional<std::uint64_t> exportConversation(profile::ProfileStore& profile,
                                                const std::string& fingerprint, const std::string& peerName,
                                                const std::string& path, std::string& error);

// "2026-11-24 03:41:07 UTC" for Unix milliseconds.
std::string formatUtc(std::int64_t unixMs);

} // namespace duet::net
