#include "duet/transfer/TransferWindow.hpp"

#include "duet/transfer/ChunkMath.hpp"

#include <algorithm>

namespace duet::transfer {

TransferWindow::TransferWindow(std::uint64_t fileSize, std::uint64_t fromChunk)
    : m_size(fileSize), m_count(transfer::chunkCount(fileSize)), m_acked(std::min(fromChunk, m_count)),
      m_sent(m_acked)
{
}

std::uint64_t TransferWindow::bytesInFlight() const
{
    return bytesBeforeChunk(m_size, m_sent) - bytesBeforeChunk(m_size, m_acked);
}

std::uint64_t TransferWindow::ackedBytes() const
{
    return bytesBeforeChunk(m_size, m_acked);
}

std::uint64_t TransferWindow::nextChunkLength() const
{
    return chunkLength(m_size, m_sent);
}

void TransferWindow::markSent()
{
    if (m_sent < m_count) ++m_sent;
}

TransferWindow::AckResult TransferWindow::acknowledge(std::uint64_t nextChunk)
{
    if (nextChunk > m_sent) return AckResult::BeyondSent;
    if (nextChunk <= m_acked) return AckResult::Stale;
    m_acked = nextChunk;
    return AckResult::Advanced;
}

} // namespace duet::transfer
