#pragma once
// A chat message as stored in the messages table. Plain value.
#include <cstdint>
#include <string>

namespace duet::profile {

// Stored as integers: never renumber.
enum class MessageDirection : std::uint8_t { Outgoing = 0, Incoming = 1 };

// Stored as integers: never renumber. The numeric order is the lifecycle order within each direction
// (outgoing Queued, Sent, Delivered, Read; incoming Received, Read), which lets markState refuse to move a
// message backwards when updates arrive out of order.
enum class MessageState : std::uint8_t { Queued = 0, Sent = 1, Delivered = 2, Received = 3, Read = 4 };

struct StoredMessage {
    std::int64_t rowId = 0; // local order of storage; the paging cursor for history()
    std::string peerFingerprint;
    std::uint64_t messageId = 0; // the 64-bit id on the wire, chosen by the sender
    MessageDirection direction = MessageDirection::Outgoing;
    std::string text;          // UTF-8
    std::int64_t sentAtMs = 0; // sender's clock, Unix epoch milliseconds
    MessageState state = MessageState::Queued;

    friend bool operator==(const StoredMessage&, const StoredMessage&) = default;
};

// One message the user sent, for ProfileStore::storeOutgoingBatch.
struct OutgoingDraft {
    std::string peerFingerprint;
    std::uint64_t messageId = 0;
    std::string text;
    std::int64_t sentAtMs = 0;
};

// One ProfileStore::markStates entry: same rules as markState.
struct StateChange {
    std::string peerFingerprint;
    MessageDirection direction = MessageDirection::Outgoing;
    std::uint64_t messageId = 0;
    MessageState state = MessageState::Sent;
};

} // namespace duet::profile
