// The service's bookkeeping over time: resume records in the profile, and forgetting finished offers so
// a long session holds only what is still moving.
#include "duet/net/TransferServicePeer.hpp"

#include <algorithm>

namespace duet::net {

// ---- Persistence ----

void TransferService::save(Peer& peer)
{
    peer.dirty = false;
    peer.sink->syncCommitted(); // the records may name files whose renames are not yet durable
    try {
        m_records.saveChanges(peer.fingerprint, peer.manager->takeResumeChanges(), peer.manager->resumeKeys(),
                              peer.localPaths);
    } catch (const std::exception& e) {
        m_link.emitEvent(event::Error{peer.id, std::string("cannot save transfer state: ") + e.what()});
    }
}

void TransferService::load(Peer& peer)
{
    std::optional<ResumeState> state;
    std::vector<std::string> problems;
    try {
        state = m_records.load(peer.fingerprint, problems);
    } catch (const std::exception& e) {
        return m_link.emitEvent(
            event::Error{PeerId{}, std::string("cannot read saved transfers: ") + e.what()});
    }
    for (const std::string& problem : problems)
        m_link.emitEvent(event::Error{PeerId{}, problem});
    for (const transfer::ResumeRecord& record : state->records) {
        if (record.direction == transfer::Direction::Incoming) restoreReceiving(peer, record);
        if (record.direction != transfer::Direction::Outgoing) continue;
        for (const transfer::ResumeFile& file : record.files) {
            const auto path = state->localPaths.find(file.entry.fileId);
            if (path == state->localPaths.end()) continue;
            peer.source.add({record.offerId, file.entry.fileId}, path->second);
            peer.localPaths[file.entry.fileId] = path->second;
        }
    }
    for (const std::string& refused : peer.manager->restore(state->records))
        m_link.emitEvent(event::Error{PeerId{}, "cannot resume a transfer: " + refused});
}

void TransferService::restoreReceiving(Peer& peer, const transfer::ResumeRecord& record)
{
    for (const transfer::ResumeFile& file : record.files) {
        const std::size_t slash = file.entry.path.find('/');
        const bool nested = slash != std::string::npos || file.entry.kind == wire::EntryKind::Directory;
        // Where an entry landed names the top-level folder reserved for the offer before the restart.
        if (file.state == transfer::FileState::Verified && nested && !file.finalPath.empty()) {
            const std::size_t finalSlash = file.finalPath.find('/');
            peer.sink->restoreTopLevel(record.offerId, file.entry.path.substr(0, slash),
                                       file.finalPath.substr(0, finalSlash));
        }
        if (file.entry.kind == wire::EntryKind::File && !transfer::isFinal(file.state) &&
            file.state != transfer::FileState::NotAccepted)
            peer.sink->expectResumed({record.offerId, file.entry.fileId});
    }
}

// ---- Forgetting finished offers ----

void TransferService::forgetOffer(Peer& peer, std::uint64_t offerId)
{
    std::optional<transfer::OfferProgress> offer = peer.manager->snapshotOffer(offerId, true);
    if (!offer || !transfer::isFinal(offer->state) || !peer.manager->forget(offerId)) return;
    for (const transfer::FileProgress& file : offer->files) {
        peer.prefixes.erase(file.file.fileId);
        peer.sentHashes.erase(file.file.fileId);
        peer.localPaths.erase(file.file.fileId);
    }
    peer.source.forgetOffer(offerId);
    peer.sink->forgetOffer(offerId);
    peer.finishedSince.erase(offerId);
    peer.dirty = true; // the next save deletes the offer's resume record
}

void TransferService::forgetFinished(Peer& peer, MonoTime now)
{
    // Only counted while connected: an offer that finished offline is announced to the peer again when
    // it reconnects (a cancel, a result), so it must outlive that reconnection by the same while.
    if (!peer.id) {
        peer.finishedSince.clear();
        return;
    }
    std::vector<std::uint64_t> expired;
    for (const transfer::OfferProgress& offer : peer.manager->snapshot(false)) {
        if (!transfer::isFinal(offer.state)) continue;
        const MonoTime since = peer.finishedSince.try_emplace(offer.offerId, now).first->second;
        if (now - since >= m_config.forgetFinishedAfter) expired.push_back(offer.offerId);
    }
    for (std::uint64_t offerId : expired)
        forgetOffer(peer, offerId);
    if (!expired.empty()) save(peer);
}

void TransferService::handle(const command::ForgetTransfers& command)
{
    for (auto& [fingerprint, peerPtr] : m_peers) {
        Peer& peer = *peerPtr;
        if (command.peer && peer.id != command.peer) continue;
        std::vector<std::uint64_t> finished;
        for (const transfer::OfferProgress& offer : peer.manager->snapshot(false))
            if (transfer::isFinal(offer.state) && (!command.offer || offer.offerId == command.offer.value))
                finished.push_back(offer.offerId);
        for (std::uint64_t offerId : finished)
            forgetOffer(peer, offerId);
        if (!finished.empty()) save(peer);
    }
}

TransferHoldings TransferService::holdings() const
{
    TransferHoldings held;
    for (const auto& [fingerprint, peer] : m_peers) {
        held.offers += peer->manager->snapshot(false).size();
        held.perFileEntries += peer->prefixes.size() + peer->sentHashes.size() + peer->localPaths.size() +
                               peer->source.fileCount() + peer->sink->heldEntries();
        held.finishedTimers += peer->finishedSince.size();
    }
    return held;
}

} // namespace duet::net
