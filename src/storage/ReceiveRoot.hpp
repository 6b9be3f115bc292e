#pragma once
// The download folder, held open as a directory handle. Every create, rename and delete below it goes
// through *at() calls relative to folder handles opened with O_NOFOLLOW, never through a path string,
// so no pre-existing or swapped-in symlink can redirect a write outside the folder.
//
// Contract: not thread-safe (use one ReceiveRoot from one thread, e.g. the net thread), except that
// openAnonymousPartial and makeDurable only read the root's descriptor and may run on other threads
// while the ReceiveRoot lives (the net layer's sync workers do). Errors are
// returned as values (see StorageError.hpp); nothing received ever overwrites, merges into or deletes
// a file or folder that was already there, except Duet's own partial area.
//
// How the transfer layer uses it for an accepted offer (already checked with validateOffer):
//   1. hasRoomFor(sum of remaining sizes, reserve) before accepting.
//   2. For each top-level name of the offer that is a folder: reserveTopLevelName(name) once, and replace
//      that first component in every destination of the offer by the returned name ("Camera (1)").
//      Top-level files need nothing: commit picks a free name itself.
//   3. Per file: openPartial(key, index), writeAt verified chunks, then commit(partial, destination).
//   4. At the end: discardTransfer(key) (removes leftovers); on cancel also releaseTopLevelName(reserved).
//   After a restart, listPartials() shows what can be resumed.
#include "duet/storage/PartialFile.hpp"
#include "duet/storage/StorageError.hpp"
#include "duet/storage/TransferKey.hpp"
#include "duet/storage/UniqueFd.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace duet::storage {

struct PartialInfo {
    TransferKey key;
    std::uint32_t fileIndex = 0;
    std::uint64_t size = 0;
};

// Modification times outside [1980-01-01, 2100-01-01) are replaced by `now` (Unix seconds).
std::int64_t clampModificationTime(std::int64_t senderSeconds, std::int64_t nowSeconds);

class ReceiveRoot {
public:
    // Opens an existing folder. Refuses a path whose last component is a symlink (SymlinkRefused); the app
    // should store the folder the user picked in resolved form.
    static Expected<ReceiveRoot> open(const std::filesystem::path& folder);

    // Creates <root>/.duet-partial/<key>/<index>.duet-part, or reopens it for resume (size() tells how much
    // is there). A symlink or non-file at any of these names is refused.
    Expected<PartialFile> openPartial(const TransferKey& key, std::uint32_t fileIndex);
    // A partial without a name (O_TMPFILE in the partial area), for a file received in one piece: there
    // is nothing to resume, a crash leaves nothing behind, and no file or folder is created and deleted
    // per file (on ext4 without a journal every recently deleted inode slows each later creation).
    // commit links it into place without replacing. Fails where O_TMPFILE is unsupported: use openPartial.
    Expected<PartialFile> openAnonymousPartial(const TransferKey& key);

    // Moves a finished partial to `destination` (a path validateOffer accepts, in its final form). In order:
    // fsync and set the clamped mtime (permissions are never taken from the sender), create missing parent
    // folders one by one (a symlink or file among them fails the commit), rename without replacing
    // anything ("name (n).ext" when taken), fsync the destination folder. Returns the final relative path.
    // On failure the partial stays where it was, open, for a retry, resume or discard.
    // With deferFolderSyncs(true) the last step waits for syncCommittedFolders() (see there).
    // `durability` AlreadyDurable skips the first step because makeDurable(partial) succeeded and nothing
    // was written to it since (the caller's promise).
    enum class Durability : std::uint8_t { SyncFirst, AlreadyDurable };
    Expected<std::string> commit(PartialFile& partial, std::string_view destination,
                                 std::optional<std::int64_t> senderMtimeSeconds = std::nullopt,
                                 Durability durability = Durability::SyncFirst);
    // The first step of commit alone: set the clamped mtime and fsync the file. Uses only the partial's
    // descriptor and no ReceiveRoot state, so it may run on another thread (SyncWorkers) while the owner
    // keeps away from `partial` until it returns. `shownName` is for messages.
    static Expected<void> makeDurable(const PartialFile& partial,
                                      std::optional<std::int64_t> senderMtimeSeconds,
                                      std::string_view shownName);
    // makeDurable without the fsync, for a group commit: set the clamped mtime, then flushFileSystem()
    // once for the whole group. Same threading rules as makeDurable.
    static Expected<void> setReceivedTime(const PartialFile& partial,
                                          std::optional<std::int64_t> senderMtimeSeconds,
                                          std::string_view shownName);
    // syncfs on the download folder's file system: every file written there so far (all of a group's
    // partials, but also other programs' data) reaches the disk in one journal commit. Only reads the
    // root's descriptor, so any thread may call it. An error may come from another program's file; the
    // caller then falls back to fsyncing its own files one by one.
    Expected<void> flushFileSystem() const;

