#pragma once
// What the transfer machines ask their caller to do: send a control message, send a chunk (the engine
// encrypts and frames it), or tell the UI something. Actions are plain values that own their data and
// are drained in order by the caller.
#include "duet/transfer/Types.hpp"
#include "duet/wire/Messages.hpp"

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace duet::transfer {

// A control message for the peer (channel 0).
struct SendMessage {
    wire::AppMessage message;
};

// A chunk of plaintext for the peer (channel 2). Chunks of one file come out in index order.
struct SendChunk {
    std::uint64_t fileId = 0;
    std::uint64_t chunkIndex = 0;
    wire::Bytes plaintext;
};

// The peer offers files: ask the user (or apply the caller's auto-accept policy). The offer has passed
// the caps and the injected path validator already.
struct OfferArrived {
    std::uint64_t offerId = 0;
    std::vector<wire::OfferEntry> entries;
    std::uint64_t totalBytes = 0;
};

struct OfferChanged {
    std::uint64_t offerId = 0;
    Direction direction = Direction::Outgoing;
    OfferState state = OfferState::Active;
    PauseFlags paused;
    std::string reason; // set when rejected, cancelled or failed
};

struct FileChanged {
    FileKey file;
    Direction direction = Direction::Outgoing;
    FileState state = FileState::Pending;
    PauseFlags paused;
    wire::FileOutcome outcome = wire::FileOutcome::Verified; // meaningful when Failed
    std::string detail;                                      // readable reason when Failed
    std::string finalPath;                                   // receiver: where a Verified entry landed
};

// An input from the peer was dropped. `suspicious` is false for the harmless races of a live link
// (a chunk still in flight after a cancel); true when only a broken or hostile peer sends it. The
// engine counts suspicious drops toward its disconnect threshold.
struct InputDropped {
    std::uint64_t offerId = 0;
    std::uint64_t fileId = 0;
    bool suspicious = true;
    std::string reason;
};

using Action = std::variant<SendMessage, SendChunk, OfferArrived, OfferChanged, FileChanged, InputDropped>;

// Collects actions in order. Owned by a TransferManager and shared with its machines; single thread.
class Outbox {
public:
    void send(wire::AppMessage message) { m_actions.emplace_back(SendMessage{std::move(message)}); }
    void sendChunk(std::uint64_t fileId, std::uint64_t chunkIndex, wire::Bytes plaintext)
    {
        m_actions.emplace_back(SendChunk{fileId, chunkIndex, std::move(plaintext)});
    }
    void emit(Action action) { m_actions.push_back(std::move(action)); }
    void dropped(std::uint64_t offerId, std::uint64_t fileId, bool suspicious, std::string reason)
    {
        m_actions.emplace_back(InputDropped{offerId, fileId, suspicious, std::move(reason)});
    }
    std::vector<Action> take() { return std::exchange(m_actions, {}); }
    bool empty() const { return m_actions.empty(); }

private:
    std::vector<Action> m_actions;
};

} // namespace duet::transfer
