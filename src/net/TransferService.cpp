#include "duet/net/TransferService.hpp"

#include "duet/net/TransferServicePeer.hpp"
#include "duet/storage/ReceiveRoot.hpp"
#include "duet/storage/Selection.hpp"
#include "duet/storage/Utf8.hpp"
#include "duet/transfer/ChunkMath.hpp"
#include "duet/transfer/TransferManager.hpp"
#include "duet/wire/Chunk.hpp"

#include <cstdlib>
#include <system_error>

namespace duet::net {
namespace {

constexpr Millis kTickInterval{1000};
constexpr Millis kProgressInterval{200};
constexpr Millis kSaveInterval{1000};
// Suspicious transfer inputs tolerated from one peer before we hang up.
constexpr int kMaxStrikes = 16;
constexpr const char* kAutoAcceptSetting = "transfers.auto_accept_verified";

TransferState stateOf(const transfer::OfferProgress& offer, bool connected)
{
    using transfer::OfferState;
    switch (offer.state) {
    case OfferState::AwaitingReply:
    case OfferState::AwaitingDecision:
        return TransferState::Offered;
    case OfferState::Active:
        if (offer.paused.any()) return TransferState::Paused;
        if (!connected) return TransferState::Waiting;
        return offer.progress.doneBytes == 0 ? TransferState::Queued : TransferState::Active;
    case OfferState::Finished:
        return offer.entriesFailed == 0 ? TransferState::Done : TransferState::Failed;
    case OfferState::Rejected:
        return TransferState::Rejected;
    case OfferState::Cancelled:
        return TransferState::Cancelled;
    case OfferState::Failed:
        return TransferState::Failed;
    }
    return TransferState::Failed;
}

std::vector<TransferEntry> entriesOf(const std::vector<wire::OfferEntry>& entries)
{
    std::vector<TransferEntry> out;
    out.reserve(entries.size());
    for (const wire::OfferEntry& e : entries)
        out.push_back({e.fileId, e.path, e.size, e.kind == wire::EntryKind::Directory});
    return out;
}

std::optional<std::string> validate(const std::vector<wire::OfferEntry>& entries)
{
    std::vector<storage::OfferEntry> converted;
    converted.reserve(entries.size());
    for (const wire::OfferEntry& e : entries)
        converted.push_back(
            {e.path,
             e.kind == wire::EntryKind::Directory ? storage::EntryKind::Directory : storage::EntryKind::File,
             e.size});
    const storage::ValidationResult result = storage::validateOffer(converted);
    if (result.ok()) return std::nullopt;
    return result.reason;
}

} // namespace

TransferService::TransferService(TransferServiceConfig config, TransferLink& link, const Clock& clock,
                                 crypto::Random& random, profile::ProfileStore& profile)
    : m_config(std::move(config)), m_link(link), m_clock(clock), m_random(random), m_profile(profile),
      m_records(profile)
{
    openDownloadDir();
    try {
        std::vector<std::string> problems;
        m_records.importLegacySettings(problems);
        for (const std::string& problem : problems)
            m_link.emitEvent(event::Error{PeerId{}, problem});
    } catch (const std::exception& e) {
        m_link.emitEvent(
            event::Error{PeerId{}, std::string("cannot move saved transfer state: ") + e.what()});
    }
    try {
        m_autoAcceptVerified = m_profile.setting(kAutoAcceptSetting).value_or("0") == "1";
    } catch (const std::exception&) {
        m_autoAcceptVerified = false;
    }
}

TransferService::~TransferService() = default;

void TransferService::openDownloadDir()
{
    std::error_code ignored;
    std::filesystem::create_directories(m_config.downloadDir, ignored);
    storage::Expected<storage::ReceiveRoot> root = storage::ReceiveRoot::open(m_config.downloadDir);
    if (root) {
        m_root = std::make_shared<storage::ReceiveRoot>(std::move(*root));
    } else {
        m_root.reset();
        m_link.emitEvent(event::Error{PeerId{}, "download folder unusable: " + root.error().message});
    }
}

bool TransferService::autoAccepts() const
{
    // Transfers only flow on verified sessions, so the opt-in covers every peer that reaches here.
    return m_config.autoAcceptAll || m_autoAcceptVerified;
}

TransferService::Peer* TransferService::find(PeerId peer)
{
    for (auto& [fingerprint, p] : m_peers)
        if (p->id == peer && peer) return p.get();
    return nullptr;
}

TransferService::Peer& TransferService::peerFor(const std::string& fingerprint)
{
    auto& slot = m_peers[fingerprint];
    if (slot) return *slot;
    slot = std::make_unique<Peer>();
    Peer& peer = *slot;
    peer.fingerprint = fingerprint;
    peer.sink = std::make_unique<StorageReceiveSink>(m_root, m_config.downloadDir, fingerprint);
    transfer::ManagerDeps deps{peer.source, *peer.sink, m_hashes, m_clock, validate, [this] {
                                   std::uint64_t id = 0;
                                   while (id == 0)
                                       m_random.fill(
                                           std::span(reinterpret_cast<std::uint8_t*>(&id), sizeof id));
                                   return id;
                               }};
    transfer::TransferConfig config;
    if (const char* reserve = std::getenv("DUET_FREE_SPACE_RESERVE"))
        config.freeSpaceReserve = std::strtoull(reserve, nullptr, 10);
    peer.manager = std::make_unique<transfer::TransferManager>(config, deps);
    load(peer);
    return peer;
}

void TransferService::onPeerVerified(PeerId id, const std::string& fingerprint,
                                     const crypto::SessionKeys& keys)
{
    Peer& peer = peerFor(fingerprint);
    if (peer.id && peer.id != id) peer.manager->onDisconnected(); // a second connection replaces the first
    peer.id = id;
    peer.sealer.emplace(keys.send.file);
    peer.opener.emplace(keys.receive.file);
    peer.prefixes.clear();
    peer.queuedCounters.push_back(std::make_unique<std::uint64_t>(0));
    peer.queued = peer.queuedCounters.back().get();
    peer.strikes = 0;
    peer.manager->onConnected();
    drain(peer);
    emitAllProgress(peer);
}

void TransferService::onPeerGone(PeerId id)
{
    Peer* peer = find(id);
    if (peer == nullptr) return;
    peer->manager->onDisconnected();
    peer->id = PeerId{};
    peer->sealer.reset();
    peer->opener.reset();
    peer->queued = nullptr;
    drain(*peer); // only UI actions can come out now; messages for the peer are dropped
    emitAllProgress(*peer);
    save(*peer);
}

void TransferService::onMessage(PeerId id, const wire::AppMessage& message)
{
    Peer* peer = find(id);
    if (peer == nullptr) return;
    // A request starts a new stream of this file: never reuse a nonce prefix for it (PROTOCOL.md §5).
    if (const auto* request = std::get_if<wire::FileRequest>(&message)) peer->prefixes.erase(request->fileId);
    peer->manager->onMessage(message);
    drain(*peer);
}

void TransferService::onChunk(PeerId id, wire::ByteSpan chunkBody)
{
    Peer* peer = find(id);
    if (peer == nullptr || !peer->opener) return;
    wire::Result<wire::ChunkView> chunk = wire::decodeChunkBody(chunkBody);
    if (!chunk) return strike(*peer, "undecodable chunk");
    std::optional<wire::Bytes> plaintext =
        peer->opener->open(chunk->fileId, chunk->noncePrefix, chunk->chunkIndex, chunk->ciphertext);
    if (!plaintext) return strike(*peer, "chunk failed to authenticate");
    peer->manager->onChunk(chunk->fileId, chunk->chunkIndex, *plaintext);
    drain(*peer);
}

void TransferService::onStreamChunk(PeerId id, wire::ByteSpan streamChunkBody)
{
    Peer* peer = find(id);
    if (peer == nullptr || !peer->opener) return;
    wire::Result<wire::StreamChunkView> chunk = wire::decodeStreamChunkBody(streamChunkBody);
    if (!chunk) return strike(*peer, "undecodable chunk");
    peer->manager->onChunk(chunk->fileId, chunk->chunkIndex, chunk->data);
    drain(*peer);
}

void TransferService::strike(Peer& peer, const std::string& reason)
{
    m_link.emitEvent(event::Error{peer.id, "file transfer: " + transfer::displaySafe(reason)});
    if (++peer.strikes >= kMaxStrikes && peer.id)
        m_link.closeForAbuse(peer.id, "too many bad file transfer inputs, last: " + reason);
}

void TransferService::sendChunk(Peer& peer, std::uint64_t fileId, std::uint64_t index,
                                const wire::Bytes& plaintext)
{
    if (!peer.sealer || !peer.id) return;
    // Sealing again inside the sealed stream would only spend a second cipher pass on every byte.
    if (m_link.chunksTravelSealed(peer.id))
        return m_link.sendChunkFrame(peer.id, wire::encodeStreamChunk(fileId, index, plaintext), peer.queued);
    auto prefix = peer.prefixes.find(fileId);
    if (prefix == peer.prefixes.end()) {
        crypto::NoncePrefix fresh{};
        m_random.fill(fresh);
        prefix = peer.prefixes.emplace(fileId, fresh).first;
    }
    const wire::Bytes sealed = peer.sealer->seal(fileId, prefix->second, index, plaintext);
    m_link.sendChunkFrame(peer.id, wire::encodeChunk(fileId, index, prefix->second, sealed), peer.queued);
}

void TransferService::drain(Peer& peer)
{
    // An offer that changed state (accepted, finished...) is saved at once, not on the next save tick:
    // a receiver killed a moment after accepting must still find the offer when it restarts, or the
    // sender would wait for requests that never come.
    bool offerChanged = false;
    // Bounded: every round either empties the outbox or accepts an offer (which cannot repeat).
    for (int round = 0; round < 64; ++round) {
        std::vector<transfer::Action> actions = peer.manager->takeActions();
        if (actions.empty()) break;
        std::vector<std::uint64_t> toAccept;
        for (transfer::Action& action : actions) {
            if (auto* send = std::get_if<transfer::SendMessage>(&action)) {
                if (const auto* done = std::get_if<wire::FileDone>(&send->message))
                    peer.sentHashes[done->fileId] = crypto::toHex(done->hash);
                if (peer.id) m_link.sendTransferMessage(peer.id, send->message);
            } else if (auto* chunk = std::get_if<transfer::SendChunk>(&action)) {
                sendChunk(peer, chunk->fileId, chunk->chunkIndex, chunk->plaintext);
            } else if (auto* arrived = std::get_if<transfer::OfferArrived>(&action)) {
                const bool autoAccept = autoAccepts();
                m_link.emitEvent(event::OfferReceived{peer.id, TransferId{arrived->offerId},
                                                      entriesOf(arrived->entries), arrived->totalBytes,
                                                      autoAccept});
                if (autoAccept) toAccept.push_back(arrived->offerId);
            } else if (auto* offer = std::get_if<transfer::OfferChanged>(&action)) {
                peer.dirty = true;
                offerChanged = true;
                if (transfer::isFinal(offer->state)) {
                    std::optional<transfer::OfferProgress> snap =
                        peer.manager->snapshotOffer(offer->offerId, false);
                    const TransferState state = snap ? stateOf(*snap, true) : TransferState::Failed;
                    emitProgress(peer, offer->offerId);
                    m_link.emitEvent(event::OfferFinished{peer.id, TransferId{offer->offerId}, state,
                                                          transfer::displaySafe(offer->reason)});
                } else {
                    emitProgress(peer, offer->offerId);
                }
            } else if (auto* file = std::get_if<transfer::FileChanged>(&action)) {
                peer.dirty = true;
                const TransferId offerId{file->file.offerId};
                if (file->state == transfer::FileState::Verified) {
                    std::string hash;
                    std::string local;
                    if (file->direction == transfer::Direction::Outgoing) {
                        hash = peer.sentHashes.count(file->file.fileId) ? peer.sentHashes[file->file.fileId]
                                                                        : "";
                        local = peer.localPaths.count(file->file.fileId) ? peer.localPaths[file->file.fileId]
                                                                         : "";
                    } else {
                        hash = peer.sink->committedHash(file->file).value_or("");
                        local = (m_config.downloadDir / file->finalPath).string();
                    }
                    m_link.emitEvent(
                        event::TransferFileDone{peer.id, offerId, file->file.fileId, local, hash});
                } else if (file->state == transfer::FileState::Failed ||
                           file->state == transfer::FileState::Cancelled) {
                    std::string reason = file->state == transfer::FileState::Cancelled
                                             ? std::string("cancelled")
                                             : std::string(transfer::describe(file->outcome));
                    // The detail usually restates the outcome; prefer it when there is one.
                    if (!file->detail.empty()) reason = transfer::displaySafe(file->detail);
                    const std::string outcome = file->state == transfer::FileState::Cancelled
                                                    ? std::string("cancelled")
                                                    : wire::outcomeCode(file->outcome);
                    m_link.emitEvent(
                        event::TransferFileFailed{peer.id, offerId, file->file.fileId, reason, outcome});
                }
            } else if (auto* dropped = std::get_if<transfer::InputDropped>(&action)) {
                if (dropped->suspicious) strike(peer, dropped->reason);
            }
        }
        for (std::uint64_t offerId : toAccept)
            if (auto refusal = peer.manager->accept(offerId))
                m_link.emitEvent(event::Error{peer.id, "cannot accept the offer: " + *refusal});
    }
    if (offerChanged) save(peer);
}

void TransferService::emitProgress(Peer& peer, std::uint64_t offerId)
{
    std::optional<transfer::OfferProgress> snap = peer.manager->snapshotOffer(offerId, true);
    if (!snap) return;
    event::TransferProgress progress;
    progress.peer = peer.id;
    progress.offer = TransferId{offerId};
    progress.outgoing = snap->direction == transfer::Direction::Outgoing;
    progress.state = stateOf(*snap, static_cast<bool>(peer.id));
    progress.bytesDone = snap->progress.doneBytes;
    progress.totalBytes = snap->progress.totalBytes;
    progress.bytesPerSec = static_cast<std::uint64_t>(snap->progress.bytesPerSecond);
    progress.etaSeconds = snap->progress.eta ? snap->progress.eta->count() : -1;
    for (const transfer::FileProgress& file : snap->files) {
        if (file.state == transfer::FileState::Active || file.state == transfer::FileState::Finishing) {
            progress.fileId = file.file.fileId;
            progress.fileBytes = file.progress.doneBytes;
            break;
        }
    }
    m_link.emitEvent(std::move(progress));
}

void TransferService::emitAllProgress(Peer& peer)
{
    for (const transfer::OfferProgress& offer : peer.manager->snapshot(false))
        if (!transfer::isFinal(offer.state)) emitProgress(peer, offer.offerId);
}

bool TransferService::busy() const
{
    for (const auto& [fingerprint, peer] : m_peers) {
        if (peer->id && peer->manager->canProduce()) return true;
        // Received files are being synced on the sink's workers, which cannot wake the loop: poll.
        if (peer->sink->syncsPending() != 0) return true;
    }
    return false;
}

void TransferService::pump()
{
    const MonoTime now = m_clock.now();
    for (auto& [fingerprint, peerPtr] : m_peers) {
        Peer& peer = *peerPtr;
        // Verified files whose sync finished are named and reported now (IncomingTransfer).
        if (peer.sink->syncsPending() != 0) {
            for (StorageReceiveSink::Synced& synced : peer.sink->takeSynced())
                peer.manager->onPartialSynced(synced.file, synced.status);
            drain(peer);
        }
        if (!peer.id || peer.queued == nullptr) continue;
        // Hand ENet a chunk at a time while little is waiting there; the rest waits in the manager's
        // window, so a chat record is never stuck behind megabytes of file data.
        for (int i = 0; i < 64 && peer.manager->canProduce() && *peer.queued < m_config.maxQueuedChunkBytes;
             ++i) {
            peer.manager->produceChunks(transfer::kChunkBytes);
            drain(peer);
        }
    }
    if (now - m_lastTick >= kTickInterval) {
        m_lastTick = now;
        for (auto& [fingerprint, peer] : m_peers) {
            peer->manager->tick();
            drain(*peer);
            forgetFinished(*peer, now);
        }
    }
    if (now - m_lastProgress >= kProgressInterval) {
        m_lastProgress = now;
        for (auto& [fingerprint, peer] : m_peers)
            if (peer->id) emitAllProgress(*peer);
    }
    if (now - m_lastSave >= kSaveInterval) {
        m_lastSave = now;
        for (auto& [fingerprint, peer] : m_peers)
            if (peer->dirty) save(*peer);
    }
}

// ---- Commands ----

void TransferService::handle(const command::SendFiles& command)
{
    Peer* peer = find(command.peer);
    if (peer == nullptr)
        return m_link.emitEvent(event::Error{command.peer, "send: the peer is not connected and verified"});
    std::vector<std::filesystem::path> picked(command.paths.begin(), command.paths.end());
    // Walking the selection blocks the net thread; large trees stall chat for that long (known limit).
    const storage::Selection selection = storage::collectSelection(picked);
    for (const storage::SkippedItem& skipped : selection.skipped)
        m_link.emitEvent(event::Error{command.peer, "send: skipped " + skipped.message});
    if (selection.entries.empty())
        return m_link.emitEvent(event::Error{command.peer, "send: nothing to send"});
    std::vector<transfer::LocalEntry> entries;
    entries.reserve(selection.entries.size());
    for (const storage::SelectedEntry& e : selection.entries)
        entries.push_back(
            {e.kind == storage::EntryKind::Directory ? wire::EntryKind::Directory : wire::EntryKind::File,
             e.size, e.mtimeSeconds * 1000, e.relativePath});
    const transfer::NewOffer offer = peer->manager->offer(entries);
    if (!offer.ok()) return m_link.emitEvent(event::Error{command.peer, "send: " + offer.error});
    std::vector<TransferEntry> shown;
    for (std::size_t i = 0; i < selection.entries.size(); ++i) {
        const storage::SelectedEntry& e = selection.entries[i];
        const std::uint64_t fileId = offer.fileIds[i];
        if (e.kind == storage::EntryKind::File) {
            peer->source.add({offer.offerId, fileId}, e.localPath);
            peer->localPaths[fileId] = e.localPath.string();
        }
        shown.push_back({fileId, e.relativePath, e.size, e.kind == storage::EntryKind::Directory});
    }
    m_link.emitEvent(
        event::OfferSent{command.peer, TransferId{offer.offerId}, std::move(shown), selection.totalBytes});
    peer->dirty = true;
    drain(*peer);
}

void TransferService::handle(const command::AcceptOffer& command)
{
    Peer* peer = find(command.peer);
    if (peer == nullptr)
        return m_link.emitEvent(event::Error{command.peer, "accept: the peer is not connected"});
    const std::optional<std::string> refusal =
        command.fileIds.empty() ? peer->manager->accept(command.offer.value)
                                : peer->manager->accept(command.offer.value, &command.fileIds);
    if (refusal) m_link.emitEvent(event::Error{command.peer, "accept: " + *refusal});
    drain(*peer);
}

void TransferService::handle(const command::RejectOffer& command)
{
    Peer* peer = find(command.peer);
    if (peer == nullptr ||
        !peer->manager->reject(command.offer.value,
                               command.reason.empty() ? "rejected by the user" : command.reason))
        m_link.emitEvent(event::Error{command.peer, "reject: no such offer waiting for a decision"});
    if (peer != nullptr) drain(*peer);
}

void TransferService::handle(const command::ControlTransfer& command)
{
    Peer* peer = find(command.peer);
    if (peer == nullptr) {
        // Offers of a disconnected peer can still be paused or cancelled: look them up by offer id.
        for (auto& [fingerprint, p] : m_peers)
            if (p->manager->snapshotOffer(command.offer.value, false)) peer = p.get();
    }
    bool ok = false;
    if (peer != nullptr) {
        switch (command.action) {
        case TransferAction::Pause:
            ok = peer->manager->pause(command.offer.value, command.fileId);
            break;
        case TransferAction::Resume:
            ok = peer->manager->resume(command.offer.value, command.fileId);
            break;
        case TransferAction::Cancel:
            ok = peer->manager->cancel(command.offer.value, command.fileId);
            break;
        }
        drain(*peer);
        peer->dirty = true;
    }
    if (!ok)
        m_link.emitEvent(event::Error{command.peer, "transfer control: no such offer or file in that state"});
}

void TransferService::handle(const command::SetDownloadDir& command)
{
    // Applies to peers whose transfers start after this (their sinks are made on first contact).
    m_config.downloadDir = command.path;
    openDownloadDir();
}

void TransferService::handle(const command::SetAutoAccept& command)
{
    m_autoAcceptVerified = command.verifiedPeers;
    try {
        m_profile.setSetting(kAutoAcceptSetting, command.verifiedPeers ? "1" : "0");
    } catch (const std::exception& e) {
        m_link.emitEvent(
            event::Error{PeerId{}, std::string("cannot save the auto-accept setting: ") + e.what()});
    }
}

} // namespace duet::net
