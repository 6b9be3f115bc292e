#pragma once
// Everything needed to carry an offer across a restart, as a plain struct the engine persists (SQLite)
// and hands back. Byte progress is not in here: on the receiver it lives in the sink's verified partial,
// and the sender needs none because the receiver names the offset. Undecided incoming offers are not
// resumable (the sender offers again).
#include "duet/transfer/TransferConfig.hpp"
#include "duet/transfer/Types.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace duet::transfer {

struct ResumeFile {
    wire::OfferEntry entry;
    FileState state = FileState::Pending; // NotAccepted marks entries outside the accepted set
    wire::FileOutcome outcome = wire::FileOutcome::Verified;
    std::string detail;
    std::string finalPath; // receiver: where a Verified entry landed
    bool pausedLocally = false;
    bool decidedLocally = false; // this side decided the final state; it is announced again on reconnect
};

struct ResumeRecord {
    Direction direction = Direction::Outgoing;
    std::uint64_t offerId = 0;
    OfferState state = OfferState::Active;
    bool pausedLocally = false;
    bool endedLocally = false; // this side cancelled or failed the offer; announced again on reconnect
    std::string reason;
    std::vector<ResumeFile> files; // offer order
};

// What changed in one offer's record since it was last taken (OfferLedger::takeResumeChange): the
// offer's own fields in `header` (its files left empty) and the files that changed, each with its
// position in the offer, so saving costs what changed instead of the whole offer.
struct ResumeChange {
    ResumeRecord header;
    std::vector<std::pair<std::size_t, ResumeFile>> files;
};

// Checks a record read back from storage before it drives anything (the database may be damaged):
// a reason when it cannot be resumed, nothing when it is consistent.
std::optional<std::string> checkResumeRecord(const ResumeRecord& record, const TransferConfig& config);

} // namespace duet::transfer
