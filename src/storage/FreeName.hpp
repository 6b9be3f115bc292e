#pragma once
// Names for "keep both": the n-th alternative to a name that is already taken. Pure, any thread.
#include "duet/storage/PathValidator.hpp"

#include <string>
#include <string_view>

namespace duet::storage {

// How many numbered alternatives commit and reserveTopLevelName try before giving up.
inline constexpr unsigned kMaxNameAttempts = 10'000;

// The n-th alternative (n >= 1) to a single, valid name component:
//   files:   "report.pdf" -> "report (1).pdf", "archive.tar.gz" -> "archive (1).tar.gz",
//            ".bashrc" -> ".bashrc (1)", "README" -> "README (1)"
//   folders: "Camera" -> "Camera (1)", "my.photos" -> "my.photos (1)" (a folder has no extension)
// An extension is the last dot-suffix of 2..16 bytes without spaces, widened by a preceding ".tar".
// The stem is shortened on a UTF-8 boundary so the result stays within kMaxComponentBytes.
std::string numberedName(std::string_view name, unsigned number, EntryKind kind);

} // namespace duet::storage
