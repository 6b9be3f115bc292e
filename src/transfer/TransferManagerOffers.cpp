// Offers coming in (assembly, caps, validation), offers going out (ids), and persistence.
#include "duet/transfer/OfferParts.hpp"
#include "duet/transfer/TransferManager.hpp"

#include <algorithm>

namespace duet::transfer {

namespace {

constexpr std::size_t kRememberedRefusals = 64;
constexpr std::size_t kRememberedForgottenIds = 1u << 16;
constexpr int kIdAttempts = 16;

} // namespace

// ---- Outgoing ----

NewOffer TransferManager::offer(const std::vector<LocalEntry>& entries)
{
    if (entries.empty()) return {0, {}, "nothing to send"};
    if (entries.size() > wire::kMaxOfferEntries)
        return {
            0, {}, "too many entries for one offer (limit " + std::to_string(wire::kMaxOfferEntries) + ")"};
    if (!m_deps.randomId) return {0, {}, "sending is not configured"};

    std::vector<wire::OfferEntry> wireEntries;
    wireEntries.reserve(entries.size());
    for (const LocalEntry& e : entries) {
        if (e.kind == wire::EntryKind::Directory && e.size != 0)
            return {0, {}, "a directory entry has a size"};
        if (e.path.empty() || e.path.size() > wire::kMaxPathBytes)
            return {0, {}, "an entry name is empty or too long"};
        wireEntries.push_back(wire::OfferEntry{0, e.kind, e.size, e.mtimeMs, e.path});
    }
    // The same rules the peer applies; also stops a local absolute path from ever leaving this machine.
    if (m_deps.validator)
        if (auto reason = m_deps.validator(wireEntries)) return {0, {}, *reason};

    NewOffer result;
    result.offerId = freshId([this](std::uint64_t id) { return idInUse(id); });
    std::unordered_set<std::uint64_t> chosen;
    for (wire::OfferEntry& e : wireEntries) {
        e.fileId =
            freshId([&](std::uint64_t id) { return m_fileOwners.count(id) != 0 || chosen.count(id) != 0; });
        if (e.fileId == 0) break;
        chosen.insert(e.fileId);
        result.fileIds.push_back(e.fileId);
    }
    if (result.offerId == 0 || result.fileIds.size() != wireEntries.size())
        return {0, {}, "could not draw unused ids"};
    if (!splitOffer(result.offerId, wireEntries))
        return {0, {}, "the names are too long in total for one offer; send fewer entries"};

    auto transfer = std::make_unique<OutgoingTransfer>(
        result.offerId, wireEntries,
        OutgoingDeps{m_deps.source, m_deps.hashes, m_deps.clock, m_out, m_config.speedWindow});
    transfer->sendOffer();
    registerFiles(Direction::Outgoing, result.offerId, wireEntries);
    m_outgoing.emplace(result.offerId, std::move(transfer));
    return result;
}

std::uint64_t TransferManager::freshId(const std::function<bool(std::uint64_t)>& taken)
{
    for (int i = 0; i < kIdAttempts; ++i) {
        const std::uint64_t id = m_deps.randomId();
        if (id != 0 && !taken(id)) return id;
    }
    return 0;
}

bool TransferManager::idInUse(std::uint64_t offerId) const
{
    return m_outgoing.count(offerId) != 0 || m_incoming.count(offerId) != 0 ||
           m_assembling.count(offerId) != 0;
}

// ---- Incoming ----

void TransferManager::onOfferPart(const wire::Offer& part)
{
    const std::uint64_t id = part.offerId;
    if (id == 0) return m_out.dropped(0, 0, true, "offer with id 0");
    if (const auto it = m_incoming.find(id); it != m_incoming.end()) {
        IncomingTransfer& t = *it->second;
        if (t.ledger().state() == OfferState::AwaitingDecision) {
            m_out.dropped(id, 0, true, "offer part after the offer was complete");
            t.reject("offer parts arrived after the offer was complete");
        } else {
            answerEndedOffer(t); // the sender offers again after a reconnect
        }
        return;
    }
    if (const auto it =
            std::find_if(m_refused.begin(), m_refused.end(), [id](const auto& r) { return r.first == id; });
        it != m_refused.end()) {
        m_out.send(wire::OfferReply{id, wire::OfferDecision::Reject, {}, it->second});
        return;
    }
    if (m_outgoing.count(id) != 0)
        return refuseOffer(id, "the offer id is already in use on this connection");

    auto found = m_assembling.find(id);
    if (found == m_assembling.end()) {
        if (pendingCount() >= m_config.maxPendingOffers)
            return refuseOffer(id, "busy: another offer is waiting for a decision");
        if (activeIncomingCount() >= m_config.maxActiveIncomingOffers)
            return refuseOffer(id, "busy: too many transfers are running");
        PendingOfferLimit::Ticket ticket;
        if (m_deps.sharedPending != nullptr) {
            ticket = m_deps.sharedPending->tryTake();
            if (!ticket) return refuseOffer(id, "busy: too many offers are waiting for a decision");
        }
        const OfferLimits limits{m_config.maxOfferEntries, m_config.maxOfferBytes,
                                 m_config.maxOfferPathBytes};
        found = m_assembling
                    .emplace(id, Assembly{OfferAssembler(id, limits, m_deps.clock.now()), std::move(ticket)})
                    .first;
    }
    switch (found->second.assembler.add(part)) {
    case OfferAssembler::Status::Incomplete:
        return;
    case OfferAssembler::Status::Rejected: {
        std::string reason = found->second.assembler.reason();
        m_assembling.erase(found);
        m_out.dropped(id, 0, true, reason);
        return refuseOffer(id, std::move(reason));
    }
    case OfferAssembler::Status::Complete:
        return completeAssembly(id);
    }
}

void TransferManager::completeAssembly(std::uint64_t offerId)
{
    Assembly assembly = std::move(m_assembling.at(offerId));
    m_assembling.erase(offerId);
    std::vector<wire::OfferEntry> entries = assembly.assembler.takeEntries();
    for (const wire::OfferEntry& e : entries)
        if (m_fileOwners.count(e.fileId) != 0)
            return refuseOffer(offerId, "the offer reuses ids already in use on this connection");
    if (!m_deps.validator) return refuseOffer(offerId, "receiving files is not set up");
    // The one validator judges the whole offer before anything touches the disk.
    if (auto reason = m_deps.validator(entries)) return refuseOffer(offerId, "invalid offer: " + *reason);

    const std::uint64_t totalBytes = assembly.assembler.totalBytes();
    auto transfer = std::make_unique<IncomingTransfer>(
        offerId, entries, IncomingDeps{m_deps.sink, m_deps.hashes, m_deps.clock, m_out, m_config});
    registerFiles(Direction::Incoming, offerId, entries);
    m_incoming.emplace(offerId, std::move(transfer));
    m_decisionTickets.emplace(offerId, std::move(assembly.ticket));
    m_out.emit(OfferArrived{offerId, std::move(entries), totalBytes});
}

void TransferManager::refuseOffer(std::uint64_t offerId, std::string reason)
{
    reason = clampReason(std::move(reason));
    m_out.send(wire::OfferReply{offerId, wire::OfferDecision::Reject, {}, reason});
    m_out.emit(OfferChanged{offerId, Direction::Incoming, OfferState::Rejected, {}, reason});
    rememberRefused(offerId, std::move(reason));
}

void TransferManager::rememberRefused(std::uint64_t offerId, std::string reason)
{
    // Later parts of a refused offer get the same answer instead of starting a new offer.
    m_refused.emplace_back(offerId, std::move(reason));
    if (m_refused.size() > kRememberedRefusals) m_refused.pop_front();
}

void TransferManager::answerEndedOffer(const IncomingTransfer& transfer)
{
    const OfferLedger& ledger = transfer.ledger();
    if (ledger.state() == OfferState::Rejected)
        m_out.send(wire::OfferReply{
            ledger.offerId(), wire::OfferDecision::Reject, {}, clampReason(ledger.reason())});
    else if (ledger.state() == OfferState::Cancelled || ledger.state() == OfferState::Failed)
        m_out.send(wire::TransferControl{ledger.offerId(), 0, wire::TransferAction::Cancel});
    // Active or Finished: the reply was re-sent by onConnected; nothing more to say.
}

std::size_t TransferManager::pendingCount() const
{
    std::size_t n = m_assembling.size();
    for (const auto& [id, t] : m_incoming)
        if (t->ledger().state() == OfferState::AwaitingDecision) ++n;
    return n;
}

std::size_t TransferManager::activeIncomingCount() const
{
    std::size_t n = 0;
    for (const auto& [id, t] : m_incoming)
        if (t->ledger().state() == OfferState::Active) ++n;
    return n;
}

void TransferManager::syncTickets()
{
    for (auto it = m_decisionTickets.begin(); it != m_decisionTickets.end();) {
        const auto t = m_incoming.find(it->first);
        if (t == m_incoming.end() || t->second->ledger().state() != OfferState::AwaitingDecision)
            it = m_decisionTickets.erase(it);
        else
            ++it;
    }
}

void TransferManager::registerFiles(Direction direction, std::uint64_t offerId,
                                    const std::vector<wire::OfferEntry>& entries)
{
    for (const wire::OfferEntry& e : entries)
        m_fileOwners[e.fileId] = Owner{direction, offerId};
}

void TransferManager::unregisterFiles(const OfferLedger& ledger)
{
    for (const OfferLedger::File& f : ledger.files())
        m_fileOwners.erase(f.entry.fileId);
}

// ---- Forgetting and persistence ----

bool TransferManager::forget(std::uint64_t offerId)
{
    const OfferLedger* ledger = nullptr;
    if (OutgoingTransfer* t = outgoing(offerId))
        ledger = &t->ledger();
    else if (IncomingTransfer* t = incoming(offerId))
        ledger = &t->ledger();
    if (ledger == nullptr || !isFinal(ledger->state())) return false;

    const auto remember = [this](std::uint64_t id) {
        if (m_forgotten.insert(id).second) m_forgottenOrder.push_back(id);
        while (m_forgottenOrder.size() > kRememberedForgottenIds) {
            m_forgotten.erase(m_forgottenOrder.front());
            m_forgottenOrder.pop_front();
        }
    };
    remember(offerId);
    for (const OfferLedger::File& f : ledger->files())
        remember(f.entry.fileId);
    unregisterFiles(*ledger);
    m_outgoing.erase(offerId);
    m_incoming.erase(offerId);
    return true;
}

std::vector<ResumeRecord> TransferManager::resumeRecords() const
{
    std::vector<ResumeRecord> records;
    for (const auto& [id, t] : m_outgoing)
        records.push_back(t->toResumeRecord());
    for (const auto& [id, t] : m_incoming)
        if (t->ledger().state() != OfferState::AwaitingDecision) records.push_back(t->toResumeRecord());
    return records;
}

std::vector<ResumeChange> TransferManager::takeResumeChanges()
{
    std::vector<ResumeChange> changes;
    for (auto& [id, t] : m_outgoing)
        if (std::optional<ResumeChange> change = t->ledger().takeResumeChange())
            changes.push_back(std::move(*change));
    for (auto& [id, t] : m_incoming) {
        // Left marked: once accepted, the whole record is written.
        if (t->ledger().state() == OfferState::AwaitingDecision) continue;
        if (std::optional<ResumeChange> change = t->ledger().takeResumeChange())
            changes.push_back(std::move(*change));
    }
    return changes;
}

std::vector<std::pair<Direction, std::uint64_t>> TransferManager::resumeKeys() const
{
    std::vector<std::pair<Direction, std::uint64_t>> keys;
    for (const auto& [id, t] : m_outgoing)
        keys.emplace_back(Direction::Outgoing, id);
    for (const auto& [id, t] : m_incoming)
        if (t->ledger().state() != OfferState::AwaitingDecision) keys.emplace_back(Direction::Incoming, id);
    return keys;
}

std::vector<std::string> TransferManager::restore(const std::vector<ResumeRecord>& records)
{
    std::vector<std::string> refused;
    for (const ResumeRecord& r : records) {
        const std::string label = "offer " + std::to_string(r.offerId) + ": ";
        if (auto problem = checkResumeRecord(r, m_config)) {
            refused.push_back(label + *problem);
            continue;
        }
        bool clash = idInUse(r.offerId);
        for (const ResumeFile& f : r.files)
            clash = clash || m_fileOwners.count(f.entry.fileId) != 0;
        if (clash) {
            refused.push_back(label + "its ids are already in use");
            continue;
        }
        std::vector<wire::OfferEntry> entries;
        entries.reserve(r.files.size());
        for (const ResumeFile& f : r.files)
            entries.push_back(f.entry);
        if (r.direction == Direction::Outgoing) {
            m_outgoing.emplace(r.offerId, std::make_unique<OutgoingTransfer>(
                                              r, OutgoingDeps{m_deps.source, m_deps.hashes, m_deps.clock,
                                                              m_out, m_config.speedWindow}));
        } else {
            m_incoming.emplace(
                r.offerId, std::make_unique<IncomingTransfer>(
                               r, IncomingDeps{m_deps.sink, m_deps.hashes, m_deps.clock, m_out, m_config}));
        }
        registerFiles(r.direction, r.offerId, entries);
    }
    return refused;
}

} // namespace duet::transfer
