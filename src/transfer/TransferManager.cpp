// Routing, user commands, chunk production and observation. Offer intake, id allocation and
// persistence are in TransferManagerOffers.cpp.
#include "duet/transfer/TransferManager.hpp"

#include <algorithm>

namespace duet::transfer {

namespace {

template <typename... F>
struct Overloaded : F... {
    using F::operator()...;
};
template <typename... F>
Overloaded(F...) -> Overloaded<F...>;

TransferConfig normalised(TransferConfig config)
{
    config.windowBytes = std::max(config.windowBytes, kMinWindowBytes);
    config.filesRequestedAhead = std::max<std::size_t>(config.filesRequestedAhead, 1);
    config.maxPendingOffers = std::max<std::size_t>(config.maxPendingOffers, 1);
    config.maxOfferEntries = std::min(config.maxOfferEntries, wire::kMaxOfferEntries);
    return config;
}

} // namespace

TransferManager::TransferManager(TransferConfig config, ManagerDeps deps)
    : m_config(normalised(config)), m_deps(std::move(deps))
{
}

TransferManager::~TransferManager() = default;

OutgoingTransfer* TransferManager::outgoing(std::uint64_t offerId)
{
    const auto it = m_outgoing.find(offerId);
    return it == m_outgoing.end() ? nullptr : it->second.get();
}

IncomingTransfer* TransferManager::incoming(std::uint64_t offerId)
{
    const auto it = m_incoming.find(offerId);
    return it == m_incoming.end() ? nullptr : it->second.get();
}

// ---- The local user ----

std::optional<std::string> TransferManager::accept(std::uint64_t offerId,
                                                   const std::vector<std::uint64_t>* fileIds)
{
    IncomingTransfer* t = incoming(offerId);
    if (t == nullptr) return "no such incoming offer";
    auto refusal = t->accept(fileIds);
    syncTickets();
    return refusal;
}

bool TransferManager::reject(std::uint64_t offerId, std::string reason)
{
    IncomingTransfer* t = incoming(offerId);
    const bool done = t != nullptr && t->reject(std::move(reason));
    syncTickets();
    return done;
}

bool TransferManager::pause(std::uint64_t offerId, std::uint64_t fileId)
{
    if (OutgoingTransfer* t = outgoing(offerId)) return t->pause(fileId);
    if (IncomingTransfer* t = incoming(offerId)) return t->pause(fileId);
    return false;
}

bool TransferManager::resume(std::uint64_t offerId, std::uint64_t fileId)
{
    if (OutgoingTransfer* t = outgoing(offerId)) return t->resume(fileId);
    if (IncomingTransfer* t = incoming(offerId)) return t->resume(fileId);
    return false;
}

bool TransferManager::cancel(std::uint64_t offerId, std::uint64_t fileId)
{
    bool done = false;
    if (OutgoingTransfer* t = outgoing(offerId))
        done = t->cancel(fileId);
    else if (IncomingTransfer* t = incoming(offerId))
        done = t->cancel(fileId);
    syncTickets();
    return done;
}

bool TransferManager::retry(std::uint64_t offerId, std::uint64_t fileId)
{
    IncomingTransfer* t = incoming(offerId);
    return t != nullptr && t->retry(fileId);
}

// ---- The peer ----

void TransferManager::onMessage(const wire::AppMessage& message)
{
    std::visit(Overloaded{
                   [this](const wire::Offer& m) { onOfferPart(m); },
                   [this](const wire::OfferReply& m) { onReply(m); },
                   [this](const wire::FileRequest& m) { onRequest(m); },
                   [this](const wire::ChunkAck& m) { onAck(m); },
                   [this](const wire::FileDone& m) { onDone(m); },
                   [this](const wire::FileResult& m) { onResult(m); },
                   [this](const wire::TransferControl& m) { onControl(m); },
                   [](const auto&) {},
               },
               message);
    syncTickets();
}

void TransferManager::unknownId(std::uint64_t offerId, std::uint64_t fileId, const char* what)
{
    // Messages about an offer forgotten a moment ago are the peer catching up, not an attack.
    const bool forgotten =
        (offerId != 0 && m_forgotten.count(offerId) != 0) || (fileId != 0 && m_forgotten.count(fileId) != 0);
    m_out.dropped(offerId, fileId, !forgotten, std::string(what) + " for an unknown offer or file");
}

void TransferManager::onReply(const wire::OfferReply& reply)
{
    if (OutgoingTransfer* t = outgoing(reply.offerId)) return t->onOfferReply(reply);
    unknownId(reply.offerId, 0, "offer reply");
}

void TransferManager::onRequest(const wire::FileRequest& request)
{
    if (OutgoingTransfer* t = outgoing(request.offerId)) return t->onFileRequest(request);
    unknownId(request.offerId, request.fileId, "file request");
    // Tell a receiver that kept an offer we no longer have (we restarted without it) to stop waiting.
    if (m_incoming.count(request.offerId) == 0)
        m_out.send(wire::TransferControl{request.offerId, 0, wire::TransferAction::Cancel});
}

void TransferManager::onAck(const wire::ChunkAck& ack)
{
    const auto it = m_fileOwners.find(ack.fileId);
    if (it != m_fileOwners.end() && it->second.direction == Direction::Outgoing)
        return outgoing(it->second.offerId)->onChunkAck(ack);
    unknownId(0, ack.fileId, "chunk acknowledgement");
}

void TransferManager::onDone(const wire::FileDone& done)
{
    const auto it = m_fileOwners.find(done.fileId);
    if (it != m_fileOwners.end() && it->second.direction == Direction::Incoming)
        return incoming(it->second.offerId)->onFileDone(done);
    unknownId(0, done.fileId, "file done");
}

void TransferManager::onPartialSynced(const FileKey& file, const IoStatus& status)
{
    if (IncomingTransfer* transfer = incoming(file.offerId)) transfer->onPartialSynced(file.fileId, status);
}

void TransferManager::onResult(const wire::FileResult& result)
{
    const auto it = m_fileOwners.find(result.fileId);
    if (it == m_fileOwners.end()) return unknownId(0, result.fileId, "file result");
    if (it->second.direction == Direction::Outgoing)
        return outgoing(it->second.offerId)->onFileResult(result);
    incoming(it->second.offerId)->onFileResult(result);
}

void TransferManager::onControl(const wire::TransferControl& control)
{
    if (OutgoingTransfer* t = outgoing(control.offerId)) return t->onControl(control);
    if (IncomingTransfer* t = incoming(control.offerId)) return t->onControl(control);
    if (control.action == wire::TransferAction::Cancel && control.fileId == 0 &&
        m_assembling.erase(control.offerId) != 0)
        return; // the sender withdrew an offer still arriving
    unknownId(control.offerId, control.fileId, "transfer control");
}

void TransferManager::onChunk(std::uint64_t fileId, std::uint64_t chunkIndex, wire::ByteSpan plaintext)
{
    const auto it = m_fileOwners.find(fileId);
    if (it != m_fileOwners.end() && it->second.direction == Direction::Incoming)
        return incoming(it->second.offerId)->onChunk(fileId, chunkIndex, plaintext);
    unknownId(0, fileId, "chunk");
}

void TransferManager::onDisconnected()
{
    for (auto& [id, t] : m_outgoing)
        t->onDisconnected();
    m_assembling.clear();
    for (auto it = m_incoming.begin(); it != m_incoming.end();) {
        IncomingTransfer& t = *it->second;
        if (t.ledger().state() == OfferState::AwaitingDecision) {
            // The prompt goes away; the sender offers again when the link is back.
            m_out.emit(OfferChanged{t.offerId(),
                                    Direction::Incoming,
                                    OfferState::Cancelled,
                                    {},
                                    "the connection dropped before a decision"});
            unregisterFiles(t.ledger());
            it = m_incoming.erase(it);
            continue;
        }
        t.onDisconnected();
        ++it;
    }
    syncTickets();
}

void TransferManager::onConnected()
{
    for (auto& [id, t] : m_outgoing)
        t->onReconnected();
    for (auto& [id, t] : m_incoming)
        t->onReconnected();
}

void TransferManager::tick()
{
    const MonoTime now = m_deps.clock.now();
    std::vector<std::uint64_t> expired;
    for (const auto& [id, assembly] : m_assembling)
        if (now - assembly.assembler.startedAt() >= m_config.assemblyTimeout) expired.push_back(id);
    for (std::uint64_t id : expired) {
        m_assembling.erase(id);
        refuseOffer(id, "the offer did not arrive completely in time");
    }
}

// ---- Output ----

void TransferManager::produceChunks(std::uint64_t readBudget)
{
    const std::uint64_t inFlight = bytesInFlight();
    std::uint64_t windowRoom = m_config.windowBytes > inFlight ? m_config.windowBytes - inFlight : 0;
    if (m_outgoing.empty()) return;
    // Round robin: start after the offer served last, so one big offer cannot starve the others.
    auto start = m_outgoing.upper_bound(m_lastServed);
    if (start == m_outgoing.end()) start = m_outgoing.begin();
    auto it = start;
    do {
        if (readBudget == 0) break;
        const std::uint64_t before = readBudget;
        it->second->produce(readBudget, windowRoom);
        if (readBudget != before) m_lastServed = it->first;
        if (++it == m_outgoing.end()) it = m_outgoing.begin();
    } while (it != start);
}

bool TransferManager::canProduce() const
{
    const std::uint64_t inFlight = bytesInFlight();
    const std::uint64_t windowRoom = m_config.windowBytes > inFlight ? m_config.windowBytes - inFlight : 0;
    for (const auto& [id, t] : m_outgoing)
        if (t->canProduce(windowRoom)) return true;
    return false;
}

std::uint64_t TransferManager::bytesInFlight() const
{
    std::uint64_t total = 0;
    for (const auto& [id, t] : m_outgoing)
        total += t->bytesInFlight();
    return total;
}

// ---- Observation ----

std::vector<OfferProgress> TransferManager::snapshot(bool withFiles)
{
    std::vector<OfferProgress> all;
    all.reserve(m_outgoing.size() + m_incoming.size());
    for (auto& [id, t] : m_outgoing)
        all.push_back(t->ledger().snapshot(withFiles));
    for (auto& [id, t] : m_incoming)
        all.push_back(t->ledger().snapshot(withFiles));
    return all;
}

std::optional<OfferProgress> TransferManager::snapshotOffer(std::uint64_t offerId, bool withFiles)
{
    if (OutgoingTransfer* t = outgoing(offerId)) return t->ledger().snapshot(withFiles);
    if (IncomingTransfer* t = incoming(offerId)) return t->ledger().snapshot(withFiles);
    return std::nullopt;
}

} // namespace duet::transfer
