#include "duet/transfer/IncomingTransfer.hpp"

#include "duet/transfer/ChunkMath.hpp"

#include <limits>
#include <unordered_set>

namespace duet::transfer {

using wire::FileOutcome;
using wire::TransferAction;

namespace {

std::string mebibytes(std::uint64_t bytes)
{
    return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB";
}

} // namespace

IncomingTransfer::IncomingTransfer(std::uint64_t offerId, const std::vector<wire::OfferEntry>& entries,
                                   IncomingDeps deps)
    : m_ledger(Direction::Incoming, offerId, entries, OfferState::AwaitingDecision, deps.out, deps.clock,
               deps.config.speedWindow),
      m_deps(deps)
{
}

IncomingTransfer::IncomingTransfer(const ResumeRecord& record, IncomingDeps deps)
    : m_ledger(record, deps.out, deps.clock, deps.config.speedWindow), m_deps(deps)
{
}

std::optional<std::string> IncomingTransfer::accept(const std::vector<std::uint64_t>* fileIds)
{
    if (m_ledger.state() != OfferState::AwaitingDecision) return "the offer is not waiting for a decision";
    std::unordered_set<std::uint64_t> chosen;
    if (fileIds != nullptr) {
        for (std::uint64_t id : *fileIds)
            if (m_ledger.find(id) == nullptr) return "the selection names an entry that is not in the offer";
        chosen.insert(fileIds->begin(), fileIds->end());
        if (chosen.empty()) return "nothing selected; reject the offer instead";
    }
    const auto isChosen = [&](const File& f) {
        return fileIds == nullptr || chosen.count(f.entry.fileId) != 0;
    };

    std::uint64_t needed = 0;
    for (const File& f : m_ledger.files())
        if (isChosen(f)) needed += f.entry.size; // cannot overflow: the offer's total was capped
    const std::uint64_t reserve = m_deps.config.freeSpaceReserve;
    const auto free = m_deps.sink.freeSpace();
    std::optional<std::string> refusal;
    if (!free.ok())
        refusal = "cannot check the free space: " + free.error().message;
    else if (free.value() < reserve || free.value() - reserve < needed)
        refusal = "not enough free space: " + mebibytes(needed) + " needed plus " + mebibytes(reserve) +
                  " kept free, " + mebibytes(free.value()) + " available";
    if (refusal) {
        reject(*refusal);
        return refusal;
    }

    for (File& f : m_ledger.files())
        if (!isChosen(f)) f.state = FileState::NotAccepted; // quietly: the offer event covers it
    sendAccept();
    m_ledger.setOfferState(OfferState::Active);
    for (File& f : m_ledger.files()) {
        if (f.state != FileState::Pending || f.entry.kind != wire::EntryKind::Directory) continue;
        const auto made = m_deps.sink.createDirectory(m_ledger.offerId(), f.entry);
        if (made.ok())
            m_ledger.verifyFile(f, made.value(), false);
        else
            m_ledger.failFile(f, made.error().outcome, made.error().message, false);
    }
    refill();
    return std::nullopt;
}

bool IncomingTransfer::reject(std::string reason)
{
    if (m_ledger.state() != OfferState::AwaitingDecision) return false;
    reason = clampReason(reason.empty() ? std::string("declined") : std::move(reason));
    m_deps.out.send(wire::OfferReply{m_ledger.offerId(), wire::OfferDecision::Reject, {}, reason});
    m_ledger.setOfferState(OfferState::Rejected, std::move(reason));
    return true;
}

void IncomingTransfer::sendAccept()
{
    wire::OfferReply reply{m_ledger.offerId(), wire::OfferDecision::Accept, {}, {}};
    for (const File& f : m_ledger.files())
        if (f.state != FileState::NotAccepted) reply.acceptedFileIds.push_back(f.entry.fileId);
    m_deps.out.send(std::move(reply));
}

void IncomingTransfer::refill()
{
    if (m_ledger.state() != OfferState::Active) return;
    if (m_ledger.paused().any()) return;
    // Files waiting for their FileDone count too (up to as many again), so a sender that never finishes
    // cannot make this side open partial after partial.
    const std::size_t ahead = m_deps.config.filesRequestedAhead;
    std::size_t moving = 0;
    std::size_t open = m_streams.size();
    for (const auto& [id, stream] : m_streams)
        if (const File* f = m_ledger.find(id);
            f != nullptr && f->state == FileState::Active && !m_ledger.isPaused(*f))
            ++moving;
    auto& files = m_ledger.files();
    bool advancing = true;
    for (std::size_t i = m_candidate; i < files.size() && moving < ahead && open < 2 * ahead; ++i) {
        File& f = files[i];
        if (f.state == FileState::Pending && f.entry.kind == wire::EntryKind::File) {
            if (m_ledger.isPaused(f)) {
                advancing = false;
                continue;
            }
            if (startFile(f)) ++moving;
            open = m_streams.size();
        }
        if (advancing) m_candidate = i + 1;
    }
    m_ledger.finishIfComplete();
}

bool IncomingTransfer::startFile(File& file)
{
    const FileKey key = keyOf(file);
    const auto opened = m_deps.sink.openPartial(key, file.entry);
    if (!opened.ok()) {
        failHere(file, opened.error().outcome, opened.error().message, Partial::Keep);
        return false;
    }
    const std::uint64_t count = chunkCount(file.entry.size);
    if (opened.value() > count) {
        m_deps.sink.closePartial(key);
        failHere(file, FileOutcome::WriteFailed, "the partial file claims more chunks than the file has",
                 Partial::Keep);
        return false;
    }
    auto [it, inserted] = m_streams.try_emplace(file.entry.fileId, key, file.entry.size, opened.value(),
                                                m_deps.hashes.create());
    if (!inserted) return false;
    if (m_streamedOnThisLink.count(file.entry.fileId) != 0) it->second.tolerateStaleChunks();
    if (auto error = it->second.seedHash(m_deps.sink)) {
        // The verified prefix cannot be read back, so it cannot be hashed: start the file afresh.
        failHere(file, error->outcome, error->message, Partial::Discard);
        return false;
    }
    m_deps.out.send(wire::FileRequest{m_ledger.offerId(), file.entry.fileId, opened.value()});
    file.outcome = FileOutcome::Verified;
    file.detail.clear();
    file.decidedLocally = false;
    const bool complete = it->second.allReceived();
    m_ledger.setFileState(file, complete ? FileState::Finishing : FileState::Active);
    m_ledger.setDone(file, it->second.receivedBytes(), false);
    return !complete;
}

void IncomingTransfer::endStream(const File& file, Partial partial)
{
    const auto it = m_streams.find(file.entry.fileId);
    if (it == m_streams.end()) return;
    m_streams.erase(it);
    m_streamedOnThisLink.insert(file.entry.fileId);
    m_syncing.erase(file.entry.fileId); // the sink abandons a running sync when the partial goes
    if (partial == Partial::Keep)
        m_deps.sink.closePartial(keyOf(file));
    else
        m_deps.sink.discardPartial(keyOf(file));
}

void IncomingTransfer::failHere(File& file, FileOutcome outcome, std::string detail, Partial partial)
{
    if (m_streams.count(file.entry.fileId) != 0)
        endStream(file, partial);
    else if (partial == Partial::Discard)
        m_deps.sink.discardPartial(keyOf(file));
    if (isRepairable(outcome) && !m_ledger.paused().byLocal) {
        // The next files would fail the same way; wait until the user has made room or fixed the folder
        // and resumes. The pause goes first, so the sender holds the offer open when the result arrives.
        PauseFlags flags = m_ledger.paused();
        flags.byLocal = true;
        m_ledger.setOfferPause(flags);
        m_deps.out.send(wire::TransferControl{m_ledger.offerId(), 0, TransferAction::Pause});
    }
    m_deps.out.send(wire::FileResult{file.entry.fileId, outcome, clampReason(detail)});
    m_ledger.failFile(file, outcome, std::move(detail), true);
}

void IncomingTransfer::onChunk(std::uint64_t fileId, std::uint64_t chunkIndex, wire::ByteSpan plaintext)
{
    File* file = m_ledger.find(fileId);
    if (file == nullptr || file->entry.kind != wire::EntryKind::File ||
        file->state == FileState::NotAccepted || file->state == FileState::Pending) {
        m_deps.out.dropped(m_ledger.offerId(), fileId, true, "chunk for a file that was not requested");
        return;
    }
    const auto it = m_streams.find(fileId);
    if (it == m_streams.end()) {
        // Chunks still in flight after a cancel or a failure are expected; after success they are not.
        m_deps.out.dropped(m_ledger.offerId(), fileId, file->state == FileState::Verified,
                           "chunk for a file that has ended");
        return;
    }
    const ReceiveStream::Result result = it->second.accept(m_deps.sink, chunkIndex, plaintext);
    switch (result.verdict) {
    case ReceiveStream::Verdict::Written:
        m_ledger.setDone(*file, it->second.receivedBytes());
        if (result.ackNow) m_deps.out.send(wire::ChunkAck{fileId, it->second.nextChunk()});
        if (it->second.allReceived()) {
            m_ledger.setFileState(*file, FileState::Finishing);
            refill();
        }
        return;
    case ReceiveStream::Verdict::Duplicate:
        ++m_duplicateChunks;
        m_deps.out.dropped(m_ledger.offerId(), fileId, false,
                           "duplicate chunk " + std::to_string(chunkIndex));
        return;
    case ReceiveStream::Verdict::Stale:
        m_deps.out.dropped(m_ledger.offerId(), fileId, false,
                           "chunk " + std::to_string(chunkIndex) +
                               " from before the file was asked for again");
        return;
    case ReceiveStream::Verdict::Violation:
        m_deps.out.dropped(m_ledger.offerId(), fileId, true, result.detail);
        failHere(*file, result.outcome, result.detail, Partial::Keep);
        refill();
        return;
    case ReceiveStream::Verdict::SinkFailed:
        failHere(*file, result.outcome, result.detail, Partial::Keep);
        refill();
        return;
    }
}

void IncomingTransfer::onFileDone(const wire::FileDone& done)
{
    File* file = m_ledger.find(done.fileId);
    if (file == nullptr || file->entry.kind != wire::EntryKind::File ||
        file->state == FileState::NotAccepted || file->state == FileState::Pending ||
        file->state == FileState::Verified) {
        m_deps.out.dropped(m_ledger.offerId(), done.fileId, true,
                           "file done for a file that was not requested");
        return;
    }
    const auto it = m_streams.find(done.fileId);
    if (it == m_streams.end()) {
        m_deps.out.dropped(m_ledger.offerId(), done.fileId, false, "file done for a file that has ended");
        return;
    }
    if (m_syncing.count(done.fileId) != 0) {
        m_deps.out.dropped(m_ledger.offerId(), done.fileId, true, "a second file done for the same file");
        return;
    }
    if (!it->second.allReceived()) {
        const std::string detail = "the sender finished after " + std::to_string(it->second.nextChunk()) +
                                   " of " + std::to_string(it->second.chunkCount()) +
                                   " chunks (fewer bytes than offered)";
        m_deps.out.dropped(m_ledger.offerId(), done.fileId, true, detail);
        failHere(*file, FileOutcome::ProtocolViolation, detail, Partial::Keep);
    } else {
        finishFile(*file, done);
    }
    refill();
}

void IncomingTransfer::finishFile(File& file, const wire::FileDone& done)
{
    const Hash32 actual = m_streams.at(file.entry.fileId).finishHash();
    if (actual != done.hash)
        return failHere(file, FileOutcome::HashMismatch,
                        "the received content does not match the sender's hash", Partial::Discard);
    if (m_deps.sink.startSync(keyOf(file))) {
        m_syncing.emplace(file.entry.fileId, actual); // stays Finishing until onPartialSynced
        return;
    }
    commitFile(file, actual);
}

void IncomingTransfer::onPartialSynced(std::uint64_t fileId, const IoStatus& status)
{
    const auto it = m_syncing.find(fileId);
    if (it == m_syncing.end()) return; // abandoned: cancelled, failed or disconnected meanwhile
    const Hash32 hash = it->second;
    m_syncing.erase(it);
    File* file = m_ledger.find(fileId);
    if (file == nullptr) return;
    if (!status.ok())
        failHere(*file, status.error().outcome, status.error().message, Partial::Keep);
    else
        commitFile(*file, hash);
    refill();
}

void IncomingTransfer::commitFile(File& file, const Hash32& hash)
{
    const auto committed = m_deps.sink.commit(keyOf(file), hash);
    if (!committed.ok()) {
        const bool wrong = committed.error().outcome == FileOutcome::HashMismatch;
        return failHere(file, committed.error().outcome, committed.error().message,
                        wrong ? Partial::Discard : Partial::Keep);
    }
    m_streams.erase(file.entry.fileId); // the sink has moved the partial into place
    m_deps.out.send(wire::FileResult{file.entry.fileId, FileOutcome::Verified, {}});
    m_ledger.verifyFile(file, committed.value(), true);
}

void IncomingTransfer::onFileResult(const wire::FileResult& result)
{
    File* file = m_ledger.find(result.fileId);
    if (file == nullptr || file->entry.kind != wire::EntryKind::File ||
        file->state == FileState::NotAccepted) {
        m_deps.out.dropped(m_ledger.offerId(), result.fileId, true,
                           "result for a file that was not accepted");
        return;
    }
    if (isFinal(file->state) || isFinal(m_ledger.state())) return; // announced again after a reconnect
    if (result.outcome == FileOutcome::Verified) {
        m_deps.out.dropped(m_ledger.offerId(), result.fileId, true,
                           "the sender cannot declare a file verified");
        failHere(*file, FileOutcome::ProtocolViolation, "the sender declared the file verified",
                 Partial::Keep);
    } else if (result.outcome == FileOutcome::Cancelled) {
        endStream(*file, Partial::Discard);
        m_ledger.cancelFile(*file, false);
    } else {
        const bool gone = result.outcome == FileOutcome::SourceChanged;
        endStream(*file, gone ? Partial::Discard : Partial::Keep);
        std::string detail(describe(result.outcome));
        if (!result.detail.empty()) detail += ": " + displaySafe(result.detail);
        m_ledger.failFile(*file, result.outcome, "the sender reports " + detail, false);
    }
    refill();
}

void IncomingTransfer::onControl(const wire::TransferControl& control)
{
    const OfferState state = m_ledger.state();
    if (isFinal(state)) return; // crossed our own end of the offer
    if (control.fileId == 0) {
        if (control.action == TransferAction::Cancel) {
            for (File& f : m_ledger.files()) {
                if (isFinal(f.state)) continue;
                endStream(f, Partial::Discard);
                if (state != OfferState::AwaitingDecision) m_ledger.cancelFile(f, false);
            }
            m_ledger.setOfferState(OfferState::Cancelled, "cancelled by the peer");
            return;
        }
        PauseFlags flags = m_ledger.paused();
        flags.byPeer = control.action == TransferAction::Pause;
        m_ledger.setOfferPause(flags);
        refill();
        return;
    }
    File* file = m_ledger.find(control.fileId);
    if (file == nullptr || file->entry.kind != wire::EntryKind::File ||
        file->state == FileState::NotAccepted || state == OfferState::AwaitingDecision) {
        m_deps.out.dropped(m_ledger.offerId(), control.fileId, true,
                           "control for a file that was not accepted");
        return;
    }
    if (isFinal(file->state)) return;
    if (control.action == TransferAction::Cancel) {
        endStream(*file, Partial::Discard);
        m_ledger.cancelFile(*file, false);
    } else {
        PauseFlags flags = file->paused;
        flags.byPeer = control.action == TransferAction::Pause;
        m_ledger.setFilePause(*file, flags);
        m_candidate = 0;
    }
    refill();
}

bool IncomingTransfer::setPause(std::uint64_t fileId, bool paused)
{
    if (m_ledger.state() != OfferState::Active) return false;
    if (!m_ledger.setLocalPause(fileId, paused)) return false;
    m_deps.out.send(wire::TransferControl{m_ledger.offerId(), fileId,
                                          paused ? TransferAction::Pause : TransferAction::Resume});
    return true;
}

bool IncomingTransfer::pause(std::uint64_t fileId)
{
    return setPause(fileId, true);
}

bool IncomingTransfer::resume(std::uint64_t fileId)
{
    if (!setPause(fileId, false)) return false;
    if (fileId == 0) requeueRepairableFailures();
    m_candidate = 0;
    refill();
    return true;
}

void IncomingTransfer::requeueRepairableFailures()
{
    for (File& f : m_ledger.files())
        if (f.state == FileState::Failed && isRepairable(f.outcome) && f.decidedLocally)
            m_ledger.setFileState(f, FileState::Pending);
}

bool IncomingTransfer::cancel(std::uint64_t fileId)
{
    const OfferState state = m_ledger.state();
    if (isFinal(state)) return false;
    if (fileId == 0) {
        if (state == OfferState::AwaitingDecision) return reject("cancelled");
        for (File& f : m_ledger.files()) {
            if (isFinal(f.state)) continue;
            endStream(f, Partial::Discard);
            m_ledger.cancelFile(f, true);
        }
        m_deps.out.send(wire::TransferControl{m_ledger.offerId(), 0, TransferAction::Cancel});
        m_ledger.setOfferState(OfferState::Cancelled, "cancelled here", true);
        return true;
    }
    File* file = m_ledger.find(fileId);
    if (state != OfferState::Active || file == nullptr || isFinal(file->state)) return false;
    endStream(*file, Partial::Discard);
    m_ledger.cancelFile(*file, true);
    m_deps.out.send(wire::TransferControl{m_ledger.offerId(), fileId, TransferAction::Cancel});
    refill();
    return true;
}

bool IncomingTransfer::retry(std::uint64_t fileId)
{
    File* file = m_ledger.find(fileId);
    if (file == nullptr || file->state != FileState::Failed || file->entry.kind != wire::EntryKind::File)
        return false;
    if (m_ledger.state() != OfferState::Active && m_ledger.state() != OfferState::Finished) return false;
    if (m_ledger.state() == OfferState::Finished) m_ledger.setOfferState(OfferState::Active);
    m_ledger.setFileState(*file, FileState::Pending);
    m_candidate = 0;
    refill();
    return true;
}

void IncomingTransfer::onDisconnected()
{
    m_syncing.clear(); // closing the partials below abandons their syncs
    for (auto& [id, stream] : m_streams) {
        m_deps.sink.closePartial(FileKey{m_ledger.offerId(), id});
        if (File* f = m_ledger.find(id); f != nullptr && !isFinal(f->state))
            m_ledger.setFileState(*f, FileState::Pending);
    }
    m_streams.clear();
    m_streamedOnThisLink.clear(); // nothing sent before the drop can still arrive
    m_candidate = 0;
    m_ledger.clearPeerPauses();
}

void IncomingTransfer::onReconnected()
{
    const OfferState state = m_ledger.state();
    // The sender may have missed the reply; it comes first so everything after it makes sense there.
    if (state == OfferState::Active || state == OfferState::Finished) sendAccept();
    m_ledger.announceLocalDecisions();
    m_candidate = 0;
    refill();
}

} // namespace duet::transfer
