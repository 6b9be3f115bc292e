#pragma once
// File transfers of the engine: one transfer::TransferManager per peer identity (fingerprint), bound
// to the verified connection of that peer while there is one. Turns engine commands into manager
// calls, seals and opens chunks (ChunkCipher under the session's file keys), paces chunk data so only a
// little waits inside ENet (chat never queues behind file data), and turns manager actions into events.
// A peer that reconnects with the same fingerprint gets its manager back and the transfers resume from
// the receiver's verified chunks; resume records are kept in the profile so they survive a restart.
// Thread: the net thread only. Errors become event::Error / TransferFileFailed; nothing throws out.
#include "duet/core/Clock.hpp"
#include "duet/core/EngineApi.hpp"
#include "duet/crypto/Crypto.hpp"
#include "duet/net/OffloadedHasher.hpp"
#include "duet/net/ResumeRecordStore.hpp"
#include "duet/profile/ProfileStore.hpp"
#include "duet/wire/Messages.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace duet::storage {
class ReceiveRoot;
}

namespace duet::net {

// What the service needs from the net loop.
class TransferLink {
public:
    virtual ~TransferLink() = default;
    // A control message on channel 0 of the peer's secure session.
    virtual void sendTransferMessage(PeerId peer, const wire::AppMessage& message) = 0;
    // A Chunk frame (or a StreamChunk frame where chunksTravelSealed) to the peer. `queued` is raised by
    // the frame's size now and lowered once the peer has it (or the packet is dropped); it must outlive
    // the ENet host.
    virtual void sendChunkFrame(PeerId peer, const wire::Bytes& frame, std::uint64_t* queued) = 0;
    // True when the peer's chunk frames travel in the sealed bulk stream (PROTOCOL.md §11.2), which
    // already keeps them secret, authentic and in order: they then go as StreamChunk, unsealed.
    virtual bool chunksTravelSealed(PeerId peer) = 0;
    // The peer broke the transfer protocol badly enough to hang up.
    virtual void closeForAbuse(PeerId peer, const std::string& reason) = 0;
    virtual void emitEvent(Event event) = 0;
};

struct TransferServiceConfig {
    std::filesystem::path downloadDir;
    bool autoAcceptAll = false; // --yes: every offer is accepted without asking
    // Chunk bytes allowed to wait in (or be in flight through) ENet per peer.
    std::uint64_t maxQueuedChunkBytes = 512u << 10;
    // A finished offer is forgotten (memory and resume record) after this long with the peer connected.
    Millis forgetFinishedAfter{30'000};
};

// What the service holds, for tests that check a long session stays flat.
struct TransferHoldings {
    std::size_t offers = 0;         // offers in the managers, any state
    std::size_t perFileEntries = 0; // per-file bookkeeping: paths, hashes, nonce prefixes, sink and source
    std::size_t finishedTimers = 0;
};

class TransferService {
public:
    TransferService(TransferServiceConfig config, TransferLink& link, const Clock& clock,
                    crypto::Random& random, profile::ProfileStore& profile);
    ~TransferService();
    TransferService(const TransferService&) = delete;
    TransferService& operator=(const TransferService&) = delete;

    // The session of `peer` is verified (both sides confirmed): transfers may flow.
    void onPeerVerified(PeerId peer, const std::string& fingerprint, const crypto::SessionKeys& keys);
    void onPeerGone(PeerId peer);
    // A decoded transfer message from channel 0, and a Chunk frame body from channel 2, of a verified peer.
    void onMessage(PeerId peer, const wire::AppMessage& message);
    void onChunk(PeerId peer, wire::ByteSpan chunkBody);
    // A StreamChunk frame body that came out of the peer's sealed bulk stream (never from elsewhere).
    void onStreamChunk(PeerId peer, wire::ByteSpan streamChunkBody);

    void handle(const command::SendFiles& command);
    void handle(const command::AcceptOffer& command);
    void handle(const command::RejectOffer& command);
    void handle(const command::ControlTransfer& command);
    void handle(const command::SetDownloadDir& command);
    void handle(const command::SetAutoAccept& command);
    void handle(const command::ForgetTransfers& command);

    // Sends what the queues allow, ticks the managers, emits coalesced progress and saves resume
    // records. Call on every loop turn.
    void pump();
    // True while some peer has chunks to send and room in its queue was the only thing missing, so
    // the loop should come back soon.
    bool busy() const;
    TransferHoldings holdings() const;

private:
    struct Peer;
    Peer* find(PeerId peer);
    Peer& peerFor(const std::string& fingerprint);
    void drain(Peer& peer);
    void sendChunk(Peer& peer, std::uint64_t fileId, std::uint64_t index, const wire::Bytes& plaintext);
    void emitProgress(Peer& peer, std::uint64_t offerId);
    void emitAllProgress(Peer& peer);
    void strike(Peer& peer, const std::string& reason);
    void save(Peer& peer);
    void load(Peer& peer);
    // Tells the peer's sink what a restored incoming record says about names already taken on disk.
    void restoreReceiving(Peer& peer, const transfer::ResumeRecord& record);
    void forgetOffer(Peer& peer, std::uint64_t offerId);
    void forgetFinished(Peer& peer, MonoTime now);
    bool autoAccepts() const;
    void openDownloadDir();

    TransferServiceConfig m_config;
    TransferLink& m_link;
    const Clock& m_clock;
    crypto::Random& m_random;
    profile::ProfileStore& m_profile;
    ResumeRecordStore m_records;
    OffloadedHashFactory m_hashes;                // before m_peers: their managers hold it
    std::shared_ptr<storage::ReceiveRoot> m_root; // shared with the sinks; empty when unusable
    bool m_autoAcceptVerified = false;
    std::map<std::string, std::unique_ptr<Peer>> m_peers; // by fingerprint
    MonoTime m_lastTick{};
    MonoTime m_lastProgress{};
    MonoTime m_lastSave{};
};

} // namespace duet::net
