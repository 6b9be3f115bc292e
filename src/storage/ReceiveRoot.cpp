#include "duet/storage/ReceiveRoot.hpp"

#include "duet/storage/FolderOps.hpp"
#include "duet/storage/FreeName.hpp"
#include "duet/storage/PathValidator.hpp"
#include "duet/storage/Utf8.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace duet::storage {

namespace {

constexpr std::int64_t kEarliestMtime = 315'532'800; // 1980-01-01T00:00:00Z
constexpr std::int64_t kLatestMtime = 4'102'444'800; // 2100-01-01T00:00:00Z (exclusive)
constexpr mode_t kPartialFolderMode = 0700;          // only this user may see what is being received
constexpr mode_t kCreatedFolderMode = 0777;          // reduced by the umask, like any program's mkdir
constexpr mode_t kPartialFileMode = 0666;            // reduced by the umask; never the sender's mode
constexpr std::size_t kMaxUnsyncedFolders = 64;
constexpr std::size_t kMaxOpenFolders = 64; // destination folders kept open between commits

std::string quotedName(std::string_view name)
{
    return "'" + escapeForDisplay(name) + "'";
}

StorageError invalidName(std::string_view name, ValidationCode code)
{
    return StorageError{StorageErrorCode::InvalidName, 0,
                        "refused name " + quotedName(name) + ": " + std::string(describe(code))};
}

// A top-level name: one component that checkPath accepts.
std::optional<StorageError> checkSingleName(std::string_view name)
{
    if (name.find('/') != std::string_view::npos) {
        return StorageError{StorageErrorCode::InvalidName, 0,
                            "refused name " + quotedName(name) + ": not a single name"};
    }
    if (const ValidationCode code = checkPath(name); code != ValidationCode::Ok)
        return invalidName(name, code);
    return std::nullopt;
}

// "<decimal index>.duet-part" exactly as partialFileName writes it; anything else is not ours.
std::optional<std::uint32_t> parsePartialFileName(std::string_view name)
{
    constexpr std::string_view kSuffix = ".duet-part";
    if (name.size() <= kSuffix.size() || name.substr(name.size() - kSuffix.size()) != kSuffix)
        return std::nullopt;
    const std::string_view digits = name.substr(0, name.size() - kSuffix.size());
    if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
    std::uint32_t index = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    return index;
}

} // namespace

std::int64_t clampModificationTime(std::int64_t senderSeconds, std::int64_t nowSeconds)
{
    if (senderSeconds < kEarliestMtime || senderSeconds >= kLatestMtime) return nowSeconds;
    return senderSeconds;
}

ReceiveRoot::ReceiveRoot(UniqueFd root, std::filesystem::path displayPath)
    : m_root(std::move(root)), m_displayPath(std::move(displayPath))
{
}

Expected<ReceiveRoot> ReceiveRoot::open(const std::filesystem::path& folder)
{
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        struct stat st {};
        if ((err == ELOOP || err == ENOTDIR) && ::lstat(folder.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
            return StorageError{StorageErrorCode::SymlinkRefused, ELOOP,
                                "download folder " + quotedName(folder.native()) +
                                    " is a symbolic link; choose the folder it points to"};
        }
        return errorFromErrno(err, "cannot open download folder " + quotedName(folder.native()));
    }
    return ReceiveRoot(UniqueFd(fd), folder);
}

Expected<UniqueFd> ReceiveRoot::openPartialArea(bool create) const
{
    const std::string name(kPartialAreaName);
    if (!create) return openFolderAt(m_root.get(), name, name);
    bool created = false;
    return ensureFolderAt(m_root.get(), name, kPartialFolderMode, created, name);
}

Expected<UniqueFd> ReceiveRoot::openTransferFolder(const TransferKey& key, bool create) const
{
    auto area = openPartialArea(create);
    if (!area) return area.error();
    const std::string shown = std::string(kPartialAreaName) + "/" + key.hex();
    if (!create) return openFolderAt(area->get(), key.hex(), shown);
    bool created = false;
    return ensureFolderAt(area->get(), key.hex(), kPartialFolderMode, created, shown);
}