    // Creates an empty top-level folder named `name`, or "name (n)" if that is taken by anything (file,
    // folder, symlink), and returns the name created. Atomic (mkdir), so two transfers never share one.
    Expected<std::string> reserveTopLevelName(std::string_view name);
    // Removes a reserved top-level folder if it is still empty; keeps it (and succeeds) otherwise.
    Expected<void> releaseTopLevelName(std::string_view reservedName);

    // Deletes one partial; succeeds if it does not exist.
    Expected<void> discardPartial(const TransferKey& key, std::uint32_t fileIndex);
    // Deletes all partials of a transfer and its folder; succeeds if it does not exist.
    Expected<void> discardTransfer(const TransferKey& key);
    // All partials, sorted by key then index. Entries not made by Duet are ignored.
    Expected<std::vector<PartialInfo>> listPartials() const;

    // Bytes available to this (unprivileged) user on the folder's file system (fstatvfs).
    Expected<std::uint64_t> availableBytes() const;
    // availableBytes() >= bytes + reserve (without overflow); false when the check itself fails.
    bool hasRoomFor(std::uint64_t bytes, std::uint64_t reserve) const;

    // The path given to open(), for display only; never used to reach files.
    const std::filesystem::path& displayPath() const { return m_displayPath; }

    // Many small files: when deferred, commit keeps each destination folder open instead of fsyncing it
    // after every rename, and syncCommittedFolders() fsyncs each such folder once. The file's own data
    // is still synced before its rename, so a final name never holds unverified bytes; until the folder
    // sync, a crash may undo the rename (the file stays in the partial area). Call it before recording
    // the commits anywhere durable. Returns the first failure; every folder is tried and released.
    void deferFolderSyncs(bool deferred) { m_deferFolderSyncs = deferred; }
    Expected<void> syncCommittedFolders();
    std::size_t unsyncedFolderCount() const { return m_unsyncedFolders.size(); }

private:
    ReceiveRoot(UniqueFd root, std::filesystem::path displayPath);
    Expected<UniqueFd> openPartialArea(bool create) const;
    Expected<UniqueFd> openTransferFolder(const TransferKey& key, bool create) const;
    // The folder a commit links into (every component but the last), created as needed: `folder` is the
    // descriptor to use, owned by `opened` or by the cache (`cached`), and `finalPath` its relative path
    // with a trailing "/" ("" for the root).
    Expected<void> openDestinationFolder(const std::vector<std::string_view>& components, UniqueFd& opened,
                                         int& folder, std::string& finalPath, bool& cached);

    UniqueFd m_root;
    std::filesystem::path m_displayPath;
    struct UnsyncedFolder {
        UniqueFd fd;
        std::string path; // relative, for messages ("" is the root)
    };
    using FolderId = std::pair<std::uint64_t, std::uint64_t>; // st_dev, st_ino
    bool m_deferFolderSyncs = false;
    std::map<FolderId, UnsyncedFolder> m_unsyncedFolders;
    // With deferred folder syncs: destination folders by relative path, kept open between commits (a
    // deleted one is walked again; a renamed one keeps receiving, like any open folder would).
    std::map<std::string, UniqueFd> m_openFolders;
};

} // namespace duet::storage
