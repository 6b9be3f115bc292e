#include "duet/storage/StorageError.hpp"

#include <cerrno>
#include <system_error>

namespace duet::storage {

StorageErrorCode codeForErrno(int systemError)
{
    switch (systemError) {
    case ENOENT:
        return StorageErrorCode::NotFound;
    case EACCES:
    case EPERM:
        return StorageErrorCode::PermissionDenied;
    case EROFS:
        return StorageErrorCode::ReadOnly;
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
        return StorageErrorCode::NoSpace;
    case ELOOP:
        return StorageErrorCode::SymlinkRefused;
    case ENOTDIR:
        return StorageErrorCode::NotADirectory;
    case EXDEV:
        return StorageErrorCode::CrossDevice;
    case EINVAL:
    case EOVERFLOW:
        return StorageErrorCode::OutOfRange;
    default:
        return StorageErrorCode::Io;
    }
}

StorageError errorFromErrno(int systemError, std::string_view action)
{
    StorageError error;
    error.code = codeForErrno(systemError);
    error.systemError = systemError;
    // std::generic_category().message is thread-safe, unlike strerror.
    error.message = std::string(action) + ": " + std::generic_category().message(systemError);
    if (error.code == StorageErrorCode::SymlinkRefused)
        error.message += " (symbolic links are never followed)";
    return error;
}

} // namespace duet::storage
