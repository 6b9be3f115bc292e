#pragma once
// The disk adapters the transfer state machines need, on top of POSIX and src/storage.
// Thread: called from the net thread only (like the TransferManager that calls them); StorageReceiveSink
// runs fsyncs on its own worker threads (see there). Errors are IoError values.
#include "duet/storage/ReceiveRoot.hpp"
#include "duet/storage/SyncWorkers.hpp"
#include "duet/transfer/ReceiveSink.hpp"
#include "duet/transfer/SourceFiles.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

namespace duet::net {

// The sender's files, by (offer, file) id, read with pread through a cached descriptor per file.
class PosixSourceFiles final : public transfer::SourceFiles {
public:
    void add(const transfer::FileKey& file, std::filesystem::path localPath);
    void forgetOffer(std::uint64_t offerId);
    bool knows(const transfer::FileKey& file) const { return m_files.count(key(file)) != 0; }
    std::size_t fileCount() const { return m_files.size(); }

    transfer::IoResult<transfer::SourceStat> stat(const transfer::FileKey& file) override;
    transfer::IoResult<std::size_t> read(const transfer::FileKey& file, std::uint64_t offset,
                                         std::span<std::uint8_t> out) override;
    void release(const transfer::FileKey& file) override;

private:
    struct Source {
        std::filesystem::path path;
        storage::UniqueFd fd;
    };
    static std::pair<std::uint64_t, std::uint64_t> key(const transfer::FileKey& f)
    {
        return {f.offerId, f.fileId};
    }
    std::map<std::pair<std::uint64_t, std::uint64_t>, Source> m_files;
};

// Received files in the download folder's partial area. Each file gets its own transfer folder
// .duet-partial/<key>/ with the data in 0.duet-part and one BLAKE2b-256 per written chunk in
// 1.duet-part, so a resume (also after a restart) trusts only chunks whose hash still matches.
// <key> is derived from the peer's fingerprint and the offer and file ids, so it is stable across
// restarts and distinct between peers. A file of one chunk is received into an unnamed file instead
// (ReceiveRoot::openAnonymousPartial): nothing to resume, nothing created and deleted per file; one of
// at most 64 KiB is even held in memory until verified (at most 2 x filesRequestedAhead per offer).
// A verified file's fsync (and mtime) runs on a few worker threads (startSync, at most kMaxSyncing at
// once); the net thread collects the outcomes with takeSynced() and only then names the file (commit).
// Small files are synced as a group (a group commit): each is written and timed on a worker as above,
// then one job flushes the file system once (syncfs) for all written so far, and those written while
// it runs form the next group: a folder of thousands of small files costs a few hundred journal commits
// instead of one fsync each.
class StorageReceiveSink final : public transfer::ReceiveSink {
public:
    static constexpr std::size_t kSyncThreads = 8;
    static constexpr std::size_t kMaxSyncing = 128;
    // Files up to this size join a group commit; larger ones, written back as they arrive, fsync alone.
    static constexpr std::uint64_t kGroupCommitMaxBytes = 1u << 20;
    struct Synced {
        transfer::FileKey file;
        transfer::IoStatus status;
    };

    // `root` may be empty (no usable download folder): every call then fails with a clear message.
    StorageReceiveSink(std::shared_ptr<storage::ReceiveRoot> root, std::filesystem::path rootPath,
                       std::string peerFingerprint);
    ~StorageReceiveSink() override;

    // The whole-file hash of the last file committed under this key (hex), for the UI.
    std::optional<std::string> committedHash(const transfer::FileKey& file) const;
    const std::filesystem::path& rootPath() const { return m_rootPath; }
    // Makes the renames of commits so far durable (their folders' fsyncs are batched, see
    // ReceiveRoot::deferFolderSyncs); call before saving resume records that name those files.
    void syncCommitted();
    // Drops what is remembered about a finished offer (names reserved, hashes, open partials).
    void forgetOffer(std::uint64_t offerId);
    // After a restart: the offer's top-level folder `offeredTop` was received as `reservedTop` (from the
    // records), so its remaining files go there too instead of into a newly reserved "name (n)".
    void restoreTopLevel(std::uint64_t offerId, const std::string& offeredTop,
                         const std::string& reservedTop);
    // After a restart: `file` was not recorded complete. If a crash came between its rename and the save
    // of its record, its final name already holds it: commit then counts that file (same size and
    // BLAKE2b) as done instead of adding "name (1)".
    void expectResumed(const transfer::FileKey& file) { m_resumed.insert(key(file)); }
    // Entries held across all offers, to check that finished offers leave nothing behind.
    std::size_t heldEntries() const { return m_open.size() + m_topLevel.size() + m_hashes.size(); }
    // Outcomes of background syncs since the last call, for TransferManager::onPartialSynced; abandoned
    // ones are left out.
    std::vector<Synced> takeSynced();
    // Background syncs started whose outcome has not been taken yet (abandoned ones included).
    std::size_t syncsPending() const { return m_syncs.size(); }
    // Group flushes started so far (each covers one or more small files), for tests and diagnostics.
    std::uint64_t groupFlushes() const { return m_groupFlushes; }

