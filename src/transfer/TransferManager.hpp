#pragma once
// All file transfers with one connected peer, both directions. Owns the offers, routes each message and
// chunk by offer id or file id, enforces the per-peer caps (one offer waiting for the user by default,
// the rest refused "busy"; a cap on running incoming offers; size caps per offer), and exposes progress
// snapshots and resume records.
//
// Ids: chunks, acks, FileDone and FileResult carry only a file id, and FileResult and TransferControl
// travel both ways, so every offer id and file id is kept unique across both directions of this
// connection: our own ids come from the injected random source and an incoming offer that reuses a live
// id is refused.
//
// Threading: everything runs on the caller's thread (the engine's); no call blocks except the injected
// I/O. The caller drains takeActions() after each call and calls produceChunks() whenever it can send.
#include "duet/transfer/IncomingTransfer.hpp"
#include "duet/transfer/OfferAssembler.hpp"
#include "duet/transfer/OutgoingTransfer.hpp"
#include "duet/transfer/PendingOfferLimit.hpp"

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <unordered_set>

namespace duet::transfer {

// The one path validator (storage's), injected: a reason when the whole offer must be refused.
using OfferValidator = std::function<std::optional<std::string>(const std::vector<wire::OfferEntry>&)>;
// Random non-zero 64-bit ids (the engine plugs in its CSPRNG).
using IdSource = std::function<std::uint64_t()>;

struct ManagerDeps {
    SourceFiles& source;
    ReceiveSink& sink;
    const HashFactory& hashes;
    const Clock& clock;
    OfferValidator validator;                   // without one every incoming offer is refused
    IdSource randomId;                          // required for sending
    PendingOfferLimit* sharedPending = nullptr; // optional cap across peers; must outlive the manager
};

// One entry the local user wants to send: the path is relative to the selection (a folder's name and
// what is below it, or a file's name), never a local absolute path.
struct LocalEntry {
    wire::EntryKind kind = wire::EntryKind::File;
    std::uint64_t size = 0;
    std::int64_t mtimeMs = 0;
    std::string path;
};

struct NewOffer {
    std::uint64_t offerId = 0;
    std::vector<std::uint64_t> fileIds; // same order as the entries given
    std::string error;                  // set when nothing was offered
    bool ok() const { return error.empty(); }
};

class TransferManager {
public:
    TransferManager(TransferConfig config, ManagerDeps deps);
    TransferManager(const TransferManager&) = delete;
    TransferManager& operator=(const TransferManager&) = delete;
    ~TransferManager();

    // ---- The local user ----
    // Offers entries to the peer. The caller maps the returned file ids to local paths for SourceFiles.
    NewOffer offer(const std::vector<LocalEntry>& entries);
    // Accepts an incoming offer, all entries (nullptr) or some. A reason when it did not.
    std::optional<std::string> accept(std::uint64_t offerId,
                                      const std::vector<std::uint64_t>* fileIds = nullptr);
    bool reject(std::uint64_t offerId, std::string reason);
    // fileId 0: the whole offer. Works on either direction.
    bool pause(std::uint64_t offerId, std::uint64_t fileId = 0);
    bool resume(std::uint64_t offerId, std::uint64_t fileId = 0);
    bool cancel(std::uint64_t offerId, std::uint64_t fileId = 0);
    bool retry(std::uint64_t offerId, std::uint64_t fileId);
    // Drops an offer that has reached a final state (history is the caller's business).
    bool forget(std::uint64_t offerId);

    // ---- The peer ----
    // Transfer messages are handled; other message types are ignored.
    void onMessage(const wire::AppMessage& message);
    // A decrypted chunk.
    void onChunk(std::uint64_t fileId, std::uint64_t chunkIndex, wire::ByteSpan plaintext);
    // The link dropped: moving files become Pending, undecided incoming offers are withdrawn.
    void onDisconnected();
    // The link is back (or first up after restore()): offers, replies, pauses and requests are re-sent.
    void onConnected();
    // ---- The sink ----
    // The background sync the sink started for `file` (ReceiveSink::startSync) finished; the file is then
    // named and reported, or fails with the sync's error. Unknown or abandoned files are ignored.
    void onPartialSynced(const FileKey& file, const IoStatus& status);

