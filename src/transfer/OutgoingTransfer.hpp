#pragma once
// Sender of one offer. Sends the offer parts, waits for the reply, then streams each file the receiver
// requests, from the chunk the receiver names, in request order, within the window. It checks the
// source's size and mtime against the offer when a file is requested and again before FileDone, so a
// file that changed fails with SourceChanged instead of arriving mixed. FileDone (with the whole-file
// hash) goes out only after the receiver has acknowledged every chunk, so it can never overtake data
// travelling on another channel. Driven by one thread; every output goes to the shared Outbox.
#include "duet/transfer/OfferLedger.hpp"
#include "duet/transfer/SendStream.hpp"

#include <deque>
#include <map>
#include <memory>

namespace duet::transfer {

struct OutgoingDeps {
    SourceFiles& source;
    const HashFactory& hashes;
    const Clock& clock;
    Outbox& out;
    Millis speedWindow{5'000};
};

class OutgoingTransfer {
public:
    // `entries`: non-zero unique ids, relative paths (already validated by the caller).
    OutgoingTransfer(std::uint64_t offerId, const std::vector<wire::OfferEntry>& entries, OutgoingDeps deps);
    // From a record that passed checkResumeRecord.
    OutgoingTransfer(const ResumeRecord& record, OutgoingDeps deps);

    // Sends the offer parts (again after a reconnect). False when they do not fit the wire's limits.
    bool sendOffer();

    // Messages from the receiver.
    void onOfferReply(const wire::OfferReply& reply);
    void onFileRequest(const wire::FileRequest& request);
    void onChunkAck(const wire::ChunkAck& ack);
    void onFileResult(const wire::FileResult& result);
    void onControl(const wire::TransferControl& control);

    // The local user; fileId 0 means the whole offer. False when there is nothing to act on.
    bool pause(std::uint64_t fileId);
    bool resume(std::uint64_t fileId);
    bool cancel(std::uint64_t fileId);

    void onDisconnected();
    void onReconnected();

    // Reads and sends chunks within the budgets (see SendStream::produce).
    void produce(std::uint64_t& readBudget, std::uint64_t& windowRoom);
    std::uint64_t bytesInFlight() const;
    // True when produce() would read something now, given `windowRoom`.
    bool canProduce(std::uint64_t windowRoom) const;
    // Chunk bytes handed out over this object's life (includes bytes re-sent after a resume).
    std::uint64_t sentChunkBytes() const { return m_sentChunkBytes; }

    // What to persist for a restart; the record-taking constructor brings it back.
    ResumeRecord toResumeRecord() const { return m_ledger.toRecord(); }
    OfferLedger& ledger() { return m_ledger; }
    const OfferLedger& ledger() const { return m_ledger; }
    std::uint64_t offerId() const { return m_ledger.offerId(); }

private:
    using File = OfferLedger::File;
    FileKey keyOf(const File& file) const { return {m_ledger.offerId(), file.entry.fileId}; }
    // The peer broke the protocol at the offer level: everything stops and the peer is told.
    void failOffer(std::string reason);
    void failFile(File& file, wire::FileOutcome outcome, std::string detail);
    void endStream(std::uint64_t fileId);
    void endAllStreams();
    // Sends FileDone when every chunk is read and acknowledged and the source is unchanged.
    void finishFileIfReady(File& file);
    std::optional<std::string> sourceChanged(const File& file, wire::FileOutcome& outcome);
    bool setPause(std::uint64_t fileId, bool paused);

    OfferLedger m_ledger;
    OutgoingDeps m_deps;
    std::map<std::uint64_t, SendStream> m_streams; // requested files with a stream, by file id
    std::deque<std::uint64_t> m_queue;             // files still to read, in request order
    std::uint64_t m_sentChunkBytes = 0;
};

} // namespace duet::transfer
