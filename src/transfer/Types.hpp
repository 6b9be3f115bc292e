#pragma once
// Shared vocabulary of the transfer library: which file, hashes, results of injected I/O, and the states
// an offer and its files go through. Plain values, usable on any thread.
#include "duet/wire/TransferMessages.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace duet::transfer {

using Hash32 = std::array<std::uint8_t, 32>;

// One file of one offer. Within a connection offer ids and file ids are unique (TransferManager keeps
// them so), because chunks, acks and results name only the file id.
struct FileKey {
    std::uint64_t offerId = 0;
    std::uint64_t fileId = 0;
    friend bool operator==(const FileKey&, const FileKey&) = default;
};

// Why an injected I/O call failed. `outcome` is what the file's result becomes (SourceUnreadable,
// DiskFull, WriteFailed, HashMismatch); `message` is readable and safe to show to the user.
struct IoError {
    wire::FileOutcome outcome = wire::FileOutcome::WriteFailed;
    std::string message;
};

// A value or an IoError. Never throws.
template <typename T>
class IoResult {
public:
    IoResult(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    IoResult(IoError error) : m_v(std::in_place_index<1>, std::move(error)) {}
    bool ok() const { return m_v.index() == 0; }
    const T& value() const { return std::get<0>(m_v); }
    const IoError& error() const { return std::get<1>(m_v); }

private:
    std::variant<T, IoError> m_v;
};

struct Done {};
using IoStatus = IoResult<Done>;

enum class Direction : std::uint8_t { Outgoing, Incoming };

enum class OfferState : std::uint8_t {
    AwaitingReply,    // sender: the offer is out; the peer's user has not decided yet
    AwaitingDecision, // receiver: waiting for the local user (or the caller's auto-accept policy)
    Active,           // accepted: files are moving or waiting for their turn
    Finished,         // every accepted entry reached a final state (some may have failed)
    Rejected,         // the receiver said no; see the reason
    Cancelled,        // either side cancelled the whole offer
    Failed,           // the peer broke the protocol at the offer level; see the reason
};

enum class FileState : std::uint8_t {
    NotAccepted, // the receiver did not choose this entry
    Pending,     // accepted, not moving: not yet requested, or interrupted by a lost link
    Active,      // requested and moving (possibly paused, see PauseFlags)
    Finishing,   // every chunk moved; waiting for the whole-file hash check
    Verified,    // complete, hash matched, in place under its final name (directories: created)
    Failed,      // see the outcome and detail
    Cancelled,
};

// A transfer moves only while neither side has paused it. Each side can lift only its own pause.
struct PauseFlags {
    bool byLocal = false;
    bool byPeer = false;
    bool any() const { return byLocal || byPeer; }
    friend bool operator==(const PauseFlags&, const PauseFlags&) = default;
};

bool isFinal(OfferState state);
// A receiver's storage failure (disk full, folder not writable) that its user can repair and resume.
bool isRepairable(wire::FileOutcome outcome);
bool isFinal(FileState state);

std::string_view describe(Direction direction);
std::string_view describe(OfferState state);
std::string_view describe(FileState state);
std::string_view describe(wire::FileOutcome outcome);

// Shortens text to fit wire::kMaxReasonText without splitting a UTF-8 sequence.
std::string clampReason(std::string text);

// Peer-written text (reasons, details) made safe to show or log: control characters (C0, DEL, C1) and
// bidirectional overrides become '?', so a peer cannot move a terminal cursor or reorder what is shown.
// Expects valid UTF-8 (the wire decoder guarantees it).
std::string displaySafe(std::string_view peerText);

} // namespace duet::transfer
