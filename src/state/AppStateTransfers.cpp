#include "duet/state/AppState.hpp"
#include "duet/state/TextSanitize.hpp"
#include "duet/state/Transfers.hpp"

#include <algorithm>
#include <type_traits>

namespace duet::state {

bool TransferRow::finished() const
{
    return state == TransferState::Done || state == TransferState::Failed ||
           state == TransferState::Cancelled || state == TransferState::Rejected;
}

double TransferRow::etaSeconds() const
{
    if (bytesPerSec == 0 || bytesDone >= totalBytes) return -1.0;
    return static_cast<double>(totalBytes - bytesDone) / static_cast<double>(bytesPerSec);
}

int TransferRow::fileIndex(std::uint64_t fileId) const
{
    for (std::size_t i = 0; i < files.size(); ++i)
        if (files[i].id == fileId) return static_cast<int>(i);
    return -1;
}

const char* transferStateLabel(TransferState state)
{
    switch (state) {
    case TransferState::Offered:
        return "Offered";
    case TransferState::Queued:
        return "Queued";
    case TransferState::Active:
        return "Sending";
    case TransferState::Paused:
        return "Paused";
    case TransferState::Waiting:
        return "Waiting for peer";
    case TransferState::Verifying:
        return "Verifying";
    case TransferState::Done:
        return "Done";
    case TransferState::Failed:
        return "Failed";
    case TransferState::Cancelled:
        return "Cancelled";
    case TransferState::Rejected:
        return "Rejected";
    }
    return "Unknown";
}

const TransferRow* TransferList::find(TransferId offer) const
{
    const auto it = m_index.find(offer);
    return it == m_index.end() ? nullptr : &m_rows[it->second];
}

TransferRow* TransferList::findMutable(TransferId offer)
{
    const auto it = m_index.find(offer);
    return it == m_index.end() ? nullptr : &m_rows[it->second];
}

std::size_t TransferList::awaitingDecisionCount() const
{
    return static_cast<std::size_t>(std::count_if(
        m_rows.begin(), m_rows.end(), [](const TransferRow& row) { return row.awaitingDecision(); }));
}

void TransferList::touch(TransferRow& row)
{
    ++row.revision;
    ++m_revision;
}

TransferRow& TransferList::rowFor(PeerId peer, TransferId offer, bool outgoing, std::int64_t nowMs)
{
    if (TransferRow* row = findMutable(offer)) return *row;
    // Progress for an offer we never saw (e.g. restored after a restart): show it rather than drop it.
    TransferRow row;
    row.peer = peer;
    row.offer = offer;
    row.outgoing = outgoing;
    row.state = TransferState::Queued;
    row.createdMs = nowMs;
    m_index.emplace(offer, m_rows.size());
    m_rows.push_back(std::move(row));
    return m_rows.back();
}

void TransferList::addRow(PeerId peer, TransferId offer, bool outgoing,
                          const std::vector<TransferEntry>& entries, std::uint64_t totalBytes,
                          std::int64_t nowMs)
{
    TransferRow& row = rowFor(peer, offer, outgoing, nowMs);
    row.state = TransferState::Offered;
    row.files.clear();
    row.files.reserve(entries.size());
    for (const TransferEntry& entry : entries) {
        TransferFile file;
        file.id = entry.fileId;
        file.path = sanitizeLine(entry.path);
        file.size = entry.size;
        file.directory = entry.directory;
        row.files.push_back(std::move(file));
    }
    row.offeredBytes = totalBytes;
    row.totalBytes = totalBytes;
    touch(row);
}

bool TransferList::apply(const Event& event, std::int64_t nowMs)
{
    return std::visit(
        [&](const auto& e) -> bool {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, event::OfferReceived>) {
                addRow(e.peer, e.offer, false, e.entries, e.totalBytes, nowMs);
                if (e.autoAccepted) {
                    TransferRow& row = *findMutable(e.offer);
                    row.state = TransferState::Queued;
                    row.decidedLocally = true;
                }
                return true;
            } else if constexpr (std::is_same_v<T, event::OfferSent>) {
                addRow(e.peer, e.offer, true, e.entries, e.totalBytes, nowMs);
                return true;
            } else if constexpr (std::is_same_v<T, event::TransferProgress>) {
                TransferRow& row = rowFor(e.peer, e.offer, e.outgoing, nowMs);
                if (row.finished()) return false; // a late progress report never revives a finished row
                row.state = e.state;
                row.bytesDone = e.bytesDone;
                row.totalBytes = e.totalBytes;
                row.bytesPerSec = e.bytesPerSec;
                row.currentFile = e.fileId;
                if (const int index = row.fileIndex(e.fileId); index >= 0)
                    row.files[static_cast<std::size_t>(index)].bytesDone = e.fileBytes;
                if (e.state != TransferState::Offered) row.decidedLocally = true;
                touch(row);
                return true;
            } else if constexpr (std::is_same_v<T, event::TransferFileDone>) {
                TransferRow& row = rowFor(e.peer, e.offer, false, nowMs);
                if (const int index = row.fileIndex(e.fileId); index >= 0) {
                    TransferFile& file = row.files[static_cast<std::size_t>(index)];
                    file.status = FileStatus::Done;
                    file.bytesDone = file.size;
                    file.localPath = e.localPath;
                    file.doneMs = nowMs;
                }
                touch(row);
                return true;
            } else if constexpr (std::is_same_v<T, event::TransferFileFailed>) {
                TransferRow& row = rowFor(e.peer, e.offer, false, nowMs);
                if (const int index = row.fileIndex(e.fileId); index >= 0) {
                    TransferFile& file = row.files[static_cast<std::size_t>(index)];
                    file.status = FileStatus::Failed;
                    file.error = sanitizeLine(e.reason);
                }
                touch(row);
                return true;
            } else if constexpr (std::is_same_v<T, event::OfferFinished>) {
                TransferRow& row = rowFor(e.peer, e.offer, false, nowMs);
                row.state = e.state;
                row.reason = sanitizeLine(e.reason);
                row.bytesPerSec = 0;
                row.decidedLocally = true;
                if (e.state == TransferState::Done) row.bytesDone = row.totalBytes;
                touch(row);
                return true;
            } else {
                return false;
            }
        },
        event);
}

