#include "duet/transfer/OfferLedger.hpp"

#include <algorithm>
#include <utility>

namespace duet::transfer {

OfferLedger::OfferLedger(Direction direction, std::uint64_t offerId,
                         const std::vector<wire::OfferEntry>& entries, OfferState initial, Outbox& out,
                         const Clock& clock, Millis speedWindow)
    : m_direction(direction), m_offerId(offerId), m_state(initial), m_out(out), m_clock(clock),
      m_speedWindow(speedWindow), m_offerRate(speedWindow)
{
    m_files.reserve(entries.size());
    for (const wire::OfferEntry& e : entries) {
        m_index.emplace(e.fileId, m_files.size());
        File f;
        f.entry = e;
        m_files.push_back(std::move(f));
    }
}

OfferLedger::OfferLedger(const ResumeRecord& record, Outbox& out, const Clock& clock, Millis speedWindow)
    : m_direction(record.direction), m_offerId(record.offerId), m_state(record.state),
      m_reason(record.reason), m_endedLocally(record.endedLocally), m_out(out), m_clock(clock),
      m_speedWindow(speedWindow), m_offerRate(speedWindow)
{
    m_paused.byLocal = record.pausedLocally;
    m_files.reserve(record.files.size());
    for (const ResumeFile& rf : record.files) {
        File f;
        f.entry = rf.entry;
        f.state = rf.state;
        // Nothing moves before the peer is back; the receiver's sink knows how far each file got.
        if (f.state == FileState::Active || f.state == FileState::Finishing) f.state = FileState::Pending;
        f.outcome = rf.outcome;
        f.detail = rf.detail;
        f.finalPath = rf.finalPath;
        f.paused.byLocal = rf.pausedLocally;
        f.decidedLocally = rf.decidedLocally;
        if (f.state == FileState::Verified) f.doneBytes = f.entry.size;
        m_doneTotal += f.doneBytes;
        m_index.emplace(f.entry.fileId, m_files.size());
        m_files.push_back(std::move(f));
    }
}

OfferLedger::File* OfferLedger::find(std::uint64_t fileId)
{
    const auto it = m_index.find(fileId);
    return it == m_index.end() ? nullptr : &m_files[it->second];
}

const OfferLedger::File* OfferLedger::find(std::uint64_t fileId) const
{
    const auto it = m_index.find(fileId);
    return it == m_index.end() ? nullptr : &m_files[it->second];
}

std::vector<wire::OfferEntry> OfferLedger::entries() const
{
    std::vector<wire::OfferEntry> all;
    all.reserve(m_files.size());
    for (const File& f : m_files)
        all.push_back(f.entry);
    return all;
}

std::uint64_t OfferLedger::acceptedBytes() const
{
    std::uint64_t total = 0;
    for (const File& f : m_files)
        if (f.state != FileState::NotAccepted) total += f.entry.size;
    return total;
}

void OfferLedger::setOfferState(OfferState state, std::string reason, bool endedLocally)
{
    m_state = state;
    if (!reason.empty()) m_reason = std::move(reason);
    if (endedLocally) m_endedLocally = true;
    if (isFinal(state)) m_fileRates.clear();
    emitOffer();
}

void OfferLedger::setOfferPause(PauseFlags paused)
{
    if (paused == m_paused) return;
    m_paused = paused;
    emitOffer();
}

void OfferLedger::setFileState(File& file, FileState state)
{
    file.state = state;
    // A file that is running again must be looked at by finishIfComplete's next scan.
    if (!isFinal(state)) m_firstUnfinished = std::min(m_firstUnfinished, indexOf(file));
    if (state == FileState::Active)
        m_fileRates.try_emplace(file.entry.fileId, m_speedWindow);
    else
        m_fileRates.erase(file.entry.fileId);
    emitFile(file);
}

void OfferLedger::setFilePause(File& file, PauseFlags paused)
{
    if (paused == file.paused) return;
    file.paused = paused;
    emitFile(file);
}

bool OfferLedger::setLocalPause(std::uint64_t fileId, bool paused)
{
    if (fileId == 0) {
        if (m_paused.byLocal == paused) return false;
        PauseFlags flags = m_paused;
        flags.byLocal = paused;
        setOfferPause(flags);
        return true;
    }
    File* file = find(fileId);
    if (file == nullptr || isFinal(file->state) || file->entry.kind != wire::EntryKind::File) return false;
    if (file->paused.byLocal == paused) return false;
    PauseFlags flags = file->paused;
    flags.byLocal = paused;
    setFilePause(*file, flags);
    return true;
}

void OfferLedger::verifyFile(File& file, std::string finalPath, bool decidedLocally)
{
    file.outcome = wire::FileOutcome::Verified;
    file.detail.clear();
    file.finalPath = std::move(finalPath);
    file.decidedLocally = decidedLocally;
    setDone(file, file.entry.size);
    setFileState(file, FileState::Verified);
}

void OfferLedger::failFile(File& file, wire::FileOutcome outcome, std::string detail, bool decidedLocally)
{
    file.outcome = outcome;
    file.detail = std::move(detail);
    file.decidedLocally = decidedLocally;
    setFileState(file, FileState::Failed);
}

void OfferLedger::cancelFile(File& file, bool decidedLocally)
{
    file.outcome = wire::FileOutcome::Cancelled;
    file.detail = decidedLocally ? "cancelled here" : "cancelled by the peer";
    file.decidedLocally = decidedLocally;
    setFileState(file, FileState::Cancelled);
}

void OfferLedger::setDone(File& file, std::uint64_t bytes, bool moved)
{
    m_doneTotal = m_doneTotal - file.doneBytes + bytes;
    file.doneBytes = bytes;
    const MonoTime now = m_clock.now();
    const auto fileRate = m_fileRates.find(file.entry.fileId);
    if (!moved) {
        m_offerRate.reset();
        if (fileRate != m_fileRates.end()) fileRate->second.reset();
    }
    m_offerRate.record(now, m_doneTotal);
    if (fileRate != m_fileRates.end()) fileRate->second.record(now, bytes);
}

bool OfferLedger::finishIfComplete()
{
    if (m_state != OfferState::Active) return false;
    // Called after every file event: resuming the scan where it stopped keeps a whole offer linear.
    for (; m_firstUnfinished < m_files.size(); ++m_firstUnfinished) {
        ++m_finishScanSteps;
        if (!isFinal(m_files[m_firstUnfinished].state)) break;
    }
    if (m_firstUnfinished < m_files.size()) return false;
    if (waitingForRepair()) return false;
    setOfferState(OfferState::Finished);
    return true;
}

bool OfferLedger::waitingForRepair() const
{
    const bool incoming = m_direction == Direction::Incoming;
    if (!(incoming ? m_paused.byLocal : m_paused.byPeer)) return false;
    // Only the receiver decides these outcomes, so the sender trusts the pause that came before them.
    return std::any_of(m_files.begin(), m_files.end(), [incoming](const File& f) {
        return f.state == FileState::Failed && isRepairable(f.outcome) && f.decidedLocally == incoming;
    });
}

void OfferLedger::clearPeerPauses()
{
    m_paused.byPeer = false;
    for (File& f : m_files)
        f.paused.byPeer = false;
}

void OfferLedger::announceLocalDecisions()
{
    using wire::TransferAction;
    if (m_endedLocally && (m_state == OfferState::Cancelled || m_state == OfferState::Failed)) {
        m_out.send(wire::TransferControl{m_offerId, 0, TransferAction::Cancel});
        return;
    }
    if (m_state != OfferState::Active && m_state != OfferState::Finished) return;
    if (m_paused.byLocal) m_out.send(wire::TransferControl{m_offerId, 0, TransferAction::Pause});
    for (const File& f : m_files) {
        if (f.entry.kind != wire::EntryKind::File) continue;
        if (!isFinal(f.state) && f.paused.byLocal)
            m_out.send(wire::TransferControl{m_offerId, f.entry.fileId, TransferAction::Pause});
        if (!f.decidedLocally) continue;
        if (f.state == FileState::Cancelled)
            m_out.send(wire::TransferControl{m_offerId, f.entry.fileId, TransferAction::Cancel});
        else if (f.state == FileState::Verified || f.state == FileState::Failed)
            m_out.send(wire::FileResult{f.entry.fileId, f.outcome, clampReason(f.detail)});
    }
}

FileProgress OfferLedger::fileProgress(const File& file)
{
    FileProgress p;
    p.file = FileKey{m_offerId, file.entry.fileId};
    p.path = file.entry.path;
    p.kind = file.entry.kind;
    p.state = file.state;
    p.paused = file.paused;
    p.outcome = file.outcome;
    p.detail = file.detail;
    p.finalPath = file.finalPath;
    p.progress.doneBytes = file.doneBytes;
    p.progress.totalBytes = file.entry.size;
    if (const auto it = m_fileRates.find(file.entry.fileId); it != m_fileRates.end() && !isPaused(file)) {
        it->second.record(m_clock.now(), file.doneBytes);
        p.progress.bytesPerSecond = it->second.bytesPerSecond();
        p.progress.eta = estimateRemaining(file.entry.size - file.doneBytes, p.progress.bytesPerSecond);
    }
    return p;
}

OfferProgress OfferLedger::snapshot(bool withFiles)
{
    OfferProgress p;
    p.offerId = m_offerId;
    p.direction = m_direction;
    p.state = m_state;
    p.paused = m_paused;
    p.reason = m_reason;
    p.entries = m_files.size();
    for (const File& f : m_files) {
        if (f.state != FileState::NotAccepted) ++p.entriesAccepted;
        if (f.state == FileState::Verified) ++p.entriesVerified;
        if (f.state == FileState::Failed || f.state == FileState::Cancelled) ++p.entriesFailed;
    }
    p.progress.doneBytes = m_doneTotal;
    p.progress.totalBytes = acceptedBytes();
    if (m_state == OfferState::Active && !m_paused.any()) {
        m_offerRate.record(m_clock.now(), m_doneTotal);
        p.progress.bytesPerSecond = m_offerRate.bytesPerSecond();
        const std::uint64_t remaining =
            p.progress.totalBytes > m_doneTotal ? p.progress.totalBytes - m_doneTotal : 0;
        p.progress.eta = estimateRemaining(remaining, p.progress.bytesPerSecond);
    }
    if (withFiles) {
        p.files.reserve(m_files.size());
        for (const File& f : m_files)
            p.files.push_back(fileProgress(f));
    }
    return p;
}

ResumeFile OfferLedger::toResumeFile(const File& f) const
{
    ResumeFile rf;
    rf.entry = f.entry;
    rf.state = f.state;
    rf.outcome = f.outcome;
    rf.detail = f.detail;
    rf.finalPath = f.finalPath;
    rf.pausedLocally = f.paused.byLocal;
    rf.decidedLocally = f.decidedLocally;
    return rf;
}

ResumeRecord OfferLedger::headerRecord() const
{
    ResumeRecord r;
    r.direction = m_direction;
    r.offerId = m_offerId;
    r.state = m_state;
    r.pausedLocally = m_paused.byLocal;
    r.endedLocally = m_endedLocally;
    r.reason = m_reason;
    return r;
}

ResumeRecord OfferLedger::toRecord() const
{
    ResumeRecord r = headerRecord();
    r.files.reserve(m_files.size());
    for (const File& f : m_files)
        r.files.push_back(toResumeFile(f));
    return r;
}

void OfferLedger::markChanged(const File& file)
{
    m_recordChanged = true;
    if (m_allFilesChanged) return;
    const std::size_t index = indexOf(file);
    if (m_fileChanged.size() != m_files.size()) m_fileChanged.assign(m_files.size(), false);
    if (m_fileChanged[index]) return;
    m_fileChanged[index] = true;
    m_changedFiles.push_back(index);
}

std::optional<ResumeChange> OfferLedger::takeResumeChange()
{
    if (!m_recordChanged) return std::nullopt;
    ResumeChange change;
    change.header = headerRecord();
    if (m_allFilesChanged) {
        change.files.reserve(m_files.size());
        for (std::size_t i = 0; i < m_files.size(); ++i)
            change.files.emplace_back(i, toResumeFile(m_files[i]));
    } else {
        std::sort(m_changedFiles.begin(), m_changedFiles.end());
        change.files.reserve(m_changedFiles.size());
        for (std::size_t index : m_changedFiles) {
            change.files.emplace_back(index, toResumeFile(m_files[index]));
            m_fileChanged[index] = false;
        }
    }
    m_changedFiles.clear();
    m_recordChanged = false;
    m_allFilesChanged = false;
    return change;
}

void OfferLedger::emitFile(const File& file)
{
    markChanged(file);
    FileChanged e;
    e.file = FileKey{m_offerId, file.entry.fileId};
    e.direction = m_direction;
    e.state = file.state;
    e.paused = file.paused;
    e.outcome = file.outcome;
    e.detail = file.detail;
    e.finalPath = file.finalPath;
    m_out.emit(std::move(e));
}

void OfferLedger::emitOffer()
{
    m_recordChanged = true;
    m_allFilesChanged = true;
    m_out.emit(OfferChanged{m_offerId, m_direction, m_state, m_paused, m_reason});
}

} // namespace duet::transfer
