#pragma once
// The vocabulary between a front end (GUI or headless) and the engine's net thread.
// Commands flow in, Events flow out, through MessageQueues; both are plain values that own their data.
// Only ids cross threads. Adding a field is fine; renaming one breaks the headless JSON interface.
#include "duet/core/Ids.hpp"

#include <climits>
#include <cstdint>
#include <optional>
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
// The message goes to the peer's identity, not the connection: it is stored (queued) first and delivered
// whenever that identity is connected and verified. toFingerprint names the identity (a pinned peer,
// possibly offline): it is used when `peer` is zero or its connection ended before the engine read this.
struct SendChat {
    PeerId peer;
    std::uint64_t messageId = 0;
    std::string text;
    std::string toFingerprint{}; // braces: existing SendChat{peer, id, text} stays warning-free
};
// Asks for one page of a conversation's history: up to `limit` messages older than `beforeRowId`
// (kNewestRow: the newest). Answered by event::HistoryPage. With fingerprint empty, `peer` names it.
inline constexpr std::int64_t kNewestRow = INT64_MAX;
struct LoadHistory {
    PeerId peer;
    std::string fingerprint;
    std::uint32_t limit = 50;
    std::int64_t beforeRowId = kNewestRow;
};
// Durable chat, one conversation each: `fingerprint` names it; when empty, `peer` (a verified connection)
// does. Answered by an event, or event::Error naming the problem.
// The user has seen the conversation: incoming messages become Read, and a ChatRead receipt goes to the
// peer (now or when it is back) unless read receipts are off.
struct MarkRead {
    PeerId peer;
    std::string fingerprint;
};
// The user is writing (typing = true, repeat freely: the engine rate-limits the wire) or stopped.
// Nothing is sent while the typing indicator is off.
struct SetTyping {
    PeerId peer;
    std::string fingerprint;
    bool typing = false;
};
// Messages whose text contains `query` (case-insensitive for ASCII), newest first, at most `limit`:
// answered by event::HistorySearchResults.
struct SearchHistory {
    PeerId peer;
    std::string fingerprint;
    std::string query;
    std::uint32_t limit = 100;
};
// Deletes the conversation's history (answered by event::HistoryCleared). Messages still waiting for
// delivery stay in the outbox.
struct ClearHistory {
    PeerId peer;
    std::string fingerprint;
};
// Writes the whole conversation as UTF-8 text to `path` (absolute; an existing file is never replaced).
// Answered by event::HistoryExported.
struct ExportHistory {
    PeerId peer;
    std::string fingerprint;
    std::string path;
};
// Privacy settings of chat (persisted): send read receipts, send and show typing indicators. An empty
// field keeps its current value. Answered by event::ChatOptions.
struct SetChatOptions {
    std::optional<bool> readReceipts;
    std::optional<bool> typingIndicator;
};
struct Shutdown {};
// Offers local files and folders (absolute paths) to a verified peer as one offer.
struct SendFiles {
    PeerId peer;
    std::vector<std::string> paths;
};
// Accepts an incoming offer: every file when fileIds is empty, otherwise only those.
struct AcceptOffer {
    PeerId peer;
    TransferId offer;
    std::vector<std::uint64_t> fileIds;
};
struct RejectOffer {
    PeerId peer;
    TransferId offer;
    std::string reason;
};
// Pause, resume or cancel a whole offer (fileId 0) or one file of it.
struct ControlTransfer {
    PeerId peer;
    TransferId offer;
    std::uint64_t fileId = 0;
    TransferAction action = TransferAction::Pause;
};
// Drops finished offers (done, failed, rejected, cancelled) from the engine's memory and the profile's
// resume records: offer zero means every finished offer of `peer`, or of every peer when `peer` is zero.
// The engine also does this by itself a short while after an offer finishes. Nothing is answered.
struct ForgetTransfers {
    PeerId peer;
    TransferId offer;
};
struct SetDownloadDir {
    std::string path;
};
// Accept offers from verified peers without asking.
struct SetAutoAccept {
    bool verifiedPeers = false;
};
// LAN discovery: announce ourselves or not (persisted). Invisible still lists others.
struct SetVisible {
    bool visible = true;
};
// Interface names discovery may use (persisted); empty means every interface.
struct SetDiscoveryInterfaces {
    std::vector<std::string> interfaces;
};
// Re-emits LanPeerFound for every LAN peer currently known.
struct ListLanPeers {};
// Internet connections (NAT traversal): learn our endpoints and answer with event::NatCode.
struct ShowNatCode {};
// Connect to the owner of a connection code (punching through NATs when needed); progress comes as
// event::NatProgress. The code's fingerprint must match the handshake, else the connection is refused.
struct ConnectNatCode {
    std::string code;
};
} // namespace command

