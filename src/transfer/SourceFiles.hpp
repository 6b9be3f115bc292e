#pragma once
// The sender's view of the files it offers, keyed by (offerId, fileId). The engine maps those to local
// paths, which never leave this interface and never appear in an offer. Calls are synchronous and come
// from the thread that drives the transfers.
#include "duet/transfer/Types.hpp"

#include <cstddef>
#include <span>

namespace duet::transfer {

struct SourceStat {
    std::uint64_t size = 0;
    std::int64_t mtimeMs = 0; // Unix ms
};

class SourceFiles {
public:
    virtual ~SourceFiles() = default;
    // The file's size and modification time now. Error: SourceUnreadable (missing, no permission, ...).
    virtual IoResult<SourceStat> stat(const FileKey& file) = 0;
    // Reads up to out.size() bytes at `offset`. Fewer bytes means the file ends there. Error:
    // SourceUnreadable.
    virtual IoResult<std::size_t> read(const FileKey& file, std::uint64_t offset,
                                       std::span<std::uint8_t> out) = 0;
    // The transfer does not need this file now (finished, failed, cancelled or the link dropped); a
    // cached handle may be closed. Reads may still follow later (resume).
    virtual void release(const FileKey& file) = 0;
};

} // namespace duet::transfer
