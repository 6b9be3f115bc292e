#pragma once
// Receiver side: one requested file, from its verified chunk count to the end. Judges every chunk before
// it touches the sink: chunks must come in order with the exact length their index implies; an index
// below the next one is a duplicate of something already written and is dropped (never rewritten); an
// index above it, beyond the file's chunk count or with a wrong length is a protocol violation (except on
// a stream asked for again, see tolerateStaleChunks). Written
// bytes feed the whole-file hash, seeded from the verified prefix after a resume. Single thread.
#include "duet/transfer/Hashing.hpp"
#include "duet/transfer/ReceiveSink.hpp"

#include <memory>
#include <optional>
#include <string>

namespace duet::transfer {

// More duplicates than this (about two default windows) on one file is a violation, not a race.
inline constexpr std::uint64_t kMaxDuplicateChunks = 64;

class ReceiveStream {
public:
    enum class Verdict {
        Written,    // stored; see ackNow
        Duplicate,  // already written; dropped
        Stale,      // from the stream this one replaced (tolerateStaleChunks); dropped
        Violation,  // the sender broke the protocol; nothing was written
        SinkFailed, // the sink refused the write (outcome DiskFull or WriteFailed)
    };
    struct Result {
        Verdict verdict = Verdict::Written;
        bool ackNow = false; // send ChunkAck{nextChunk()} now
        wire::FileOutcome outcome = wire::FileOutcome::Verified;
        std::string detail;
    };

    // verifiedChunks: what the sink reported for the partial (at most chunkCount(size)).
    ReceiveStream(FileKey key, std::uint64_t size, std::uint64_t verifiedChunks,
                  std::unique_ptr<Hasher> hasher);

    // Reads the verified prefix back from the sink into the whole-file hash. Call once, before accept().
    std::optional<IoError> seedHash(ReceiveSink& sink);
    Result accept(ReceiveSink& sink, std::uint64_t index, wire::ByteSpan bytes);
    // For a file asked for again on the same link (after a repaired write failure, say): chunks the sender
    // had already sent from the old position arrive before the new ones, in order. Until the next expected
    // chunk arrives, a chunk above it is such a leftover and dropped, not a violation.
    void tolerateStaleChunks() { m_tolerateStale = true; }

    std::uint64_t fromChunk() const { return m_fromChunk; }
    std::uint64_t nextChunk() const { return m_next; }
    std::uint64_t chunkCount() const { return m_count; }
    std::uint64_t receivedBytes() const;
    bool allReceived() const { return m_next == m_count; }
    std::uint64_t duplicates() const { return m_duplicates; }
    // The whole-file hash; only once allReceived(), and only once.
    Hash32 finishHash();

private:
    FileKey m_key;
    std::uint64_t m_size;
    std::uint64_t m_count;
    std::uint64_t m_fromChunk;
    std::uint64_t m_next;
    std::uint64_t m_lastAcked;
    std::uint64_t m_duplicates = 0;
    bool m_tolerateStale = false;
    std::unique_ptr<Hasher> m_hasher;
};

} // namespace duet::transfer
