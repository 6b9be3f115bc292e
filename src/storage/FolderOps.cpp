#include "duet/storage/FolderOps.hpp"

#include "duet/storage/Utf8.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <dirent.h>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace duet::storage {

namespace {

std::string quotedName(std::string_view name)
{
    return "'" + escapeForDisplay(name) + "'";
}

// O_NOFOLLOW|O_DIRECTORY on a symlink fails with ELOOP or ENOTDIR depending on the case; look at
// what is actually there to give the precise reason.
StorageError folderOpenError(int parent, const std::string& name, int err, std::string_view shownName)
{
    struct stat st {};
    if ((err == ELOOP || err == ENOTDIR) && ::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode)) {
            return StorageError{StorageErrorCode::SymlinkRefused, ELOOP,
                                quotedName(shownName) + " is a symbolic link; Duet never writes through one"};
        }
        if (!S_ISDIR(st.st_mode)) {
            return StorageError{StorageErrorCode::NotADirectory, ENOTDIR,
                                quotedName(shownName) + " exists and is not a folder"};
        }
    }
    return errorFromErrno(err, "cannot open folder " + quotedName(shownName));
}

} // namespace

Expected<UniqueFd> openFolderAt(int parent, const std::string& name, std::string_view shownName)
{
    const int fd = ::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return folderOpenError(parent, name, errno, shownName);
    return UniqueFd(fd);
}

Expected<UniqueFd> ensureFolderAt(int parent, const std::string& name, mode_t mode, bool& created,
                                  std::string_view shownName)
{
    created = false;
    if (::mkdirat(parent, name.c_str(), mode) == 0) {
        created = true;
    } else if (errno != EEXIST) {
        return errorFromErrno(errno, "cannot create folder " + quotedName(shownName));
    }
    // Whatever exists now is opened without following it; a symlink planted between the mkdir and
    // this open is refused here.
    return openFolderAt(parent, name, shownName);
}

Expected<std::vector<std::string>> listFolder(int folder, std::string_view shownName)
{
    // fdopendir takes ownership of its descriptor, so give it a duplicate.
    const int copy = ::fcntl(folder, F_DUPFD_CLOEXEC, 0);
    if (copy < 0) return errorFromErrno(errno, "cannot list folder " + quotedName(shownName));
    DIR* dir = ::fdopendir(copy);
    if (dir == nullptr) {
        const int err = errno;
        ::close(copy);
        return errorFromErrno(err, "cannot list folder " + quotedName(shownName));
    }
    ::rewinddir(dir); // the duplicate shares its position with `folder`
    std::vector<std::string> names;
    while (true) {
        errno = 0;
        const dirent* entry = ::readdir(dir);
        if (entry == nullptr) break;
        const std::string_view name = entry->d_name;
        if (name != "." && name != "..") names.emplace_back(name);
    }
    const int readError = errno;
    ::closedir(dir);
    if (readError != 0) return errorFromErrno(readError, "cannot list folder " + quotedName(shownName));
    std::sort(names.begin(), names.end());
    return names;
}

int linkThenUnlink(int fromFolder, const char* from, int toFolder, const char* to)
{
    if (::linkat(fromFolder, from, toFolder, to, 0) != 0) return errno;
    // The file is already in place under its new name; failing to drop the old name only leaves a stale
    // hard link in Duet's partial area, which discardTransfer removes.
    ::unlinkat(fromFolder, from, 0);
    return 0;
}

int moveNoReplace(int fromFolder, const char* from, int toFolder, const char* to)
{
    if (::renameat2(fromFolder, from, toFolder, to, RENAME_NOREPLACE) == 0) return 0;
    const int err = errno;
    if (err == EINVAL || err == ENOSYS) return linkThenUnlink(fromFolder, from, toFolder, to);
    return err;
}

int linkNoReplace(int fd, int toFolder, const char* to)
{
    // Through /proc, which needs no privilege; AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH.
    const std::string self = "/proc/self/fd/" + std::to_string(fd);
    if (::linkat(AT_FDCWD, self.c_str(), toFolder, to, AT_SYMLINK_FOLLOW) == 0) return 0;
    const int err = errno;
    if (err != ENOENT) return err;
    if (::linkat(fd, "", toFolder, to, AT_EMPTY_PATH) == 0) return 0;
    return errno;
}

Expected<void> syncDescriptor(int fd, std::string_view shownName)
{
    if (::fsync(fd) != 0) return errorFromErrno(errno, "cannot flush " + quotedName(shownName) + " to disk");
    return {};
}

} // namespace duet::storage
