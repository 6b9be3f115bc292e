#pragma once
// The vocabulary between a front end (GUI or headless) and the engine's net thread.
// Commands flow in, Events flow out, through MessageQueues; both are plain values that own their data.
// Only ids cross threads. Adding a field is fine; renaming one breaks the headless JSON interface.
#include "duet/core/Ids.hpp"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace duet {

// How far the local user trusts a connected peer's identity key.
enum class Trust : std::uint8_t {
    Unverified, // first contact: the user must compare and confirm the verification code
    Verified,   // key pinned in the profile earlier (or just confirmed)
};

// Delivery state of a chat message, as the sender sees it (incoming messages are Received, then Read).
enum class MessageState : std::uint8_t { Queued, Sent, Delivered, Read, Received };

enum class TransferState : std::uint8_t {
    Offered,   // waiting for the receiver's decision
    Queued,    // accepted, not started
    Active,    // bytes are moving
    Paused,    // paused by either side
    Waiting,   // link down; resumes when the peer is back
    Verifying, // hashing before the final rename
    Done,
    Failed,
    Cancelled,
    Rejected,
};
enum class TransferAction : std::uint8_t { Pause, Resume, Cancel };

struct TransferEntry {
    std::uint64_t fileId = 0;
    std::string path; // relative, '/'-separated, as shown to users
    std::uint64_t size = 0;
    bool directory = false;
};

namespace command {
struct Connect {
    std::string host; // IPv4 address or host name
    std::uint16_t port = kDefaultPort;
};
struct Disconnect {
    PeerId peer;
};
// Whether incoming connections are accepted (the GUI's Host toggle).
struct SetHosting {
    bool accepting = true;
};
struct SetDisplayName {
    std::string name;
};
// The user compared the code shown for this peer and it matches: pin the key, allow chat.
struct ConfirmPeer {
    PeerId peer;
};
struct RejectPeer {
    PeerId peer;
};
// The caller picks messageId (random, non-zero) so it can show the message before the engine answers.
struct SendChat {
    PeerId peer;
    std::uint64_t messageId = 0;
    std::string text;
};
struct Shutdown {};
} // namespace command

using Command =
    std::variant<command::Connect, command::Disconnect, command::SetHosting, command::SetDisplayName,
                 command::ConfirmPeer, command::RejectPeer, command::SendChat, command::Shutdown>;

namespace event {
struct Listening {
    std::uint16_t port = 0;
    std::string fingerprint; // our own identity
};
struct HostingChanged {
    bool accepting = false;
};
// A transport connection exists and the secure handshake is running.
struct PeerConnecting {
    PeerId peer;
    std::string address; // "ip:port"
    bool outgoing = false;
};
// Handshake done: the peer's identity is proven. If trust is Unverified, the user must confirm `code`.
struct PeerConnected {
    PeerId peer;
    std::string name;
    std::string address;
    std::string fingerprint;
    std::string code; // short verification code, identical on both sides unless someone is in the middle
    Trust trust = Trust::Unverified;
};
// Both sides have confirmed (or the key was already pinned): chat is open.
struct PeerVerified {
    PeerId peer;
};
// A known peer (same name or address) presented a different key. The connection is refused; this is
// a hard stop for the user to act on, never a toast.
struct PeerKeyChanged {
    PeerId peer;
    std::string name;
    std::string address;
    std::string pinnedFingerprint;
    std::string presentedFingerprint;
};
struct PeerDisconnected {
    PeerId peer;
    std::string reason;
};
struct ChatSent {
    PeerId peer;
    std::uint64_t messageId = 0;
    std::int64_t timeMs = 0;
};
struct ChatReceived {
    PeerId peer;
    std::uint64_t messageId = 0;
    std::string from;
    std::string text;
    std::int64_t sentAtMs = 0;
};
struct ChatDelivered {
    PeerId peer;
    std::uint64_t messageId = 0;
};
// Connection quality, sent about once a second per connected peer.
struct LinkStats {
    PeerId peer;
    std::uint32_t rttMs = 0;
    double lossRatio = 0;
    std::uint64_t bytesInPerSec = 0;
    std::uint64_t bytesOutPerSec = 0;
};
struct Error {
    PeerId peer; // zero when not tied to a peer
    std::string reason;
};
} // namespace event

using Event =
    std::variant<event::Listening, event::HostingChanged, event::PeerConnecting, event::PeerConnected,
                 event::PeerVerified, event::PeerKeyChanged, event::PeerDisconnected, event::ChatSent,
                 event::ChatReceived, event::ChatDelivered, event::LinkStats, event::Error>;

} // namespace duet
