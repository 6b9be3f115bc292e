#pragma once
// The bookkeeping both ends of an offer share: its entries and their states, pause flags, byte progress
// and speed, the events every change emits, snapshots and resume records. OutgoingTransfer and
// IncomingTransfer own one each and add the protocol on top. Single thread.
#include "duet/core/Clock.hpp"
#include "duet/transfer/Actions.hpp"
#include "duet/transfer/Progress.hpp"
#include "duet/transfer/ResumeRecord.hpp"
#include "duet/transfer/Snapshot.hpp"

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace duet::transfer {

class OfferLedger {
public:
    struct File {
        wire::OfferEntry entry;
        FileState state = FileState::Pending;
        wire::FileOutcome outcome = wire::FileOutcome::Verified;
        std::string detail;
        std::string finalPath;
        PauseFlags paused;
        bool decidedLocally = false;
        std::uint64_t doneBytes = 0;
    };

    OfferLedger(Direction direction, std::uint64_t offerId, const std::vector<wire::OfferEntry>& entries,
                OfferState initial, Outbox& out, const Clock& clock, Millis speedWindow);
    // From a record that passed checkResumeRecord. Files that were moving become Pending; the peer's
    // pauses are forgotten (it announces them again).
    OfferLedger(const ResumeRecord& record, Outbox& out, const Clock& clock, Millis speedWindow);

    Direction direction() const { return m_direction; }
    std::uint64_t offerId() const { return m_offerId; }
    OfferState state() const { return m_state; }
    const std::string& reason() const { return m_reason; }
    const PauseFlags& paused() const { return m_paused; }
    bool endedLocally() const { return m_endedLocally; }

    std::vector<File>& files() { return m_files; }
    const std::vector<File>& files() const { return m_files; }
    File* find(std::uint64_t fileId);
    const File* find(std::uint64_t fileId) const;
    std::vector<wire::OfferEntry> entries() const;
    bool isPaused(const File& file) const { return file.paused.any() || m_paused.any(); }
    std::uint64_t acceptedBytes() const;

    // Each change emits an OfferChanged or FileChanged event.
    void setOfferState(OfferState state, std::string reason = {}, bool endedLocally = false);
    void setOfferPause(PauseFlags paused);
    void setFileState(File& file, FileState state);
    void setFilePause(File& file, PauseFlags paused);
    // The local user's pause on the whole offer (fileId 0) or on one file that is still running. Returns
    // false when nothing changes (already in that state, unknown or final file, a directory).
    bool setLocalPause(std::uint64_t fileId, bool paused);
    void verifyFile(File& file, std::string finalPath, bool decidedLocally);
    void failFile(File& file, wire::FileOutcome outcome, std::string detail, bool decidedLocally);
    void cancelFile(File& file, bool decidedLocally);
    // Byte progress of one file (may go down when a file restarts). `moved` is false when the bytes were
    // already there (a resumed prefix), so they do not count as speed.
    void setDone(File& file, std::uint64_t bytes, bool moved = true);
    // Active -> Finished once every accepted entry is final. True when it moved. Amortised O(1) per call
    // over an offer, provided files only leave a final state through setFileState. An offer the receiver
    // paused after it could not write a file (waitingForRepair) stays open for its resume.
    bool finishIfComplete();
    // The receiver failed a file for lack of space or permission and paused the offer: its user may make
    // room or fix the folder and resume, which requests those files again from their verified chunks.
    bool waitingForRepair() const;
    // Files finishIfComplete has looked at in total over the ledger's life (its cost), for tests.
    std::uint64_t finishScanSteps() const { return m_finishScanSteps; }
    // Forgets the peer's pauses (the link dropped; the peer announces them again).
    void clearPeerPauses();
    // After a reconnect: tells the peer again what this side decided, in case the link lost it: a
    // cancelled or failed offer, local pauses, and each file whose final state this side decided.
    void announceLocalDecisions();

    OfferProgress snapshot(bool withFiles);
    ResumeRecord toRecord() const;
    // The record's changes since the last call, or nullopt when there are none. Every emitted file event
    // marks its file; an offer event marks every file (rare, and it covers the quiet per-file edits
    // that come with accepting). A new or restored ledger starts with everything marked.
    std::optional<ResumeChange> takeResumeChange();

private:
    void emitFile(const File& file);
    std::size_t indexOf(const File& file) const { return static_cast<std::size_t>(&file - m_files.data()); }
    void emitOffer();
    FileProgress fileProgress(const File& file);
    ResumeRecord headerRecord() const; // without files
    ResumeFile toResumeFile(const File& file) const;
    void markChanged(const File& file);

    Direction m_direction;
    std::uint64_t m_offerId;
    OfferState m_state;
    std::string m_reason;
    PauseFlags m_paused;
    bool m_endedLocally = false;
    std::vector<File> m_files;
    std::unordered_map<std::uint64_t, std::size_t> m_index; // fileId -> position in m_files
    std::size_t m_firstUnfinished = 0; // files before it were final when finishIfComplete last looked
    std::uint64_t m_finishScanSteps = 0;
    Outbox& m_out;
    const Clock& m_clock;
    Millis m_speedWindow;
    std::uint64_t m_doneTotal = 0;
    RateMeter m_offerRate;
    std::unordered_map<std::uint64_t, RateMeter> m_fileRates; // only files that are moving
    bool m_recordChanged = true;                              // anything since the last takeResumeChange
    bool m_allFilesChanged = true;           // every file, so the two below are not consulted
    std::vector<std::size_t> m_changedFiles; // positions, each once
    std::vector<bool> m_fileChanged;         // by position: already in m_changedFiles
};

} // namespace duet::transfer
