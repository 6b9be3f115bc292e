#pragma once
// Small POSIX helpers shared by ReceiveRoot and collectSelection. All work relative to an open folder
// handle and never follow a symlink in the final component. Any thread; errors as values or errno.
#include "duet/storage/StorageError.hpp"
#include "duet/storage/UniqueFd.hpp"

#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace duet::storage {

// Opens the existing folder `name` inside `parent`. A symlink there gives SymlinkRefused, a file
// NotADirectory. `shownName` is used in the error message (escaped).
Expected<UniqueFd> openFolderAt(int parent, const std::string& name, std::string_view shownName);

// Like openFolderAt, creating the folder first when missing (`created` tells which happened).
Expected<UniqueFd> ensureFolderAt(int parent, const std::string& name, mode_t mode, bool& created,
                                  std::string_view shownName);

// Names in an open folder except "." and "..", sorted bytewise. The handle itself is not consumed.
Expected<std::vector<std::string>> listFolder(int folder, std::string_view shownName);

// Moves `from` to `to` only if `to` does not exist: renameat2(RENAME_NOREPLACE), or linkThenUnlink where
// the file system does not support that flag (EINVAL/ENOSYS). Returns 0, or an errno (EEXIST when taken).
int moveNoReplace(int fromFolder, const char* from, int toFolder, const char* to);
// Gives the open unnamed file `fd` (O_TMPFILE) the name `to`, only if `to` does not exist (linkat fails
// with EEXIST otherwise). Returns 0 or the errno.
int linkNoReplace(int fd, int toFolder, const char* to);
// The fallback on its own: link (which never replaces) and then drop the old name.
int linkThenUnlink(int fromFolder, const char* from, int toFolder, const char* to);

// fsync that reports failure as an error value.
Expected<void> syncDescriptor(int fd, std::string_view shownName);

} // namespace duet::storage
