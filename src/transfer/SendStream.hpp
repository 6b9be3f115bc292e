#pragma once
// Sender side: one file streamed from the chunk the receiver asked for. The file is read sequentially
// from offset 0 so the whole-file hash covers every byte: chunks before `fromChunk` are only read and
// hashed (that is how a resume rebuilds the hash), later ones are read, hashed and handed out one at a
// time, each only when the window has room for it. Holds at most one chunk of data. Single thread.
#include "duet/transfer/Actions.hpp"
#include "duet/transfer/Hashing.hpp"
#include "duet/transfer/SourceFiles.hpp"
#include "duet/transfer/TransferWindow.hpp"

#include <memory>
#include <optional>
#include <string>

namespace duet::transfer {

class SendStream {
public:
    enum class Status {
        Working,          // stopped because the read budget or the window ran out
        AllRead,          // every chunk is read (and the ones from fromChunk on are sent); hash() is ready
        SourceChanged,    // the file is shorter than offered
        SourceUnreadable, // a read failed
    };
    struct Result {
        Status status = Status::Working;
        std::string detail;
    };

    SendStream(FileKey key, std::uint64_t size, std::uint64_t fromChunk, std::unique_ptr<Hasher> hasher);

    // Reads at most about `readBudget` bytes (a whole chunk at least once started) and sends chunks whose
    // length fits in `windowRoom`; both are decreased by what was used.
    Result produce(SourceFiles& source, Outbox& out, std::uint64_t& readBudget, std::uint64_t& windowRoom);

    // True when produce() would read something now: prefix chunks need no window, others need room.
    bool canProduce(std::uint64_t windowRoom) const;

    const FileKey& key() const { return m_key; }
    std::uint64_t fromChunk() const { return m_fromChunk; }
    bool allRead() const { return m_hash.has_value(); }
    const Hash32& hash() const { return *m_hash; }
    TransferWindow& window() { return m_window; }
    const TransferWindow& window() const { return m_window; }
    // Chunk bytes handed out by this stream (for tests and statistics).
    std::uint64_t sentBytes() const { return m_sentBytes; }

private:
    FileKey m_key;
    std::uint64_t m_size;
    std::uint64_t m_count;
    std::uint64_t m_fromChunk;
    std::uint64_t m_readCursor = 0; // next chunk to read
    std::unique_ptr<Hasher> m_hasher;
    std::optional<Hash32> m_hash;
    TransferWindow m_window;
    std::uint64_t m_sentBytes = 0;
};

} // namespace duet::transfer