Expected<PartialFile> ReceiveRoot::openPartial(const TransferKey& key, std::uint32_t fileIndex)
{
    auto folder = openTransferFolder(key, true);
    if (!folder) return folder.error();
    const std::string name = partialFileName(fileIndex);
    const int fd =
        ::openat(folder->get(), name.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, kPartialFileMode);
    if (fd < 0) {
        const int err = errno;
        if (err == ELOOP) {
            return StorageError{StorageErrorCode::SymlinkRefused, err,
                                "partial file " + name +
                                    " is a symbolic link; Duet never writes through one"};
        }
        return errorFromErrno(err, "cannot open partial file " + name);
    }
    UniqueFd file(fd);
    struct stat st {};
    if (::fstat(file.get(), &st) != 0) return errorFromErrno(errno, "cannot inspect partial file " + name);
    if (!S_ISREG(st.st_mode)) {
        return StorageError{StorageErrorCode::NotARegularFile, 0,
                            "partial file " + name + " is not a regular file"};
    }
    return PartialFile(std::move(*folder), std::move(file), key, fileIndex,
                       static_cast<std::uint64_t>(st.st_size));
}

Expected<PartialFile> ReceiveRoot::openAnonymousPartial(const TransferKey& key)
{
    auto area = openPartialArea(true);
    if (!area) return area.error();
    const int fd = ::openat(area->get(), ".", O_TMPFILE | O_RDWR | O_CLOEXEC, kPartialFileMode);
    if (fd < 0) return errorFromErrno(errno, "cannot create an unnamed partial file");
    return PartialFile(std::move(*area), UniqueFd(fd), key, 0, 0, true);
}

Expected<void> ReceiveRoot::setReceivedTime(const PartialFile& partial,
                                            std::optional<std::int64_t> senderMtimeSeconds,
                                            std::string_view shownName)
{
    if (!partial.isOpen()) {
        return StorageError{StorageErrorCode::Closed, 0, "the partial file was already committed"};
    }
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    const timespec times[2] = {
        {0, UTIME_OMIT},
        {static_cast<time_t>(clampModificationTime(senderMtimeSeconds.value_or(now), now)), 0}};
    if (::futimens(partial.m_file.get(), times) != 0) {
        return errorFromErrno(errno, "cannot set the modification time of " + quotedName(shownName));
    }
    return {};
}

Expected<void> ReceiveRoot::makeDurable(const PartialFile& partial,
                                        std::optional<std::int64_t> senderMtimeSeconds,
                                        std::string_view shownName)
{
    if (auto timed = setReceivedTime(partial, senderMtimeSeconds, shownName); !timed) return timed;
    if (::fsync(partial.m_file.get()) != 0)
        return errorFromErrno(errno, "cannot flush the received file " + quotedName(shownName));
    return {};
}

Expected<void> ReceiveRoot::flushFileSystem() const
{
    if (::syncfs(m_root.get()) != 0) return errorFromErrno(errno, "cannot flush the download folder's disk");
    return {};
}

Expected<std::string> ReceiveRoot::commit(PartialFile& partial, std::string_view destination,
                                          std::optional<std::int64_t> senderMtimeSeconds,
                                          Durability durability)
{
    if (!partial.isOpen()) {
        return StorageError{StorageErrorCode::Closed, 0, "the partial file was already committed"};
    }
    if (const ValidationCode code = checkPath(destination); code != ValidationCode::Ok) {
        return invalidName(destination, code);
    }

    // Times and data reach the disk before the rename, so after a crash the final name never holds
    // a file shorter than what was verified.
    if (durability == Durability::SyncFirst) {
        if (auto synced = makeDurable(partial, senderMtimeSeconds, destination); !synced)
            return synced.error();
    }

    const auto components = splitPath(destination);
    UniqueFd openedFolder; // holds the destination folder when it was opened for this commit
    int folder = m_root.get();
    std::string finalPath;
    bool cached = false;
    if (auto opened = openDestinationFolder(components, openedFolder, folder, finalPath, cached); !opened)
        return opened.error();

    const std::string leaf(components.back());
    const std::string partialName = partialFileName(partial.fileIndex());
    for (unsigned attempt = 0; attempt <= kMaxNameAttempts; ++attempt) {
        const std::string candidate = attempt == 0 ? leaf : numberedName(leaf, attempt, EntryKind::File);
        const int err = partial.m_anonymous ? linkNoReplace(partial.m_file.get(), folder, candidate.c_str())
                                            : moveNoReplace(partial.m_transferFolder.get(),
                                                            partialName.c_str(), folder, candidate.c_str());
        if (err == EEXIST) continue;
        if (err == ENOENT && cached) {
            // The kept folder was deleted since: walk the path again (creating it anew) and retry.
            m_openFolders.erase(std::string(finalPath, 0, finalPath.size() - 1));
            if (auto opened = openDestinationFolder(components, openedFolder, folder, finalPath, cached);
                !opened)
                return opened.error();
            --attempt;
            continue;
        }
        if (err != 0)
            return errorFromErrno(err,
                                  "cannot move the received file to " + quotedName(finalPath + candidate));
        // The file is in place; a failed folder fsync leaves it there, so it is reported as committed.
        if (!m_deferFolderSyncs) {
            ::fsync(folder);
        } else {
            // Keyed by inode, not path: a folder replaced under the same name is synced on its own.
            struct stat st {};
            const bool known = ::fstat(folder, &st) == 0;
            const FolderId id{st.st_dev, st.st_ino};
            if (!known || m_unsyncedFolders.count(id) == 0) {
                // Bounded so a tree of many folders never runs out of descriptors.
                if (m_unsyncedFolders.size() >= kMaxUnsyncedFolders) (void)syncCommittedFolders();
                UniqueFd kept = openedFolder ? UniqueFd(::dup(openedFolder.get())) : UniqueFd(::dup(folder));
                if (known && kept)
                    m_unsyncedFolders.emplace(id, UnsyncedFolder{std::move(kept), finalPath});
                else
                    ::fsync(folder); // cannot keep it: sync now rather than never
            }
        }
        partial.m_file.reset();
        partial.m_transferFolder.reset();
        return finalPath + candidate;
    }
    return StorageError{StorageErrorCode::NamesExhausted, 0,
                        "every alternative name for " + quotedName(destination) + " is taken"};
}