bool TransferList::applyLocal(const Command& command)
{
    return std::visit(
        [&](const auto& c) -> bool {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, command::AcceptOffer>) {
                TransferRow* row = findMutable(c.offer);
                if (!row) return false;
                row->decidedLocally = true;
                row->state = TransferState::Queued;
                if (!c.fileIds.empty()) {
                    // Files left out are skipped; the total shrinks to what will actually move.
                    row->totalBytes = 0;
                    for (TransferFile& file : row->files) {
                        const bool chosen =
                            std::find(c.fileIds.begin(), c.fileIds.end(), file.id) != c.fileIds.end();
                        if (!chosen) file.status = FileStatus::Skipped;
                        if (chosen && !file.directory) row->totalBytes += file.size;
                    }
                }
                touch(*row);
                return true;
            } else if constexpr (std::is_same_v<T, command::RejectOffer>) {
                TransferRow* row = findMutable(c.offer);
                if (!row) return false;
                row->decidedLocally = true;
                row->state = TransferState::Rejected;
                row->reason = "Rejected by you";
                touch(*row);
                return true;
            } else if constexpr (std::is_same_v<T, command::ControlTransfer>) {
                TransferRow* row = findMutable(c.offer);
                if (!row || row->finished()) return false;
                if (c.fileId != 0) {
                    const int index = row->fileIndex(c.fileId);
                    if (index < 0) return false;
                    TransferFile& file = row->files[static_cast<std::size_t>(index)];
                    if (file.status != FileStatus::Pending) return false;
                    file.paused = c.action == TransferAction::Pause;
                    if (c.action == TransferAction::Cancel) {
                        file.status = FileStatus::Failed;
                        file.error = "cancelled by you";
                    }
                    touch(*row);
                    return true;
                }
                if (c.action == TransferAction::Pause) row->state = TransferState::Paused;
                if (c.action == TransferAction::Cancel) {
                    row->state = TransferState::Cancelled;
                    row->reason = "Cancelled by you";
                    row->bytesPerSec = 0;
                }
                touch(*row);
                return true;
            } else if constexpr (std::is_same_v<T, command::ForgetTransfers>) {
                return forgetFinished(c.peer, c.offer);
            } else {
                return false;
            }
        },
        command);
}

bool TransferList::forgetFinished(PeerId peer, TransferId offer)
{
    const std::size_t removed = std::erase_if(m_rows, [&](const TransferRow& row) {
        return row.finished() && (!peer || row.peer == peer) && (!offer || row.offer == offer);
    });
    if (removed == 0) return false;
    // Rows only go in bulk and rarely: rebuilding the index is simpler than patching it.
    m_index.clear();
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        m_index.emplace(m_rows[i].offer, i);
    ++m_revision;
    return true;
}

} // namespace duet::state

// ---- AppState's side: the rows live in TransferList; the log gets a line for what a user must notice.

namespace duet::state {
namespace {

// Folders are entries too, but the offer card counts only files: the log says the same and names the
// folders apart, so a dropped tree does not read as twice as many files.
std::string entryCount(const std::vector<TransferEntry>& entries)
{
    std::size_t folders = 0;
    for (const TransferEntry& entry : entries)
        folders += entry.directory ? 1 : 0;
    const std::size_t files = entries.size() - folders;
    std::string text = std::to_string(files) + (files == 1 ? " file" : " files");
    if (folders > 0) text += " and " + std::to_string(folders) + (folders == 1 ? " folder" : " folders");
    return text;
}

} // namespace

bool AppState::applyTransfer(const Event& event, std::int64_t nowMs)
{
    if (!m_transfers.apply(event, nowMs)) return false;
    std::visit(
        [&](const auto& e) {
            using T = std::decay_t<decltype(e)>;
            const auto nameOf = [&](PeerId id) {
                const Peer* peer = findPeer(id);
                return peer && !peer->name.empty() ? peer->name : std::string("The peer");
            };
            if constexpr (std::is_same_v<T, event::OfferReceived>) {
                addLog(nowMs, LogLevel::Info, nameOf(e.peer) + " offers " + entryCount(e.entries));
            } else if constexpr (std::is_same_v<T, event::TransferFileFailed>) {
                addLog(nowMs, LogLevel::Error, "A file transfer failed: " + sanitizeLine(e.reason));
            } else if constexpr (std::is_same_v<T, event::OfferFinished>) {
                if (e.state == TransferState::Done)
                    addLog(nowMs, LogLevel::Info, "Transfer finished");
                else if (e.state == TransferState::Failed)
                    addLog(nowMs, LogLevel::Error, "Transfer failed: " + sanitizeLine(e.reason));
                else if (e.state == TransferState::Rejected)
                    addLog(nowMs, LogLevel::Info, nameOf(e.peer) + " rejected the offer");
            }
        },
        event);
    return true;
}

} // namespace duet::state
