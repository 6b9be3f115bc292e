#include "duet/net/TransferFiles.hpp"

#include "duet/crypto/Hashing.hpp"
#include "duet/storage/FolderOps.hpp"
#include "duet/storage/PartialChecksum.hpp"
#include "duet/storage/PathValidator.hpp"
#include "duet/transfer/ChunkMath.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace duet::net {
namespace {

constexpr std::uint32_t kDataIndex = 0;
// Per-chunk checksums (storage::partialChecksum). Index 1 held BLAKE2b hashes in earlier builds; it is
// never read, so such partials resume from their first chunk, and goes with its transfer's folder.
constexpr std::uint32_t kHashIndex = 2;
constexpr std::size_t kHashBytes = storage::kPartialChecksumBytes;

transfer::IoError ioError(const storage::StorageError& error)
{
    const wire::FileOutcome outcome = error.code == storage::StorageErrorCode::NoSpace
                                          ? wire::FileOutcome::DiskFull
                                          : wire::FileOutcome::WriteFailed;
    return {outcome, error.message};
}

// A small file's bytes go to disk only once verified, on a sync worker (or in commit when there is none):
// the unnamed partial's creation, the write and the fsync then all happen away from the net thread.
constexpr std::uint64_t kMaxHeldBytes = 64u << 10;
// Received data is handed to the disk in slices of this size (StorageReceiveSink::writeChunk).
constexpr std::uint64_t kWritebackBytes = 16u << 20;

transfer::IoError sourceError(const std::string& what)
{
    return {wire::FileOutcome::SourceUnreadable, what + ": " + std::strerror(errno)};
}

std::int64_t mtimeMs(const struct stat& st)
{
    // Whole seconds, like the offer (storage::Selection): a change check must compare like with like.
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000;
}

} // namespace

// ---- Sender ----

void PosixSourceFiles::add(const transfer::FileKey& file, std::filesystem::path localPath)
{
    m_files[key(file)] = Source{std::move(localPath), {}};
}

void PosixSourceFiles::forgetOffer(std::uint64_t offerId)
{
    std::erase_if(m_files, [offerId](const auto& item) { return item.first.first == offerId; });
}

transfer::IoResult<transfer::SourceStat> PosixSourceFiles::stat(const transfer::FileKey& file)
{
    const auto found = m_files.find(key(file));
    if (found == m_files.end()) return transfer::IoError{wire::FileOutcome::SourceUnreadable, "unknown file"};
    struct stat st {};
    // A picked file that is a symlink was resolved once by the selection; the path here is what it named.
    if (::stat(found->second.path.c_str(), &st) != 0) return sourceError("cannot read the file");
    if (!S_ISREG(st.st_mode))
        return transfer::IoError{wire::FileOutcome::SourceUnreadable, "no longer a regular file"};
    return transfer::SourceStat{static_cast<std::uint64_t>(st.st_size), mtimeMs(st)};
}