    transfer::IoResult<std::uint64_t> freeSpace() override;
    transfer::IoResult<std::string> createDirectory(std::uint64_t offerId,
                                                    const wire::OfferEntry& entry) override;
    transfer::IoResult<std::uint64_t> openPartial(const transfer::FileKey& file,
                                                  const wire::OfferEntry& entry) override;
    transfer::IoResult<std::size_t> readPartial(const transfer::FileKey& file, std::uint64_t offset,
                                                std::span<std::uint8_t> out) override;
    transfer::IoStatus writeChunk(const transfer::FileKey& file, std::uint64_t index,
                                  wire::ByteSpan bytes) override;
    transfer::IoResult<std::string> commit(const transfer::FileKey& file,
                                           const transfer::Hash32& hash) override;
    void closePartial(const transfer::FileKey& file) override;
    void discardPartial(const transfer::FileKey& file) override;
    bool startSync(const transfer::FileKey& file) override;

private:
    struct Open;
    struct SyncGroup;
    using Key = std::pair<std::uint64_t, std::uint64_t>;
    static Key key(const transfer::FileKey& f) { return {f.offerId, f.fileId}; }
    storage::TransferKey storageKey(const transfer::FileKey& file) const;
    // The destination of `path` with its top-level folder replaced by the one reserved for this offer.
    transfer::IoResult<std::string> destinationFor(std::uint64_t offerId, const std::string& path,
                                                   bool isDirectory);
    transfer::IoError noRoot() const;
    // Creates the unnamed partial of a small file held in memory and writes it. Runs on a sync worker
    // (ReceiveRoot::openAnonymousPartial only reads the root's descriptor) or, as a fallback, in commit.
    // Hands the written files waiting for a group commit to a worker, unless a flush runs already.
    void submitFlush();
    // The outcome of one file's sync: marks it durable (or not) and queues its report.
    void reportSynced(std::uint64_t ticket, const storage::Expected<void>& result, std::vector<Synced>& out);
    static storage::Expected<void> flushGroup(storage::ReceiveRoot& root, SyncGroup& group);
    static storage::Expected<void> writeHeld(storage::ReceiveRoot& root, Open& open,
                                             const storage::TransferKey& partialKey);
    // True when `destination` is a regular file (reached without following symlinks) of `size` bytes
    // whose BLAKE2b-256 is `hash`.
    bool holdsSameFile(const std::string& destination, std::uint64_t size,
                       const transfer::Hash32& hash) const;

    std::shared_ptr<storage::ReceiveRoot> m_root;
    std::filesystem::path m_rootPath;
    std::string m_fingerprint;
    std::map<Key, std::shared_ptr<Open>> m_open;                             // shared with a running sync job
    std::map<std::pair<std::uint64_t, std::string>, std::string> m_topLevel; // (offer, name) -> reserved
    std::map<Key, std::string> m_hashes;
    std::set<Key> m_resumed;
    std::map<std::uint64_t, Key> m_syncs;      // running or unreported syncs, by ticket
    std::set<std::uint64_t> m_grouped;         // syncs whose first job only writes: a flush follows
    std::vector<std::uint64_t> m_flushWaiting; // written grouped files, for the next flush
    std::uint64_t m_flushTicket = 0;           // the worker job flushing a group, or 0
    std::shared_ptr<SyncGroup> m_flushing;     // that job's group
    std::uint64_t m_groupFlushes = 0;
    bool m_anonymousWorks = false; // an unnamed partial was created here once
    std::uint64_t m_lastTicket = 0;
    std::unique_ptr<storage::SyncWorkers> m_syncWorkers; // last: joined first, before what jobs refer to
};

} // namespace duet::net
