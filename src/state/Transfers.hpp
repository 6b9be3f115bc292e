#pragma once
// TransferList: the UI thread's rows for file offers, built from the engine's transfer events and from
// the transfer commands the UI posts (an accepted or rejected offer stops asking at once).
// Pure: no I/O, no clock. Thread: UI thread only (owned by AppState). Peer-supplied paths are sanitized.
#include "duet/core/EngineApi.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace duet::state {

enum class FileStatus : std::uint8_t { Pending, Done, Failed, Skipped };

struct TransferFile {
    std::uint64_t id = 0;
    std::string path; // relative, '/'-separated, sanitized
    std::uint64_t size = 0;
    bool directory = false;
    FileStatus status = FileStatus::Pending;
    std::uint64_t bytesDone = 0;
    std::string localPath;   // where it is on this computer, once done
    std::int64_t doneMs = 0; // local wall clock when it was done (0: not done)
    std::string error;
    bool paused = false; // our user paused this one file (the engine does not report per-file pauses)
};

struct TransferRow {
    PeerId peer;
    TransferId offer;
    bool outgoing = false;
    TransferState state = TransferState::Offered;
    std::vector<TransferFile> files;
    std::uint64_t offeredBytes = 0; // everything in the offer
    std::uint64_t totalBytes = 0;   // what is being moved (accepted files)
    std::uint64_t bytesDone = 0;
    std::uint64_t bytesPerSec = 0;
    std::uint64_t currentFile = 0;
    std::string reason;          // why it failed, was rejected or cancelled
    std::int64_t createdMs = 0;  // local wall clock
    bool decidedLocally = false; // our user accepted or rejected; the prompt is gone
    std::uint64_t revision = 0;  // bumps whenever the row changes

    bool finished() const;
    // An incoming offer the user must still answer.
    bool awaitingDecision() const { return !outgoing && state == TransferState::Offered && !decidedLocally; }
    // Seconds until done at the current speed; negative when unknown.
    double etaSeconds() const;
    // Index into `files`, or -1.
    int fileIndex(std::uint64_t fileId) const;
};

class TransferList {
public:
    // Applies a transfer event; returns false for any other event (nothing changed).
    bool apply(const Event& event, std::int64_t nowMs);
    // Records the local effect of AcceptOffer / RejectOffer / ControlTransfer, and ForgetTransfers (its
    // finished rows go, like the engine's records); ignores other commands.
    bool applyLocal(const Command& command);

    const std::vector<TransferRow>& rows() const { return m_rows; }
    const TransferRow* find(TransferId offer) const;
    std::size_t awaitingDecisionCount() const;
    // Bumps on every change, for cheap "did anything move" checks.
    std::uint64_t revision() const { return m_revision; }

private:
    // Removes finished rows of `peer` (zero: any) and `offer` (zero: any); true when one went.
    bool forgetFinished(PeerId peer, TransferId offer);
    TransferRow* findMutable(TransferId offer);
    TransferRow& rowFor(PeerId peer, TransferId offer, bool outgoing, std::int64_t nowMs);
    void touch(TransferRow& row);
    void addRow(PeerId peer, TransferId offer, bool outgoing, const std::vector<TransferEntry>& entries,
                std::uint64_t totalBytes, std::int64_t nowMs);

    std::vector<TransferRow> m_rows; // in order of arrival
    std::unordered_map<TransferId, std::size_t> m_index;
    std::uint64_t m_revision = 0;
};

const char* transferStateLabel(TransferState state);

} // namespace duet::state
