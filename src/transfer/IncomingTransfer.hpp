#pragma once
// Receiver of one offer. Waits for the local decision (accept all or some, or reject), checks free space
// with a reserve before accepting, creates accepted directories, then requests accepted files in offer
// order, each from the count of chunks its partial has verified, with at most
// TransferConfig::filesRequestedAhead files requested at once (the sender serves them one after another).
// Every chunk is checked (ReceiveStream) before it touches the sink; a file is committed under its final
// name only when all its chunks are written and the whole-file hash matches the sender's FileDone.
// Committing may take two steps: when the sink starts the file's sync in the background (startSync), the
// file stays Finishing ("verified, committing") until onPartialSynced brings the outcome; only then is
// it named (sink.commit), reported Verified to the sender and recorded. A file still syncing keeps its
// partial open and counts among the 2 x filesRequestedAhead open ones, so slow syncs stop new requests.
// A cancel, failure or lost link while it syncs abandons it: the sink never names it, and a late
// outcome for it is ignored.
//
// What happens to a partial when a file fails:
//   - HashMismatch: discarded. Some bytes are wrong and nothing says which.
//   - ProtocolViolation, DiskFull, WriteFailed, SourceUnreadable, a lost link: kept. Every chunk in it
//     passed the index and length checks and the sink's per-chunk hash, so it holds exactly what the
//     sender sent for those positions; a resume re-requests only the rest and the whole-file hash still
//     judges every byte before anything is committed.
//   - SourceChanged, Cancelled: discarded; the offered content no longer exists or is not wanted.
// A DiskFull or WriteFailed failure (isRepairable) also pauses the offer here so later files do not fail
// one by one, and the offer stays open (OfferLedger::waitingForRepair); resuming the offer retries those
// files from their kept partials.
// Cost to know: starting a resumed file re-reads its verified prefix through the sink, synchronously,
// to seed the whole-file hash (BLAKE2b is sequential), so the engine should not drive this from a
// thread that must stay responsive while a multi-gigabyte partial is read back.
// Driven by one thread; every output goes to the shared Outbox.
#include "duet/transfer/OfferLedger.hpp"
#include "duet/transfer/ReceiveStream.hpp"
#include "duet/transfer/TransferConfig.hpp"

#include <map>
#include <optional>
#include <set>

namespace duet::transfer {

struct IncomingDeps {
    ReceiveSink& sink;
    const HashFactory& hashes;
    const Clock& clock;
    Outbox& out;
    const TransferConfig& config;
};

class IncomingTransfer {
public:
    // An assembled, validated offer waiting for the local decision.
    IncomingTransfer(std::uint64_t offerId, const std::vector<wire::OfferEntry>& entries, IncomingDeps deps);
    // From a record that passed checkResumeRecord. Call onReconnected() once the peer is back.
    IncomingTransfer(const ResumeRecord& record, IncomingDeps deps);

    // The local user (or the caller's policy). accept() takes the entries to accept (nullptr: all) and
    // returns a reason when it did not accept: a bad selection leaves the offer waiting; too little free
    // space rejects the offer with that reason.
    std::optional<std::string> accept(const std::vector<std::uint64_t>* fileIds);
    bool reject(std::string reason);
    bool pause(std::uint64_t fileId);
    bool resume(std::uint64_t fileId);
    bool cancel(std::uint64_t fileId);
    // Requests a failed file again from its verified chunks.
    bool retry(std::uint64_t fileId);

    // Input from the sender.
    void onChunk(std::uint64_t fileId, std::uint64_t chunkIndex, wire::ByteSpan plaintext);
    void onFileDone(const wire::FileDone& done);
    void onFileResult(const wire::FileResult& result);
    void onControl(const wire::TransferControl& control);
    // The sink's background sync of a file (ReceiveSink::startSync) finished. Ignored unless the file is
    // still waiting for it.
    void onPartialSynced(std::uint64_t fileId, const IoStatus& status);
    // Files whose sync was started and whose outcome has not come yet.
    std::size_t syncingFiles() const { return m_syncing.size(); }

    void onDisconnected();
    void onReconnected();

    // What to persist for a restart; the record-taking constructor brings it back.
    ResumeRecord toResumeRecord() const { return m_ledger.toRecord(); }
    OfferLedger& ledger() { return m_ledger; }
    const OfferLedger& ledger() const { return m_ledger; }
    std::uint64_t offerId() const { return m_ledger.offerId(); }
    std::uint64_t duplicateChunks() const { return m_duplicateChunks; }

private:
    using File = OfferLedger::File;
    enum class Partial { Keep, Discard };
    FileKey keyOf(const File& file) const { return {m_ledger.offerId(), file.entry.fileId}; }
    // Requests more files while fewer than filesRequestedAhead are moving (see TransferConfig).
    void refill();
    bool startFile(File& file);
    void endStream(const File& file, Partial partial);
    void failHere(File& file, wire::FileOutcome outcome, std::string detail, Partial partial);
    void finishFile(File& file, const wire::FileDone& done);
    void commitFile(File& file, const Hash32& hash);
    void sendAccept();
    bool setPause(std::uint64_t fileId, bool paused);
    void requeueRepairableFailures();

    OfferLedger m_ledger;
    IncomingDeps m_deps;
    std::map<std::uint64_t, ReceiveStream> m_streams; // requested files, by file id
    std::map<std::uint64_t, Hash32> m_syncing;        // verified files whose sink sync is running
    std::set<std::uint64_t> m_streamedOnThisLink;     // files whose stream ended since the link came up
    std::size_t m_candidate = 0;                      // files before this index are not Pending
    std::uint64_t m_duplicateChunks = 0;
};

} // namespace duet::transfer