Expected<void> ReceiveRoot::openDestinationFolder(const std::vector<std::string_view>& components,
                                                  UniqueFd& opened, int& folder, std::string& finalPath,
                                                  bool& cached)
{
    opened.reset();
    folder = m_root.get();
    finalPath.clear();
    cached = false;
    if (components.size() < 2) return {};
    std::string key;
    for (std::size_t i = 0; i + 1 < components.size(); ++i)
        key += (i == 0 ? "" : "/") + std::string(components[i]);
    // Many small files land in a few folders: walking each path again (a mkdirat and an openat per
    // component, per file) was most of the net thread's time. Only kept while folder syncs are deferred.
    if (m_deferFolderSyncs) {
        if (const auto it = m_openFolders.find(key); it != m_openFolders.end()) {
            folder = it->second.get();
            finalPath = key + "/";
            cached = true;
            return {};
        }
    }
    for (std::size_t i = 0; i + 1 < components.size(); ++i) {
        const std::string name(components[i]);
        bool created = false;
        auto next = ensureFolderAt(folder, name, kCreatedFolderMode, created, finalPath + name);
        if (!next) return next.error();
        if (created) {
            if (auto synced = syncDescriptor(folder, finalPath.empty() ? "download folder" : finalPath);
                !synced) {
                return synced.error();
            }
        }
        opened = std::move(*next);
        folder = opened.get();
        finalPath += name + "/";
    }
    if (m_deferFolderSyncs) {
        if (m_openFolders.size() >= kMaxOpenFolders) m_openFolders.clear();
        if (UniqueFd kept(::dup(folder)); kept) m_openFolders.emplace(key, std::move(kept));
    }
    return {};
}

Expected<void> ReceiveRoot::syncCommittedFolders()
{
    // Nothing committed since the last call: the burst is over, so the kept folders are let go.
    if (m_unsyncedFolders.empty()) m_openFolders.clear();
    Expected<void> result;
    for (const auto& [id, folder] : m_unsyncedFolders) {
        auto synced = syncDescriptor(folder.fd.get(), folder.path.empty() ? "download folder" : folder.path);
        if (!synced && result) result = synced.error();
    }
    m_unsyncedFolders.clear();
    return result;
}

Expected<std::string> ReceiveRoot::reserveTopLevelName(std::string_view name)
{
    if (auto refused = checkSingleName(name)) return *refused;
    const std::string base(name);
    for (unsigned attempt = 0; attempt <= kMaxNameAttempts; ++attempt) {
        const std::string candidate = attempt == 0 ? base : numberedName(base, attempt, EntryKind::Directory);
        if (::mkdirat(m_root.get(), candidate.c_str(), kCreatedFolderMode) == 0) {
            if (auto synced = syncDescriptor(m_root.get(), "download folder"); !synced) return synced.error();
            return candidate;
        }
        if (errno != EEXIST) return errorFromErrno(errno, "cannot create folder " + quotedName(candidate));
    }
    return StorageError{StorageErrorCode::NamesExhausted, 0,
                        "every alternative name for " + quotedName(name) + " is taken"};
}