transfer::IoResult<std::size_t> PosixSourceFiles::read(const transfer::FileKey& file, std::uint64_t offset,
                                                       std::span<std::uint8_t> out)
{
    const auto found = m_files.find(key(file));
    if (found == m_files.end()) return transfer::IoError{wire::FileOutcome::SourceUnreadable, "unknown file"};
    Source& source = found->second;
    if (!source.fd) {
        source.fd.reset(::open(source.path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!source.fd) return sourceError("cannot open the file");
    }
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n =
            ::pread(source.fd.get(), out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sourceError("cannot read the file");
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    return done;
}

void PosixSourceFiles::release(const transfer::FileKey& file)
{
    if (const auto found = m_files.find(key(file)); found != m_files.end()) found->second.fd.reset();
}

// ---- Receiver ----

struct StorageReceiveSink::Open {
    // None while a small file is held in memory: its sync creates the unnamed partial (writeHeld).
    std::optional<storage::PartialFile> data;
    std::optional<storage::PartialFile> hashes; // none for a file received in one piece
    wire::OfferEntry entry;
    wire::Bytes held;                // a small file's one chunk, until writeHeld
    std::uint64_t syncTicket = 0;    // the background sync running for it, or 0
    bool durable = false;            // a background sync finished and nothing was written since
    std::uint64_t writebackFrom = 0; // data before this offset was handed to startWriteback
    std::uint64_t releasedUpTo = 0;  // cached pages before this offset were released (releaseCached)
};

StorageReceiveSink::StorageReceiveSink(std::shared_ptr<storage::ReceiveRoot> root,
                                       std::filesystem::path rootPath, std::string peerFingerprint)
    : m_root(std::move(root)), m_rootPath(std::move(rootPath)), m_fingerprint(std::move(peerFingerprint))
{
    // One fsync per folder per save instead of one per file: small files arrive hundreds a second.
    if (m_root) m_root->deferFolderSyncs(true);
}

StorageReceiveSink::~StorageReceiveSink()
{
    syncCommitted();
}

void StorageReceiveSink::syncCommitted()
{
    // A failed folder fsync leaves the files in place, as an immediate one would; nothing to report.
    if (m_root) (void)m_root->syncCommittedFolders();
}

void StorageReceiveSink::forgetOffer(std::uint64_t offerId)
{
    std::erase_if(m_open, [offerId](const auto& item) { return item.first.first == offerId; });
    std::erase_if(m_topLevel, [offerId](const auto& item) { return item.first.first == offerId; });
    std::erase_if(m_hashes, [offerId](const auto& item) { return item.first.first == offerId; });
    std::erase_if(m_resumed, [offerId](const Key& item) { return item.first == offerId; });
}

void StorageReceiveSink::restoreTopLevel(std::uint64_t offerId, const std::string& offeredTop,
                                         const std::string& reservedTop)
{
    m_topLevel.emplace(std::pair{offerId, offeredTop}, reservedTop);
}

bool StorageReceiveSink::holdsSameFile(const std::string& destination, std::uint64_t size,
                                       const transfer::Hash32& hash) const
{
    storage::UniqueFd at(::open(m_rootPath.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    const std::vector<std::string_view> parts = storage::splitPath(destination);
    if (!at || parts.empty()) return false;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        at.reset(::openat(at.get(), std::string(parts[i]).c_str(),
                          O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!at) return false;
    }
    // O_NONBLOCK: a FIFO planted under the name must not block the net thread.
    storage::UniqueFd file(::openat(at.get(), std::string(parts.back()).c_str(),
                                    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    struct stat st {};
    if (!file || ::fstat(file.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
        static_cast<std::uint64_t>(st.st_size) != size)
        return false;
    crypto::Hasher hasher;
    std::vector<std::uint8_t> buffer(transfer::kChunkBytes);
    std::uint64_t done = 0;
    while (done < size) { // bounded: every round reads at least one byte or returns
        const ssize_t n = ::pread(file.get(), buffer.data(), buffer.size(), static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        hasher.update(wire::ByteSpan(buffer.data(), static_cast<std::size_t>(n)));
        done += static_cast<std::uint64_t>(n);
    }
    return done == size && hasher.finish() == hash;
}

transfer::IoError StorageReceiveSink::noRoot() const
{
    return {wire::FileOutcome::WriteFailed, "the download folder " + m_rootPath.string() + " cannot be used"};
}

storage::TransferKey StorageReceiveSink::storageKey(const transfer::FileKey& file) const
{
    std::uint8_t ids[16];
    for (int i = 0; i < 8; ++i) {
        ids[i] = static_cast<std::uint8_t>(file.offerId >> (8 * i));
        ids[8 + i] = static_cast<std::uint8_t>(file.fileId >> (8 * i));
    }
    const auto* fp = reinterpret_cast<const std::uint8_t*>(m_fingerprint.data());
    const crypto::Hash32 digest =
        crypto::blake2b256({wire::ByteSpan(fp, m_fingerprint.size()), wire::ByteSpan(ids, 16)});
    // 16 bytes are plenty to keep partial folders apart.
    return *storage::TransferKey::fromBytes(std::span<const std::uint8_t>(digest.data(), 16));
}

std::optional<std::string> StorageReceiveSink::committedHash(const transfer::FileKey& file) const
{
    const auto found = m_hashes.find(key(file));
    if (found == m_hashes.end()) return std::nullopt;
    return found->second;
}

transfer::IoResult<std::uint64_t> StorageReceiveSink::freeSpace()
{
    if (!m_root) return noRoot();
    storage::Expected<std::uint64_t> bytes = m_root->availableBytes();
    if (!bytes) return ioError(bytes.error());
    return *bytes;
}

transfer::IoResult<std::string> StorageReceiveSink::destinationFor(std::uint64_t offerId,
                                                                   const std::string& path, bool isDirectory)
{
    const std::size_t slash = path.find('/');
    if (slash == std::string::npos && !isDirectory) return path; // commit picks a free name itself
    const std::string top = path.substr(0, slash);
    auto found = m_topLevel.find({offerId, top});
    if (found == m_topLevel.end()) {
        storage::Expected<std::string> reserved = m_root->reserveTopLevelName(top);
        if (!reserved) return ioError(reserved.error());
        found = m_topLevel.emplace(std::pair{offerId, top}, *reserved).first;
    }
    return slash == std::string::npos ? found->second : found->second + path.substr(slash);
}

transfer::IoResult<std::string> StorageReceiveSink::createDirectory(std::uint64_t offerId,
                                                                    const wire::OfferEntry& entry)
{
    if (!m_root) return noRoot();
    transfer::IoResult<std::string> destination = destinationFor(offerId, entry.path, true);
    if (!destination.ok()) return destination;
    // The top-level folder exists (reserved); create the rest one component at a time through handles.
    storage::UniqueFd folder(::open(m_rootPath.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!folder) return ioError(storage::errorFromErrno(errno, "cannot open the download folder"));
    for (std::string_view part : storage::splitPath(destination.value())) {
        bool created = false;
        storage::Expected<storage::UniqueFd> next =
            storage::ensureFolderAt(folder.get(), std::string(part), 0755, created, part);
        if (!next) return ioError(next.error());
        folder = std::move(*next);
    }
    return destination;
}

transfer::IoResult<std::uint64_t> StorageReceiveSink::openPartial(const transfer::FileKey& file,
                                                                  const wire::OfferEntry& entry)
{
    if (!m_root) return noRoot();
    const storage::TransferKey storage = storageKey(file);
    if (transfer::chunkCount(entry.size) <= 1) {
        // One chunk: a crash loses at most that chunk, so no chunk checksums and no named files are needed.
        // Small ones stay in memory until their sync (once unnamed files are known to work here).
        // Where unnamed files are unsupported, the named partial below does the job.
        if (m_anonymousWorks && entry.size <= kMaxHeldBytes) {
            m_open[key(file)] = std::make_shared<Open>(Open{std::nullopt, std::nullopt, entry, {}});
            return std::uint64_t{0};
        }
        if (storage::Expected<storage::PartialFile> data = m_root->openAnonymousPartial(storage)) {
            m_anonymousWorks = true;
            m_open[key(file)] = std::make_shared<Open>(Open{std::move(*data), std::nullopt, entry, {}});
            return std::uint64_t{0};
        }
    }
    storage::Expected<storage::PartialFile> data = m_root->openPartial(storage, kDataIndex);
    if (!data) return ioError(data.error());
    storage::Expected<storage::PartialFile> hashes = m_root->openPartial(storage, kHashIndex);
    if (!hashes) return ioError(hashes.error());

    // Trust only leading chunks whose bytes still hash to what was recorded when they were written.
    const std::uint64_t chunks = transfer::chunkCount(entry.size);
    const std::uint64_t recorded = std::min<std::uint64_t>(hashes->size() / kHashBytes, chunks);
    std::vector<std::uint8_t> buffer(transfer::kChunkBytes);
    std::uint64_t good = 0;
    for (; good < recorded; ++good) {
        const std::uint64_t length = transfer::chunkLength(entry.size, good);
        storage::Expected<std::size_t> got =
            data->readAt(good * transfer::kChunkBytes, std::span(buffer.data(), length));
        if (!got || *got != length) break;
        std::uint8_t expected[kHashBytes];
        storage::Expected<std::size_t> gotHash =
            hashes->readAt(good * kHashBytes, std::span(expected, kHashBytes));
        if (!gotHash || *gotHash != kHashBytes) break;
        const storage::PartialChecksum actual = storage::partialChecksum(std::span(buffer.data(), length));
        if (std::memcmp(actual.data(), expected, kHashBytes) != 0) break;
    }
    if (storage::Expected<void> cut = data->truncate(transfer::bytesBeforeChunk(entry.size, good)); !cut)
        return ioError(cut.error());
    if (storage::Expected<void> cut = hashes->truncate(good * kHashBytes); !cut) return ioError(cut.error());
    m_open[key(file)] = std::make_shared<Open>(Open{std::move(*data), std::move(*hashes), entry, {}});
    return good;
}

transfer::IoResult<std::size_t> StorageReceiveSink::readPartial(const transfer::FileKey& file,
                                                                std::uint64_t offset,
                                                                std::span<std::uint8_t> out)
{
    const auto found = m_open.find(key(file));
    if (found == m_open.end()) return transfer::IoError{wire::FileOutcome::WriteFailed, "partial not open"};
    const Open& open = *found->second;
    if (open.syncTicket != 0)
        return transfer::IoError{wire::FileOutcome::WriteFailed, "the file is being synced"};
    if (!open.data) { // held in memory
        if (offset >= open.held.size()) return std::size_t{0};
        const std::size_t count = std::min<std::size_t>(out.size(), open.held.size() - offset);
        std::memcpy(out.data(), open.held.data() + offset, count);
        return count;
    }
    storage::Expected<std::size_t> got = open.data->readAt(offset, out);
    if (!got) return ioError(got.error());
    return *got;
}

transfer::IoStatus StorageReceiveSink::writeChunk(const transfer::FileKey& file, std::uint64_t index,
                                                  wire::ByteSpan bytes)
{
    const auto found = m_open.find(key(file));
    if (found == m_open.end()) return transfer::IoError{wire::FileOutcome::WriteFailed, "partial not open"};
    Open& open = *found->second;
    if (open.syncTicket != 0)
        return transfer::IoError{wire::FileOutcome::WriteFailed, "the file is being synced"};
    open.durable = false;
    if (!open.data) {
        if (index != 0)
            return transfer::IoError{wire::FileOutcome::WriteFailed, "a small file has one chunk"};
        open.held.assign(bytes.begin(), bytes.end());
        return transfer::Done{};
    }
    if (storage::Expected<void> wrote = open.data->writeAt(index * transfer::kChunkBytes, bytes); !wrote)
        return ioError(wrote.error());
    // Write back as we go: a 1 GiB file left dirty to the end took ~1 s to fsync, and every other fsync on
    // the disk (the chat outbox's, another program's) waited behind it.
    const std::uint64_t end = index * transfer::kChunkBytes + bytes.size();
    if (end >= open.writebackFrom + kWritebackBytes) {
        (void)open.data->startWriteback(open.writebackFrom, end - open.writebackFrom);
        // The slice before this one was handed to the disk a slice ago: its pages can go. A large file
        // then neither evicts the page cache of everything else nor keeps asking the kernel for fresh
        // pages (measured on loopback, 2 GiB: 181-204 MB/s kept, 247-253 released).
        if (open.writebackFrom > open.releasedUpTo) {
            open.data->releaseCached(open.releasedUpTo, open.writebackFrom - open.releasedUpTo);
            open.releasedUpTo = open.writebackFrom;
        }
        open.writebackFrom = end;
    }
    if (!open.hashes) return transfer::Done{};
    // The checksum goes in after the data: a crash between the two loses this chunk, never trusts it
    // blindly.
    const storage::PartialChecksum digest = storage::partialChecksum(bytes);
    if (storage::Expected<void> wrote = open.hashes->writeAt(index * kHashBytes, digest); !wrote)
        return ioError(wrote.error());
    return transfer::Done{};
}

transfer::IoResult<std::string> StorageReceiveSink::commit(const transfer::FileKey& file,
                                                           const transfer::Hash32& hash)
{
    const auto found = m_open.find(key(file));
    if (found == m_open.end()) return transfer::IoError{wire::FileOutcome::WriteFailed, "partial not open"};
    Open& open = *found->second;
    if (open.syncTicket != 0)
        return transfer::IoError{wire::FileOutcome::WriteFailed, "the file is still being synced"};
    transfer::IoResult<std::string> destination = destinationFor(file.offerId, open.entry.path, false);
    if (!destination.ok()) return destination;
    if (m_resumed.erase(key(file)) != 0 && holdsSameFile(destination.value(), open.entry.size, hash)) {
        // Renamed into place before a crash that came before its record was saved: this is that file.
        const bool named = open.hashes.has_value();
        m_open.erase(found);
        if (named) (void)m_root->discardTransfer(storageKey(file));
        m_hashes[key(file)] = crypto::toHex(hash);
        return destination.value();
    }
    if (!open.data) { // no sync ran (the workers were full): write it out here
        if (storage::Expected<void> wrote = writeHeld(*m_root, open, storageKey(file)); !wrote)
            return ioError(wrote.error());
    }
    storage::Expected<std::string> placed =
        m_root->commit(*open.data, destination.value(), open.entry.mtimeMs / 1000,
                       open.durable ? storage::ReceiveRoot::Durability::AlreadyDurable
                                    : storage::ReceiveRoot::Durability::SyncFirst);
    if (!placed) return ioError(placed.error());
    const bool named = open.hashes.has_value();
    m_open.erase(found);
    if (named) (void)m_root->discardTransfer(storageKey(file)); // the chunk checksums are no longer needed
    m_hashes[key(file)] = crypto::toHex(hash);
    return *placed;
}

storage::Expected<void> StorageReceiveSink::writeHeld(storage::ReceiveRoot& root, Open& open,
                                                      const storage::TransferKey& partialKey)
{
    storage::Expected<storage::PartialFile> made = root.openAnonymousPartial(partialKey);
    if (!made) return made.error();
    if (storage::Expected<void> wrote = made->writeAt(0, open.held); !wrote) return wrote;
    open.data = std::move(*made);
    open.held = {};
    return {};
}

struct StorageReceiveSink::SyncGroup {
    struct Member {
        std::uint64_t ticket = 0;
        std::shared_ptr<Open> open;     // keeps the descriptor alive, like a single sync's capture
        storage::Expected<void> result; // written by the job, read by the net thread once it is taken
    };
    std::vector<Member> members;
};

bool StorageReceiveSink::startSync(const transfer::FileKey& file)
{
    const auto found = m_open.find(key(file));
    if (found == m_open.end() || found->second->syncTicket != 0) return false;
    if (!m_syncWorkers) m_syncWorkers = std::make_unique<storage::SyncWorkers>(kSyncThreads, kMaxSyncing);
    const std::uint64_t ticket = ++m_lastTicket;
    // The job holds the Open, so its descriptor outlives a close or discard that abandons the sync. It
    // only reads the descriptor; the net thread leaves the data file alone until the outcome is taken.
    // A small file held in memory is written here too; the net thread keeps away from `data` until then.
    std::shared_ptr<Open> open = found->second;
    const bool grouped = open->entry.size <= kGroupCommitMaxBytes;
    const bool queued =
        m_syncWorkers->submit(ticket, [open, grouped, root = m_root, partialKey = storageKey(file)] {
            if (!open->data) {
                if (storage::Expected<void> wrote = writeHeld(*root, *open, partialKey); !wrote) return wrote;
            }
            const std::int64_t mtime = open->entry.mtimeMs / 1000;
            // A grouped file's data reaches the disk with its group's flush (submitFlush).
            return grouped ? storage::ReceiveRoot::setReceivedTime(*open->data, mtime, open->entry.path)
                           : storage::ReceiveRoot::makeDurable(*open->data, mtime, open->entry.path);
        });
    if (!queued) return false; // full: commit() syncs on this thread instead
    found->second->syncTicket = ticket;
    m_syncs.emplace(ticket, key(file));
    if (grouped) m_grouped.insert(ticket);
    return true;
}

void StorageReceiveSink::submitFlush()
{
    // One flush at a time: the files written while one runs are what the next covers, so a group grows
    // with the disk's latency instead of waiting for a timer.
    if (m_flushTicket != 0 || m_flushWaiting.empty()) return;
    auto group = std::make_shared<SyncGroup>();
    for (const std::uint64_t ticket : m_flushWaiting) {
        const auto sync = m_syncs.find(ticket);
        if (sync == m_syncs.end()) continue;
        const auto open = m_open.find(sync->second);
        if (open == m_open.end() || open->second->syncTicket != ticket) {
            m_syncs.erase(sync); // abandoned while it waited: nobody expects its outcome
            continue;
        }
        group->members.push_back({ticket, open->second, {}});
    }
    m_flushWaiting.clear();
    if (group->members.empty()) return;
    const std::uint64_t ticket = ++m_lastTicket;
    if (!m_syncWorkers->submit(ticket, [group, root = m_root] { return flushGroup(*root, *group); })) {
        for (const SyncGroup::Member& member : group->members) // full: tried again when a job is taken
            m_flushWaiting.push_back(member.ticket);
        return;
    }
    ++m_groupFlushes;
    m_flushTicket = ticket;
    m_flushing = std::move(group);
}

storage::Expected<void> StorageReceiveSink::flushGroup(storage::ReceiveRoot& root, SyncGroup& group)
{
    if (group.members.size() > 1 && root.flushFileSystem()) return {};
    // syncfs reports a write error of any file on that disk, possibly another program's: find out which
    // of ours, if any, by syncing them one by one (and one alone needs no more than its own fsync).
    for (SyncGroup::Member& member : group.members) {
        if (storage::Expected<void> flushed = member.open->data->sync(); !flushed)
            member.result =
                storage::errorFromErrno(flushed.error().systemError,
                                        "cannot flush the received file \"" + member.open->entry.path + '"');
    }
    return {};
}

std::vector<StorageReceiveSink::Synced> StorageReceiveSink::takeSynced()
{
    std::vector<Synced> synced;
    if (!m_syncWorkers) return synced;
    for (storage::SyncWorkers::Completion& done : m_syncWorkers->takeCompleted()) {
        if (done.ticket == m_flushTicket) {
            m_flushTicket = 0;
            const std::shared_ptr<SyncGroup> group = std::move(m_flushing);
            for (const SyncGroup::Member& member : group->members)
                reportSynced(member.ticket, done.result ? member.result : done.result, synced);
            continue;
        }
        if (m_grouped.erase(done.ticket) != 0 && done.result) {
            m_flushWaiting.push_back(done.ticket); // written, not yet on disk
            continue;
        }
        reportSynced(done.ticket, done.result, synced);
    }
    submitFlush();
    return synced;
}

void StorageReceiveSink::reportSynced(std::uint64_t ticket, const storage::Expected<void>& result,
                                      std::vector<Synced>& out)
{
    const auto found = m_syncs.find(ticket);
    if (found == m_syncs.end()) return;
    const Key fileKey = found->second;
    m_syncs.erase(found);
    const auto open = m_open.find(fileKey);
    // Gone, or reopened since (a retry): this outcome belongs to an abandoned partial.
    if (open == m_open.end() || open->second->syncTicket != ticket) return;
    open->second->syncTicket = 0;
    open->second->durable = result.ok();
    const transfer::FileKey reported{fileKey.first, fileKey.second};
    if (result.ok())
        out.push_back({reported, transfer::Done{}});
    else
        out.push_back({reported, ioError(result.error())});
}

void StorageReceiveSink::closePartial(const transfer::FileKey& file)
{
    if (const auto found = m_open.find(key(file)); found != m_open.end()) {
        if (found->second->hashes) {
            (void)found->second->data->sync();
            (void)found->second->hashes->sync();
        }
        m_open.erase(found);
    }
}

void StorageReceiveSink::discardPartial(const transfer::FileKey& file)
{
    m_open.erase(key(file));
    if (m_root) (void)m_root->discardTransfer(storageKey(file));
}

} // namespace duet::net