    // Timeouts (incomplete offers). Call about once a second.
    void tick();

    // ---- Output ----
    // Reads at most about `readBudget` bytes of source files (a chunk more at most) and emits chunks while
    // the window allows. The budget also spreads the re-hashing of a resumed file's prefix over calls, so
    // one call never reads gigabytes. Call again whenever there is room to send (and after acks arrive).
    static constexpr std::uint64_t kDefaultReadBudget = 16u << 20;
    void produceChunks(std::uint64_t readBudget = kDefaultReadBudget);
    // True when produceChunks() would read or send something now; the caller keeps calling it until
    // this is false, then waits for acks, requests or user commands.
    bool canProduce() const;
    std::vector<Action> takeActions() { return m_out.take(); }

    // ---- Observation and persistence ----
    std::vector<OfferProgress> snapshot(bool withFiles = false);
    std::optional<OfferProgress> snapshotOffer(std::uint64_t offerId, bool withFiles = true);
    std::uint64_t bytesInFlight() const;
    std::uint64_t windowBytes() const { return m_config.windowBytes; }
    // Every offer except undecided incoming ones.
    std::vector<ResumeRecord> resumeRecords() const;
    // The same offers' record changes since the last call (OfferLedger::takeResumeChange), and the keys
    // of all of them, so a store can drop the records of offers that are gone. Costs what changed plus
    // one step per offer.
    std::vector<ResumeChange> takeResumeChanges();
    std::vector<std::pair<Direction, std::uint64_t>> resumeKeys() const;
    // Recreates offers after a restart, before onConnected(). One message per record that was refused.
    std::vector<std::string> restore(const std::vector<ResumeRecord>& records);

    OutgoingTransfer* outgoing(std::uint64_t offerId);
    IncomingTransfer* incoming(std::uint64_t offerId);

private:
    struct Owner {
        Direction direction = Direction::Outgoing;
        std::uint64_t offerId = 0;
    };
    struct Assembly {
        OfferAssembler assembler;
        PendingOfferLimit::Ticket ticket;
    };

    void onOfferPart(const wire::Offer& part);
    void onReply(const wire::OfferReply& reply);
    void onRequest(const wire::FileRequest& request);
    void onAck(const wire::ChunkAck& ack);
    void onDone(const wire::FileDone& done);
    void onResult(const wire::FileResult& result);
    void onControl(const wire::TransferControl& control);
    void completeAssembly(std::uint64_t offerId);
    void refuseOffer(std::uint64_t offerId, std::string reason);
    void answerEndedOffer(const IncomingTransfer& transfer);
    void unknownId(std::uint64_t offerId, std::uint64_t fileId, const char* what);
    std::size_t pendingCount() const;
    std::size_t activeIncomingCount() const;
    // Releases the pending ticket of offers no longer waiting for a decision.
    void syncTickets();
    bool idInUse(std::uint64_t offerId) const;
    std::uint64_t freshId(const std::function<bool(std::uint64_t)>& taken);
    void registerFiles(Direction direction, std::uint64_t offerId,
                       const std::vector<wire::OfferEntry>& entries);
    void unregisterFiles(const OfferLedger& ledger);
    void rememberRefused(std::uint64_t offerId, std::string reason);

    TransferConfig m_config;
    ManagerDeps m_deps;
    Outbox m_out;
    std::map<std::uint64_t, std::unique_ptr<OutgoingTransfer>> m_outgoing;
    std::map<std::uint64_t, std::unique_ptr<IncomingTransfer>> m_incoming;
    std::map<std::uint64_t, Assembly> m_assembling;
    std::map<std::uint64_t, PendingOfferLimit::Ticket> m_decisionTickets; // incoming offers awaiting the user
    std::unordered_map<std::uint64_t, Owner> m_fileOwners;
    std::deque<std::pair<std::uint64_t, std::string>> m_refused; // recent refusals, answered again
    std::unordered_set<std::uint64_t> m_forgotten;               // ids of forgotten offers and their files
    std::deque<std::uint64_t> m_forgottenOrder;
    std::uint64_t m_lastServed = 0;
};

} // namespace duet::transfer
