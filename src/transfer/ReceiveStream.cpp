#include "duet/transfer/ReceiveStream.hpp"

#include "duet/transfer/ChunkMath.hpp"
#include "duet/transfer/TransferConfig.hpp"

#include <algorithm>

namespace duet::transfer {

ReceiveStream::ReceiveStream(FileKey key, std::uint64_t size, std::uint64_t verifiedChunks,
                             std::unique_ptr<Hasher> hasher)
    : m_key(key), m_size(size), m_count(transfer::chunkCount(size)),
      m_fromChunk(std::min(verifiedChunks, m_count)), m_next(m_fromChunk), m_lastAcked(m_fromChunk),
      m_hasher(std::move(hasher))
{
}

std::optional<IoError> ReceiveStream::seedHash(ReceiveSink& sink)
{
    const std::uint64_t prefix = bytesBeforeChunk(m_size, m_fromChunk);
    if (prefix == 0) return std::nullopt;
    wire::Bytes buffer(static_cast<std::size_t>(std::min<std::uint64_t>(prefix, kChunkBytes)));
    for (std::uint64_t offset = 0; offset < prefix;) {
        const std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(prefix - offset, buffer.size()));
        const auto read = sink.readPartial(m_key, offset, std::span<std::uint8_t>(buffer.data(), want));
        if (!read.ok()) return read.error();
        if (read.value() != want)
            return IoError{wire::FileOutcome::WriteFailed,
                           "the partial file is shorter than its verified chunks"};
        m_hasher->update(wire::ByteSpan(buffer.data(), want));
        offset += want;
    }
    return std::nullopt;
}

ReceiveStream::Result ReceiveStream::accept(ReceiveSink& sink, std::uint64_t index, wire::ByteSpan bytes)
{
    using wire::FileOutcome;
    // Compare the index with the count before any arithmetic on it, so no index can overflow an offset.
    if (index >= m_count)
        return {Verdict::Violation, false, FileOutcome::ProtocolViolation,
                "chunk " + std::to_string(index) + " is beyond the file's " + std::to_string(m_count) +
                    " chunks (more bytes than offered)"};
    if (index < m_next) {
        if (++m_duplicates > kMaxDuplicateChunks)
            return {Verdict::Violation, false, FileOutcome::ProtocolViolation, "too many duplicate chunks"};
        return {Verdict::Duplicate, false, FileOutcome::Verified, {}};
    }
    if (index > m_next && m_tolerateStale) return {Verdict::Stale, false, FileOutcome::Verified, {}};
    if (index > m_next)
        return {Verdict::Violation, false, FileOutcome::ProtocolViolation,
                "chunk " + std::to_string(index) + " arrived while chunk " + std::to_string(m_next) +
                    " was expected"};
    const std::uint64_t expected = chunkLength(m_size, index);
    if (bytes.size() != expected)
        return {Verdict::Violation, false, FileOutcome::ProtocolViolation,
                "chunk " + std::to_string(index) + " has " + std::to_string(bytes.size()) +
                    " bytes, expected " + std::to_string(expected)};

    const IoStatus written = sink.writeChunk(m_key, index, bytes);
    if (!written.ok()) return {Verdict::SinkFailed, false, written.error().outcome, written.error().message};
    m_hasher->update(bytes);
    ++m_next;
    m_tolerateStale = false; // the new stream has begun: from here on, order is strict again
    const bool ackNow = m_next - m_lastAcked >= kAckEveryChunks || m_next == m_count;
    if (ackNow) m_lastAcked = m_next;
    return {Verdict::Written, ackNow, FileOutcome::Verified, {}};
}

std::uint64_t ReceiveStream::receivedBytes() const
{
    return bytesBeforeChunk(m_size, m_next);
}

Hash32 ReceiveStream::finishHash()
{
    return m_hasher->finish();
}

} // namespace duet::transfer