using Command =
    std::variant<command::Connect, command::Disconnect, command::SetHosting, command::SetDisplayName,
                 command::ConfirmPeer, command::RejectPeer, command::SendChat, command::Shutdown,
                 command::SendFiles, command::AcceptOffer, command::RejectOffer, command::ControlTransfer,
                 command::SetDownloadDir, command::SetAutoAccept, command::SetVisible,
                 command::SetDiscoveryInterfaces, command::ListLanPeers, command::LoadHistory,
                 command::MarkRead, command::SetTyping, command::SearchHistory, command::ClearHistory,
                 command::ExportHistory, command::SetChatOptions, command::ShowNatCode,
                 command::ConnectNatCode, command::ForgetTransfers>;

namespace event {
struct Listening {
    std::uint16_t port = 0;
    std::string fingerprint; // our own identity
    // This computer's IPv4 addresses other machines may dial (loopback left out), as the engine found
    // them at start.
    std::vector<std::string> addresses{};
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
    // The Close reason code (PROTOCOL.md, Close) that ended the connection, sent by the peer or by us;
    // empty when the link was lost or the connection failed without one. Decide on this, not the text.
    std::optional<std::uint16_t> closeCode{};
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
    std::string fingerprint{}; // the conversation
};
struct ChatDelivered {
    PeerId peer;
    std::uint64_t messageId = 0;
};
// A message we sent moved on: Queued (stored, waiting for the peer), Sent, Delivered (the peer stored it),
// Read (the peer's user saw it; only when the peer sends read receipts).
// `peer` is zero while the peer is offline; the conversation is `fingerprint`.
struct ChatStateChanged {
    PeerId peer;
    std::string fingerprint;
    std::uint64_t messageId = 0;
    MessageState state = MessageState::Queued;
    std::int64_t timeMs = 0; // when the message was written (sender's clock)
};
struct HistoryEntry {
    std::int64_t rowId = 0; // paging cursor: pass the oldest one as LoadHistory::beforeRowId
    std::uint64_t messageId = 0;
    bool outgoing = false;
    std::string text;
    std::int64_t sentAtMs = 0;
    MessageState state = MessageState::Queued;
};
// Answer to command::LoadHistory: oldest first. `more` is true when older messages exist.
struct HistoryPage {
    std::string fingerprint;
    std::vector<HistoryEntry> messages;
    bool more = false;
};
// The peer's user is writing (typing) or stopped; typing = false also when it expired by itself.
struct PeerTyping {
    PeerId peer;
    std::string fingerprint;
    bool typing = false;
};
// Answer to command::SearchHistory: matches newest first; `more` when the limit cut the list.
struct HistorySearchResults {
    std::string fingerprint;
    std::string query;
    std::vector<HistoryEntry> messages;
    bool more = false;
};
struct HistoryCleared {
    std::string fingerprint;
    std::uint64_t removed = 0; // messages deleted
};
struct HistoryExported {
    std::string fingerprint;
    std::string path;
    std::uint64_t messages = 0;
};
// Chat privacy settings as the engine applies them (on start and after every change).
struct ChatOptions {
    bool readReceipts = true;
    bool typingIndicator = true;
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
// The peer offers files; the user accepts (all or some) or rejects. autoAccepted: already accepted.
struct OfferReceived {
    PeerId peer;
    TransferId offer;
    std::vector<TransferEntry> entries;
    std::uint64_t totalBytes = 0;
    bool autoAccepted = false;
};
// Our offer is on its way to the peer.
struct OfferSent {
    PeerId peer;
    TransferId offer;
    std::vector<TransferEntry> entries;
    std::uint64_t totalBytes = 0;
};
// Coalesced progress of one offer (a few times a second while it moves, and on every state change).
struct TransferProgress {
    PeerId peer;
    TransferId offer;
    bool outgoing = false;
    TransferState state = TransferState::Active;
    std::uint64_t fileId = 0;     // the file moving now (0: none)
    std::uint64_t fileBytes = 0;  // bytes of that file done
    std::uint64_t bytesDone = 0;  // whole offer
    std::uint64_t totalBytes = 0; // whole offer (accepted files only)
    std::uint64_t bytesPerSec = 0;
    std::int64_t etaSeconds = -1; // -1: unknown (stalled, paused or finished)
};
// One file arrived (or was sent) and its hash matched. localPath: where it is on this computer.
struct TransferFileDone {
    PeerId peer;
    TransferId offer;
    std::uint64_t fileId = 0;
    std::string localPath;
    std::string hash; // hex BLAKE2b-256
};
struct TransferFileFailed {
    PeerId peer;
    TransferId offer;
    std::uint64_t fileId = 0;
    std::string reason;
    // Stable code for scripts: hash_mismatch, source_changed, source_unreadable, disk_full, write_failed,
    // cancelled, protocol_violation.
    std::string outcome{};
};
// The offer reached a final state: Done, Failed, Cancelled or Rejected.
struct OfferFinished {
    PeerId peer;
    TransferId offer;
    TransferState state = TransferState::Done;
    std::string reason;
};
// A LAN beacon was heard (or changed). Everything here is CLAIMED, unauthenticated: connect only to one of
// `addresses` (the beacons' source address with the claimed ENet port), and trust only the handshake.
struct LanPeerFound {
    std::string key;                    // stable while the peer is listed; LanPeerLost names it
    std::string name;                   // claimed display name
    std::vector<std::string> addresses; // "ip:port", newest first
    std::uint16_t port = 0;             // claimed ENet port of the newest address
    std::string fingerprintHint;        // claimed, formatted like a fingerprint
    bool matchesPinnedPeer = false;     // the hint equals a pinned peer's fingerprint: still unproven
};
// The LAN peer `key` is no longer listed. The claims are those it was last listed with, as in LanPeerFound.
struct LanPeerLost {
    std::string key;
    std::string name;
    std::string reason;            // "left", "expired", "evicted", "interface gone"
    std::string address{};         // "ip:port" it was last heard at (source IP, claimed ENet port)
    std::uint16_t port = 0;        // claimed ENet port at that address
    std::string fingerprintHint{}; // claimed, formatted like a fingerprint
};
// Discovery settings as the engine applies them (on start and after every change).
struct DiscoveryState {
    bool available = false; // the discovery socket is open
    bool visible = true;
    std::vector<std::string> interfaces;        // empty: every interface
    std::vector<std::string> machineInterfaces; // IPv4 interfaces this machine has now, to choose from
};
// How this computer can be reached from the internet (after STUN and port mapping; again on changes).
struct Reachability {
    std::string mapped;           // "ip:port" the router forwards to us (UPnP/NAT-PMP), empty if none
    std::string mappingMethod;    // "upnp", "nat-pmp" or "none"
    std::string mappingDetail;    // why there is no mapping, when there is none
    std::string publicAddress;    // "ip:port" a STUN server saw, empty if none answered
    std::string natType;          // "open", "cone", "symmetric", "blocked" or "unknown" (nat/NatType.hpp)
    std::vector<std::string> lan; // our interface addresses with the ENet port
};
// Answer to command::ShowNatCode: my connection code, to be sent to the other user.
struct NatCode {
    std::string code;
};
// Progress of an internet connection: stage is "mapping", "stun", "punching", "connecting",
// "connected" or "failed"; detail says more (the failure reason in plain words).
struct NatProgress {
    std::string stage;
    std::string detail;
    PeerId peer; // set from "connecting" on
};
} // namespace event

using Event =
    std::variant<event::Listening, event::HostingChanged, event::PeerConnecting, event::PeerConnected,
                 event::PeerVerified, event::PeerKeyChanged, event::PeerDisconnected, event::ChatSent,
                 event::ChatReceived, event::ChatDelivered, event::LinkStats, event::Error,
                 event::OfferReceived, event::OfferSent, event::TransferProgress, event::TransferFileDone,
                 event::TransferFileFailed, event::OfferFinished, event::LanPeerFound, event::LanPeerLost,
                 event::DiscoveryState, event::ChatStateChanged, event::HistoryPage, event::PeerTyping,
                 event::HistorySearchResults, event::HistoryCleared, event::HistoryExported,
                 event::ChatOptions, event::Reachability, event::NatCode, event::NatProgress>;

} // namespace duet
