#include "duet/transfer/SendStream.hpp"

#include "duet/transfer/ChunkMath.hpp"

#include <algorithm>

namespace duet::transfer {

SendStream::SendStream(FileKey key, std::uint64_t size, std::uint64_t fromChunk,
                       std::unique_ptr<Hasher> hasher)
    : m_key(key), m_size(size), m_count(chunkCount(size)), m_fromChunk(std::min(fromChunk, m_count)),
      m_hasher(std::move(hasher)), m_window(size, m_fromChunk)
{
}

bool SendStream::canProduce(std::uint64_t windowRoom) const
{
    if (m_readCursor >= m_count) return !m_hash.has_value();
    return m_readCursor < m_fromChunk || chunkLength(m_size, m_readCursor) <= windowRoom;
}

SendStream::Result SendStream::produce(SourceFiles& source, Outbox& out, std::uint64_t& readBudget,
                                       std::uint64_t& windowRoom)
{
    while (m_readCursor < m_count) {
        const std::uint64_t length = chunkLength(m_size, m_readCursor);
        const bool toSend = m_readCursor >= m_fromChunk;
        if (readBudget == 0) return {};
        if (toSend && length > windowRoom) return {};

        // The chunk buffer is allocated only now, just before it is sent (bounded memory).
        wire::Bytes data(static_cast<std::size_t>(length));
        const auto read = source.read(m_key, bytesBeforeChunk(m_size, m_readCursor), data);
        if (!read.ok()) return {Status::SourceUnreadable, read.error().message};
        if (read.value() != length)
            return {Status::SourceChanged, "the file is shorter than when it was offered"};
        m_hasher->update(data);
        readBudget -= std::min(readBudget, length);
        if (toSend) {
            windowRoom -= length;
            m_window.markSent();
            m_sentBytes += length;
            out.sendChunk(m_key.fileId, m_readCursor, std::move(data));
        }
        ++m_readCursor;
    }
    if (!m_hash) m_hash = m_hasher->finish();
    return {Status::AllRead, {}};
}

} // namespace duet::transfer
