#pragma once
// Errors of the storage layer are values: every fallible call returns Expected<T>, nothing throws across
// this API (except std::bad_alloc). Messages are readable and have peer-supplied names escaped.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace duet::storage {

enum class StorageErrorCode : std::uint8_t {
    NotFound,         // ENOENT: e.g. the download folder vanished
    PermissionDenied, // EACCES, EPERM
    ReadOnly,         // EROFS
    NoSpace,          // ENOSPC, EDQUOT, EFBIG
    SymlinkRefused,   // a symlink where a folder or file was expected (ELOOP from O_NOFOLLOW)
    NotADirectory,    // ENOTDIR: a file sits where a folder is needed
    NotARegularFile,  // a partial or target that is not a plain file
    InvalidName,      // a name that PathValidator refuses, or a malformed transfer key
    NamesExhausted,   // every "name (n)" up to the limit is taken
    CrossDevice,      // EXDEV: part of the download folder is another mount
    OutOfRange,       // offset or length beyond what a file can hold
    Closed,           // the PartialFile was committed or moved from
    Io,               // anything else (EIO, EMFILE, ...)
};

struct StorageError {
    StorageErrorCode code = StorageErrorCode::Io;
    int systemError = 0; // errno when the error came from the system, else 0
    std::string message;
};

StorageErrorCode codeForErrno(int systemError);
// "<action>: <strerror text>", code from codeForErrno.
StorageError errorFromErrno(int systemError, std::string_view action);

template <typename T>
class [[nodiscard]] Expected {
public:
    Expected(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Expected(StorageError error) : m_v(std::in_place_index<1>, std::move(error)) {}
    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(m_v); }
    const T& value() const { return std::get<0>(m_v); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    const StorageError& error() const { return std::get<1>(m_v); }

private:
    std::variant<T, StorageError> m_v;
};

template <>
class [[nodiscard]] Expected<void> {
public:
    Expected() = default;
    Expected(StorageError error) : m_error(std::move(error)), m_failed(true) {}
    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const StorageError& error() const { return m_error; }

private:
    StorageError m_error;
    bool m_failed = false;
};

} // namespace duet::storage
