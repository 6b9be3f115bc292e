#include "duet/transfer/ResumeRecord.hpp"

#include <unordered_set>

namespace duet::transfer {

namespace {

bool knownState(OfferState s)
{
    return s <= OfferState::Failed;
}
bool knownState(FileState s)
{
    return s <= FileState::Cancelled;
}

} // namespace

std::optional<std::string> checkResumeRecord(const ResumeRecord& record, const TransferConfig& config)
{
    if (record.direction != Direction::Outgoing && record.direction != Direction::Incoming)
        return "unknown direction";
    if (record.offerId == 0) return "offer id 0";
    if (!knownState(record.state)) return "unknown offer state";
    if (record.direction == Direction::Incoming && record.state == OfferState::AwaitingDecision)
        return "an undecided incoming offer is not resumable";
    if (record.direction == Direction::Outgoing && record.state == OfferState::AwaitingDecision)
        return "an outgoing offer cannot wait for a local decision";
    if (record.direction == Direction::Incoming && record.state == OfferState::AwaitingReply)
        return "an incoming offer cannot wait for the peer's reply";
    if (record.files.empty()) return "no entries";
    if (record.files.size() > config.maxOfferEntries) return "too many entries";

    std::unordered_set<std::uint64_t> ids;
    std::uint64_t total = 0;
    for (const ResumeFile& f : record.files) {
        if (f.entry.fileId == 0) return "entry with file id 0";
        if (!ids.insert(f.entry.fileId).second) return "file id listed twice";
        if (f.entry.kind != wire::EntryKind::File && f.entry.kind != wire::EntryKind::Directory)
            return "entry of an unknown kind";
        if (f.entry.kind == wire::EntryKind::Directory && f.entry.size != 0) return "directory with a size";
        if (f.entry.path.empty() || f.entry.path.size() > wire::kMaxPathBytes)
            return "entry path empty or too long";
        if (f.entry.size > config.maxOfferBytes - total) return "entries too large in total";
        total += f.entry.size;
        if (!knownState(f.state)) return "unknown file state";
        if (f.outcome > wire::FileOutcome::ProtocolViolation) return "unknown file outcome";
        if (record.state == OfferState::AwaitingReply && f.state != FileState::Pending)
            return "file state does not fit an offer waiting for a reply";
    }
    return std::nullopt;
}

} // namespace duet::transfer
