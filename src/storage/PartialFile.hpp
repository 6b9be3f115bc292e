#pragma once
// One file being received: <root>/.duet-partial/<key>/<index>.duet-part, open for writing. Obtain it from
// ReceiveRoot::openPartial, finish it with ReceiveRoot::commit. Move-only; use from one thread at a time.
// The file stays in the partial area until commit, so it never appears under its final name half-written.
#include "duet/storage/StorageError.hpp"
#include "duet/storage/TransferKey.hpp"
#include "duet/storage/UniqueFd.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace duet::storage {

class PartialFile {
public:
    PartialFile(PartialFile&&) noexcept = default;
    PartialFile& operator=(PartialFile&&) noexcept = default;

    const TransferKey& key() const { return m_key; }
    std::uint32_t fileIndex() const { return m_fileIndex; }
    // Bytes in the file: its size when opened (a resumed partial), grown by writes, set by truncate.
    // Not a statement that the bytes are verified; resume from what the transfer layer has verified.
    std::uint64_t size() const { return m_size; }
    // False after a successful commit.
    bool isOpen() const { return static_cast<bool>(m_file); }
    // A file without a name (ReceiveRoot::openAnonymousPartial): gone when closed, linked into place by
    // commit.
    bool isAnonymous() const { return m_anonymous; }

    // pwrite of all bytes at offset (retries short writes and EINTR). OutOfRange if offset + length
    // would pass the largest file size the system allows (2^63 - 1).
    Expected<void> writeAt(std::uint64_t offset, std::span<const std::uint8_t> bytes);
    // Reads up to out.size() bytes; returns the count (0 at or past the end).
    Expected<std::size_t> readAt(std::uint64_t offset, std::span<std::uint8_t> out) const;
    // Cuts or extends the file to exactly `size` bytes (e.g. back to the last verified chunk on resume).
    Expected<void> truncate(std::uint64_t size);
    // fsync of the data written so far.
    Expected<void> sync();
    // Starts writing [offset, offset + length) back to disk without waiting for it (sync_file_range),
    // so a later sync() finds little left to do. A hint: durability still comes only from sync().
    // That writeback goes at the idle I/O priority (BackgroundIo.hpp).
    Expected<void> startWriteback(std::uint64_t offset, std::uint64_t length);
    // Lets the kernel drop the cached pages of [offset, offset + length) that are already on disk
    // (POSIX_FADV_DONTNEED); dirty pages stay. A hint: the data is unchanged, only re-reads cost a read.
    void releaseCached(std::uint64_t offset, std::uint64_t length);

private:
    friend class ReceiveRoot;
    PartialFile(UniqueFd transferFolder, UniqueFd file, TransferKey key, std::uint32_t fileIndex,
                std::uint64_t size, bool anonymous = false);

    UniqueFd m_transferFolder; // <root>/.duet-partial/<key>, the folder the file is renamed out of
    UniqueFd m_file;
    TransferKey m_key;
    std::uint32_t m_fileIndex = 0;
    std::uint64_t m_size = 0;
    bool m_anonymous = false;
};

// The on-disk name of a partial inside its transfer folder: "<index>.duet-part".
std::string partialFileName(std::uint32_t fileIndex);

} // namespace duet::storage
