#include "duet/transfer/OutgoingTransfer.hpp"

#include "duet/transfer/ChunkMath.hpp"
#include "duet/transfer/OfferParts.hpp"

#include <algorithm>
#include <unordered_set>

namespace duet::transfer {

using wire::FileOutcome;
using wire::TransferAction;

OutgoingTransfer::OutgoingTransfer(std::uint64_t offerId, const std::vector<wire::OfferEntry>& entries,
                                   OutgoingDeps deps)
    : m_ledger(Direction::Outgoing, offerId, entries, OfferState::AwaitingReply, deps.out, deps.clock,
               deps.speedWindow),
      m_deps(deps)
{
}

OutgoingTransfer::OutgoingTransfer(const ResumeRecord& record, OutgoingDeps deps)
    : m_ledger(record, deps.out, deps.clock, deps.speedWindow), m_deps(deps)
{
}

bool OutgoingTransfer::sendOffer()
{
    auto parts = splitOffer(m_ledger.offerId(), m_ledger.entries());
    if (!parts) return false;
    for (wire::Offer& part : *parts)
        m_deps.out.send(std::move(part));
    return true;
}

void OutgoingTransfer::onOfferReply(const wire::OfferReply& reply)
{
    // Otherwise it is a reply sent again after a reconnect, or one that crossed our cancel.
    if (m_ledger.state() != OfferState::AwaitingReply) return;
    if (reply.decision == wire::OfferDecision::Reject) {
        m_ledger.setOfferState(OfferState::Rejected, reply.reason.empty()
                                                         ? std::string("the peer declined")
                                                         : "the peer declined: " + displaySafe(reply.reason));
        return;
    }
    if (reply.acceptedFileIds.empty()) return failOffer("the peer accepted an empty selection");
    std::unordered_set<std::uint64_t> accepted;
    for (std::uint64_t id : reply.acceptedFileIds) {
        if (m_ledger.find(id) == nullptr) return failOffer("the peer accepted a file that was not offered");
        if (!accepted.insert(id).second) return failOffer("the peer accepted a file twice");
    }
    for (File& f : m_ledger.files()) {
        if (accepted.count(f.entry.fileId) == 0)
            f.state = FileState::NotAccepted; // quietly: the offer event below covers it
        else if (f.entry.kind == wire::EntryKind::Directory)
            f.state = FileState::Verified; // nothing to send; the receiver creates it
    }
    m_ledger.setOfferState(OfferState::Active);
    m_ledger.finishIfComplete();
}

void OutgoingTransfer::onFileRequest(const wire::FileRequest& request)
{
    const OfferState state = m_ledger.state();
    if (state == OfferState::AwaitingReply)
        return failOffer("the peer requested a file before accepting the offer");
    if (state == OfferState::Rejected || state == OfferState::Cancelled || state == OfferState::Failed) {
        // A receiver that came back after a restart: tell it again that this offer is over.
        m_deps.out.dropped(request.offerId, request.fileId, false, "request for an offer that has ended");
        m_deps.out.send(wire::TransferControl{m_ledger.offerId(), 0, TransferAction::Cancel});
        return;
    }
    File* file = m_ledger.find(request.fileId);
    if (file == nullptr || file->state == FileState::NotAccepted || file->entry.kind != wire::EntryKind::File)
        return failOffer("the peer requested a file it did not accept");
    if (file->state == FileState::Cancelled) {
        m_deps.out.dropped(request.offerId, request.fileId, false, "request for a cancelled file");
        m_deps.out.send(wire::TransferControl{m_ledger.offerId(), request.fileId, TransferAction::Cancel});
        return;
    }
    const std::uint64_t count = chunkCount(file->entry.size);
    if (request.fromChunk > count) {
        m_deps.out.dropped(request.offerId, request.fileId, true, "request beyond the end of the file");
        return failFile(*file, FileOutcome::ProtocolViolation,
                        "the peer asked for chunk " + std::to_string(request.fromChunk) + " of a file with " +
                            std::to_string(count) + " chunks");
    }
    FileOutcome outcome{};
    if (auto changed = sourceChanged(*file, outcome)) return failFile(*file, outcome, std::move(*changed));

    // The receiver decides where to start; a request for a file already moving restarts it there.
    endStream(file->entry.fileId);
    m_streams.emplace(
        std::piecewise_construct, std::forward_as_tuple(file->entry.fileId),
        std::forward_as_tuple(keyOf(*file), file->entry.size, request.fromChunk, m_deps.hashes.create()));
    m_queue.push_back(file->entry.fileId);
    if (m_ledger.state() == OfferState::Finished) m_ledger.setOfferState(OfferState::Active);
    file->outcome = FileOutcome::Verified;
    file->detail.clear();
    file->decidedLocally = false;
    m_ledger.setFileState(*file, FileState::Active);
    m_ledger.setDone(*file, bytesBeforeChunk(file->entry.size, request.fromChunk), false);
}

void OutgoingTransfer::onChunkAck(const wire::ChunkAck& ack)
{
    File* file = m_ledger.find(ack.fileId);
    if (file == nullptr || file->state == FileState::NotAccepted ||
        file->entry.kind != wire::EntryKind::File) {
        m_deps.out.dropped(m_ledger.offerId(), ack.fileId, true,
                           "acknowledgement for a file that was not accepted");
        return;
    }
    const auto it = m_streams.find(ack.fileId);
    if (it == m_streams.end())
        return; // the stream ended (cancel, failure, reconnect); a late ack is harmless
    switch (it->second.window().acknowledge(ack.nextChunk)) {
    case TransferWindow::AckResult::Stale:
        return;
    case TransferWindow::AckResult::BeyondSent:
        m_deps.out.dropped(m_ledger.offerId(), ack.fileId, true, "acknowledgement beyond the chunks sent");
        return failFile(*file, FileOutcome::ProtocolViolation,
                        "the peer acknowledged chunk " + std::to_string(ack.nextChunk) + " but only " +
                            std::to_string(it->second.window().sent()) + " were sent");
    case TransferWindow::AckResult::Advanced:
        m_ledger.setDone(*file, it->second.window().ackedBytes());
        finishFileIfReady(*file);
        return;
    }
}

void OutgoingTransfer::onFileResult(const wire::FileResult& result)
{
    File* file = m_ledger.find(result.fileId);
    if (file == nullptr || file->state == FileState::NotAccepted ||
        file->entry.kind != wire::EntryKind::File) {
        m_deps.out.dropped(m_ledger.offerId(), result.fileId, true,
                           "result for a file that was not accepted");
        return;
    }
    if (isFinal(file->state) || isFinal(m_ledger.state())) return; // announced again after a reconnect
    if (result.outcome == FileOutcome::Verified) {
        if (file->state == FileState::Active) {
            m_deps.out.dropped(m_ledger.offerId(), result.fileId, true, "verified before it was sent");
            return failFile(*file, FileOutcome::ProtocolViolation,
                            "the peer reported the file verified before it was sent");
        }
        endStream(file->entry.fileId);
        m_ledger.verifyFile(*file, {}, false);
    } else if (result.outcome == FileOutcome::Cancelled) {
        endStream(file->entry.fileId);
        m_ledger.cancelFile(*file, false);
    } else {
        endStream(file->entry.fileId);
        std::string detail(describe(result.outcome));
        if (!result.detail.empty()) detail += ": " + displaySafe(result.detail);
        m_ledger.failFile(*file, result.outcome, "the peer reports " + detail, false);
    }
    m_ledger.finishIfComplete();
}

void OutgoingTransfer::onControl(const wire::TransferControl& control)
{
    if (isFinal(m_ledger.state())) return; // crossed our own end of the offer
    if (control.fileId == 0) {
        if (control.action == TransferAction::Cancel) {
            endAllStreams();
            for (File& f : m_ledger.files())
                if (!isFinal(f.state)) m_ledger.cancelFile(f, false);
            m_ledger.setOfferState(OfferState::Cancelled, "cancelled by the peer");
            return;
        }
        PauseFlags flags = m_ledger.paused();
        flags.byPeer = control.action == TransferAction::Pause;
        m_ledger.setOfferPause(flags);
        return;
    }
    File* file = m_ledger.find(control.fileId);
    if (file == nullptr || file->state == FileState::NotAccepted ||
        file->entry.kind != wire::EntryKind::File) {
        m_deps.out.dropped(m_ledger.offerId(), control.fileId, true,
                           "control for a file that was not accepted");
        return;
    }
    if (isFinal(file->state)) return;
    if (control.action == TransferAction::Cancel) {
        endStream(file->entry.fileId);
        m_ledger.cancelFile(*file, false);
        m_ledger.finishIfComplete();
        return;
    }
    PauseFlags flags = file->paused;
    flags.byPeer = control.action == TransferAction::Pause;
    m_ledger.setFilePause(*file, flags);
}

bool OutgoingTransfer::setPause(std::uint64_t fileId, bool paused)
{
    if (isFinal(m_ledger.state())) return false;
    const TransferAction action = paused ? TransferAction::Pause : TransferAction::Resume;
    if (!m_ledger.setLocalPause(fileId, paused)) return false;
    if (m_ledger.state() != OfferState::AwaitingReply)
        m_deps.out.send(wire::TransferControl{m_ledger.offerId(), fileId, action});
    return true;
}

bool OutgoingTransfer::pause(std::uint64_t fileId)
{
    return setPause(fileId, true);
}

bool OutgoingTransfer::resume(std::uint64_t fileId)
{
    return setPause(fileId, false);
}

bool OutgoingTransfer::cancel(std::uint64_t fileId)
{
    if (isFinal(m_ledger.state())) return false;
    if (fileId == 0) {
        endAllStreams();
        for (File& f : m_ledger.files())
            if (!isFinal(f.state)) m_ledger.cancelFile(f, true);
        m_deps.out.send(wire::TransferControl{m_ledger.offerId(), 0, TransferAction::Cancel});
        m_ledger.setOfferState(OfferState::Cancelled, "cancelled here", true);
        return true;
    }
    File* file = m_ledger.find(fileId);
    if (file == nullptr || isFinal(file->state)) return false;
    endStream(fileId);
    m_ledger.cancelFile(*file, true);
    if (m_ledger.state() != OfferState::AwaitingReply)
        m_deps.out.send(wire::TransferControl{m_ledger.offerId(), fileId, TransferAction::Cancel});
    m_ledger.finishIfComplete();
    return true;
}

void OutgoingTransfer::onDisconnected()
{
    for (auto& [id, stream] : m_streams) {
        m_deps.source.release(stream.key());
        if (File* f = m_ledger.find(id); f != nullptr && f->state == FileState::Active)
            m_ledger.setFileState(*f, FileState::Pending);
    }
    m_streams.clear();
    m_queue.clear();
    m_ledger.clearPeerPauses();
}

void OutgoingTransfer::onReconnected()
{
    // The receiver may have lost an unanswered offer with the link; offering again is harmless.
    if (m_ledger.state() == OfferState::AwaitingReply) sendOffer();
    m_ledger.announceLocalDecisions();
}

void OutgoingTransfer::produce(std::uint64_t& readBudget, std::uint64_t& windowRoom)
{
    if (m_ledger.state() != OfferState::Active || m_ledger.paused().any()) return;
    const std::vector<std::uint64_t> order(m_queue.begin(), m_queue.end());
    for (std::uint64_t fileId : order) {
        if (readBudget == 0) return;
        const auto it = m_streams.find(fileId);
        File* file = m_ledger.find(fileId);
        if (it == m_streams.end() || file == nullptr) continue;
        if (m_ledger.isPaused(*file)) continue;
        const std::uint64_t roomBefore = windowRoom;
        const SendStream::Result result =
            it->second.produce(m_deps.source, m_deps.out, readBudget, windowRoom);
        m_sentChunkBytes += roomBefore - windowRoom;
        switch (result.status) {
        case SendStream::Status::Working:
            return; // out of budget or window; later files wait their turn
        case SendStream::Status::AllRead:
            m_queue.erase(std::find(m_queue.begin(), m_queue.end(), fileId));
            finishFileIfReady(*file);
            break;
        case SendStream::Status::SourceChanged:
            failFile(*file, FileOutcome::SourceChanged, result.detail);
            break;
        case SendStream::Status::SourceUnreadable:
            failFile(*file, FileOutcome::SourceUnreadable, result.detail);
            break;
        }
    }
}

bool OutgoingTransfer::canProduce(std::uint64_t windowRoom) const
{
    if (m_ledger.state() != OfferState::Active || m_ledger.paused().any()) return false;
    for (std::uint64_t fileId : m_queue) {
        const auto it = m_streams.find(fileId);
        const OfferLedger::File* file = m_ledger.find(fileId);
        if (it == m_streams.end() || file == nullptr || m_ledger.isPaused(*file)) continue;
        // Only the first stream that can move matters: produce() serves the queue in order.
        return it->second.canProduce(windowRoom);
    }
    return false;
}

std::uint64_t OutgoingTransfer::bytesInFlight() const
{
    std::uint64_t total = 0;
    for (const auto& [id, stream] : m_streams)
        total += stream.window().bytesInFlight();
    return total;
}

void OutgoingTransfer::failOffer(std::string reason)
{
    m_deps.out.dropped(m_ledger.offerId(), 0, true, reason);
    endAllStreams();
    for (File& f : m_ledger.files())
        if (!isFinal(f.state)) m_ledger.failFile(f, FileOutcome::ProtocolViolation, reason, false);
    m_deps.out.send(wire::TransferControl{m_ledger.offerId(), 0, TransferAction::Cancel});
    m_ledger.setOfferState(OfferState::Failed, std::move(reason), true);
}

void OutgoingTransfer::failFile(File& file, FileOutcome outcome, std::string detail)
{
    endStream(file.entry.fileId);
    m_deps.out.send(wire::FileResult{file.entry.fileId, outcome, clampReason(detail)});
    m_ledger.failFile(file, outcome, std::move(detail), true);
    m_ledger.finishIfComplete();
}

void OutgoingTransfer::endStream(std::uint64_t fileId)
{
    const auto it = m_streams.find(fileId);
    if (it == m_streams.end()) return;
    m_deps.source.release(it->second.key());
    m_streams.erase(it);
    m_queue.erase(std::remove(m_queue.begin(), m_queue.end(), fileId), m_queue.end());
}

void OutgoingTransfer::endAllStreams()
{
    for (auto& [id, stream] : m_streams)
        m_deps.source.release(stream.key());
    m_streams.clear();
    m_queue.clear();
}

void OutgoingTransfer::finishFileIfReady(File& file)
{
    const auto it = m_streams.find(file.entry.fileId);
    if (it == m_streams.end() || !it->second.allRead() || !it->second.window().allAcked()) return;
    FileOutcome outcome{};
    if (auto changed = sourceChanged(file, outcome)) return failFile(file, outcome, std::move(*changed));
    m_deps.out.send(wire::FileDone{file.entry.fileId, it->second.hash()});
    endStream(file.entry.fileId);
    m_ledger.setFileState(file, FileState::Finishing);
}

std::optional<std::string> OutgoingTransfer::sourceChanged(const File& file, FileOutcome& outcome)
{
    const auto stat = m_deps.source.stat(keyOf(file));
    if (!stat.ok()) {
        outcome = FileOutcome::SourceUnreadable;
        return stat.error().message.empty() ? std::string("the file cannot be read") : stat.error().message;
    }
    outcome = FileOutcome::SourceChanged;
    if (stat.value().size != file.entry.size)
        return "the file's size changed from " + std::to_string(file.entry.size) + " to " +
               std::to_string(stat.value().size) + " bytes";
    if (stat.value().mtimeMs != file.entry.mtimeMs)
        return std::string("the file was modified after it was offered");
    return std::nullopt;
}

} // namespace duet::transfer
