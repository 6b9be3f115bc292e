#pragma once
// Progress as the UI sees it: one value per offer with totals, and optionally one per entry. Plain
// values, safe to copy to another thread.
#include "duet/transfer/Progress.hpp"
#include "duet/transfer/Types.hpp"

#include <string>
#include <vector>

namespace duet::transfer {

struct FileProgress {
    FileKey file;
    std::string path; // relative, as offered
    wire::EntryKind kind = wire::EntryKind::File;
    FileState state = FileState::Pending;
    PauseFlags paused;
    wire::FileOutcome outcome = wire::FileOutcome::Verified;
    std::string detail;
    std::string finalPath;
    ProgressFigures progress; // speed and ETA only while Active
};

struct OfferProgress {
    std::uint64_t offerId = 0;
    Direction direction = Direction::Outgoing;
    OfferState state = OfferState::Active;
    PauseFlags paused;
    std::string reason;
    std::size_t entries = 0;
    std::size_t entriesAccepted = 0;
    std::size_t entriesVerified = 0;
    std::size_t entriesFailed = 0;   // failed or cancelled
    ProgressFigures progress;        // over the accepted files (all files while undecided)
    std::vector<FileProgress> files; // filled only when asked for
};

} // namespace duet::transfer