Expected<void> ReceiveRoot::releaseTopLevelName(std::string_view reservedName)
{
    if (auto refused = checkSingleName(reservedName)) return *refused;
    const std::string name(reservedName);
    if (::unlinkat(m_root.get(), name.c_str(), AT_REMOVEDIR) == 0) return {};
    const int err = errno;
    // Not empty, already gone, or not a folder at all: in every case there is nothing of ours to remove.
    if (err == ENOTEMPTY || err == EEXIST || err == ENOENT || err == ENOTDIR) return {};
    return errorFromErrno(err, "cannot remove folder " + quotedName(name));
}

Expected<void> ReceiveRoot::discardPartial(const TransferKey& key, std::uint32_t fileIndex)
{
    auto folder = openTransferFolder(key, false);
    if (!folder) {
        if (folder.error().code == StorageErrorCode::NotFound) return {};
        return folder.error();
    }
    const std::string name = partialFileName(fileIndex);
    if (::unlinkat(folder->get(), name.c_str(), 0) != 0 && errno != ENOENT) {
        return errorFromErrno(errno, "cannot delete partial file " + name);
    }
    return {};
}

Expected<void> ReceiveRoot::discardTransfer(const TransferKey& key)
{
    auto area = openPartialArea(false);
    if (!area) return area.error().code == StorageErrorCode::NotFound ? Expected<void>{} : area.error();
    const std::string shown = std::string(kPartialAreaName) + "/" + key.hex();
    {
        auto folder = openFolderAt(area->get(), key.hex(), shown);
        if (!folder)
            return folder.error().code == StorageErrorCode::NotFound ? Expected<void>{} : folder.error();
        auto names = listFolder(folder->get(), shown);
        if (!names) return names.error();
        for (const std::string& name : *names) {
            // Plain unlink only: a folder in here was not made by Duet and is left for the user to inspect.
            if (::unlinkat(folder->get(), name.c_str(), 0) != 0 && errno != ENOENT) {
                return errorFromErrno(errno, "cannot delete " + quotedName(shown + "/" + name));
            }
        }
    }
    if (::unlinkat(area->get(), key.hex().c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
        return errorFromErrno(errno, "cannot remove " + quotedName(shown));
    }
    return {};
}

Expected<std::vector<PartialInfo>> ReceiveRoot::listPartials() const
{
    std::vector<PartialInfo> partials;
    auto area = openPartialArea(false);
    if (!area) {
        if (area.error().code == StorageErrorCode::NotFound) return partials;
        return area.error();
    }
    auto transfers = listFolder(area->get(), kPartialAreaName);
    if (!transfers) return transfers.error();
    for (const std::string& transferName : *transfers) {
        const auto key = TransferKey::fromHex(transferName);
        if (!key) continue;
        auto folder = openFolderAt(area->get(), transferName, transferName);
        if (!folder) continue; // a symlink or file with a key-like name: not ours, never followed
        auto files = listFolder(folder->get(), transferName);
        if (!files) return files.error();
        for (const std::string& fileName : *files) {
            const auto index = parsePartialFileName(fileName);
            struct stat st {};
            if (!index || ::fstatat(folder->get(), fileName.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
            if (!S_ISREG(st.st_mode)) continue;
            partials.push_back(PartialInfo{*key, *index, static_cast<std::uint64_t>(st.st_size)});
        }
    }
    std::sort(partials.begin(), partials.end(), [](const PartialInfo& a, const PartialInfo& b) {
        return a.key != b.key ? a.key < b.key : a.fileIndex < b.fileIndex;
    });
    return partials;
}

Expected<std::uint64_t> ReceiveRoot::availableBytes() const
{
    struct statvfs info {};
    if (::fstatvfs(m_root.get(), &info) != 0) return errorFromErrno(errno, "cannot read free space");
    const std::uint64_t blocks = info.f_bavail;
    const std::uint64_t blockSize = info.f_frsize;
    if (blockSize != 0 && blocks > UINT64_MAX / blockSize) return UINT64_MAX;
    return blocks * blockSize;
}

bool ReceiveRoot::hasRoomFor(std::uint64_t bytes, std::uint64_t reserve) const
{
    const auto available = availableBytes();
    if (!available) return false;
    return bytes <= *available && reserve <= *available - bytes;
}

} // namespace duet::storage
