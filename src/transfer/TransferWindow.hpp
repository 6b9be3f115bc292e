#pragma once
// Sender-side accounting of one file stream: chunks [fromChunk, sent) have been handed to the engine and
// chunks below `acked` are confirmed by the receiver (ChunkAck is cumulative). Bytes in flight are those
// of [acked, sent). Pure value; single thread.
#include <cstdint>

namespace duet::transfer {

class TransferWindow {
public:
    enum class AckResult {
        Advanced,   // acked moved forward
        Stale,      // not beyond what was already acknowledged; harmless
        BeyondSent, // acknowledges chunks never sent: the peer is lying or broken
    };

    // fromChunk must be at most chunkCount(fileSize).
    TransferWindow(std::uint64_t fileSize, std::uint64_t fromChunk);

    std::uint64_t chunkCount() const { return m_count; }
    std::uint64_t acked() const { return m_acked; }
    std::uint64_t sent() const { return m_sent; }
    bool allSent() const { return m_sent == m_count; }
    bool allAcked() const { return m_acked == m_count; }
    std::uint64_t bytesInFlight() const;
    std::uint64_t ackedBytes() const;
    // Length of the next chunk to send, 0 when all are sent.
    std::uint64_t nextChunkLength() const;

    // Records that chunk sent() went out. Precondition: !allSent().
    void markSent();
    AckResult acknowledge(std::uint64_t nextChunk);

private:
    std::uint64_t m_size;
    std::uint64_t m_count;
    std::uint64_t m_acked;
    std::uint64_t m_sent;
};

} // namespace duet::transfer
