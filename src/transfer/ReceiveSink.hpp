#pragma once
// Where received files go: the storage layer's partial area and final names, keyed by (offerId, fileId).
// The sink keeps whatever it needs beside the data (partial names, the peer, per-chunk hashes). Calls are
// synchronous and come from the thread that drives the transfers.
//
// Resume contract: writeChunk records a per-chunk hash of every chunk it stores; openPartial re-reads
// the partial, compares it with those hashes, truncates after the last good leading chunk and returns
// how many leading chunks are good. Only those are ever trusted, so a corrupt or shortened partial
// costs a re-download from the first bad chunk, never a wrong file.
#include "duet/transfer/Types.hpp"

#include <cstddef>
#include <span>
#include <string>

namespace duet::transfer {

class ReceiveSink {
public:
    virtual ~ReceiveSink() = default;
    // Bytes free in the download folder now.
    virtual IoResult<std::uint64_t> freeSpace() = 0;
    // Creates an accepted directory entry (empty directories included); returns its final relative path.
    // Errors: DiskFull, WriteFailed.
    virtual IoResult<std::string> createDirectory(std::uint64_t offerId, const wire::OfferEntry& entry) = 0;
    // Opens or creates the partial of `entry` and returns its count of verified leading chunks (at most
    // chunkCount(entry.size)). The next chunk written will be that index. Errors: DiskFull, WriteFailed.
    virtual IoResult<std::uint64_t> openPartial(const FileKey& file, const wire::OfferEntry& entry) = 0;
    // Reads verified bytes back, used to seed the whole-file hash after a resume. Error: WriteFailed.
    virtual IoResult<std::size_t> readPartial(const FileKey& file, std::uint64_t offset,
                                              std::span<std::uint8_t> out) = 0;
    // Stores chunk `index` (always the next one after the verified ones) and records its per-chunk hash.
    // Errors: DiskFull, WriteFailed.
    virtual IoStatus writeChunk(const FileKey& file, std::uint64_t index, wire::ByteSpan bytes) = 0;
    // Called only for a complete partial whose whole-file hash matched `hash`: makes it appear under a
    // free final name (never overwriting anything) and returns that relative path. The partial is gone
    // afterwards. Errors: WriteFailed, DiskFull, HashMismatch (if the sink re-checks the data).
    virtual IoResult<std::string> commit(const FileKey& file, const Hash32& hash) = 0;
    // Optional first half of commit for a complete, hash-checked partial: starts making its data durable
    // away from the calling thread, so several files can be synced at once. True: started, and the caller
    // must wait for the outcome (TransferManager::onPartialSynced) before commit(); a closePartial or
    // discardPartial meanwhile abandons it, and the sink then never reports it nor commits it. False (the
    // default, also when the sink is busy): nothing started; commit() does the whole job itself.
    virtual bool startSync(const FileKey& file)
    {
        (void)file;
        return false;
    }
    // Closes the partial and keeps it (and its chunk hashes) for a later resume.
    virtual void closePartial(const FileKey& file) = 0;
    // Deletes the partial and its chunk hashes.
    virtual void discardPartial(const FileKey& file) = 0;
};

} // namespace duet::transfer
