#pragma once
// AppState: the UI thread's picture of the engine, rebuilt from engine events and from the commands the
// UI itself issues. Pure: no I/O, no clock (callers pass wall time), no ImGui.
// Thread: owned and used by the UI thread only. Peer-supplied strings are sanitized on the way in.
// Histories are vectors that only grow at the end, so drawing a long history allocates nothing per frame.
#include "duet/core/EngineApi.hpp"
#include "duet/state/Transfers.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace duet::state {

enum class Delivery : std::uint8_t {
    Sending,   // handed to the engine, not yet on the wire
    Sent,      // the engine sent it (ChatSent)
    Delivered, // the peer acknowledged it (ChatDelivered)
    Read,      // the peer's user saw it (ChatStateChanged Read; only with the peer's read receipts on)
};

struct ChatMessage {
    std::uint64_t id = 0;
    bool outgoing = false;
    std::string from;                      // sender's display name when it arrived ("" for our own messages)
    std::string text;                      // sanitized, may hold '\n'
    std::int64_t timeMs = 0;               // Unix ms: send time for ours, the sender's clock for theirs
    Delivery delivery = Delivery::Sending; // meaningful for outgoing messages only
};

enum class PeerPhase : std::uint8_t {
    Connecting, // transport up, handshake running
    Verifying,  // identity proven; waiting for one or both users to confirm the code
    Online,     // verified on both sides: chat is open
    Offline,    // disconnected (history stays)
};

struct LinkQuality {
    std::uint32_t rttMs = 0;
    double lossRatio = 0;
    std::uint64_t bytesInPerSec = 0;
    std::uint64_t bytesOutPerSec = 0;
};

struct Peer {
    PeerId id;
    std::string name;
    std::string address;
    std::string fingerprint;
    std::string code; // verification code to compare
    Trust trust = Trust::Unverified;
    PeerPhase phase = PeerPhase::Connecting;
    bool outgoing = false;         // we dialled it
    bool remembered = false;       // listed from the profile at start; not connected in this run yet
    bool recent = false;           // listed as a recent unverified peer of an earlier run (addRecentPeer)
    std::int64_t lastSeenMs = 0;   // recent peers: when the profile last saw it (Unix ms)
    bool redial = false;           // dialled the address of a known Offline identity (likely automatic)
    bool confirmedLocally = false; // our user confirmed the code; waiting for the other side
    bool rejectedLocally = false;  // our user rejected the code; waiting for the disconnect
    std::string disconnectReason;
    std::optional<LinkQuality> link;
    std::vector<ChatMessage> messages;
    std::uint64_t messagesRevision = 0; // bumps whenever `messages` changes (append or delivery mark)
    std::size_t unread = 0;             // incoming messages since the UI last called markRead
    bool typing = false;                // the peer's user is writing (PeerTyping)
    // Stored history (LoadHistory / HistoryPage): older pages are inserted in front of `messages`.
    bool historyRequested = false; // the UI asked for the newest page
    bool historyLoading = false;   // a page is on its way
    bool olderHistory = false;     // older stored messages exist
    std::int64_t oldestRow = 0;    // paging cursor: the oldest loaded stored message (0: none yet)
    std::uint64_t prepends = 0;    // bumps whenever messages were inserted at the front

    // The user must compare the code and confirm or reject it now.
    bool needsVerification() const
    {
        return phase == PeerPhase::Verifying && trust == Trust::Unverified && !confirmedLocally &&
               !rejectedLocally;
    }
};

struct KeyChangeAlert {
    PeerId peer;
    std::string name;
    std::string address;
    std::string pinnedFingerprint;
    std::string presentedFingerprint;
};

// A peer heard on the LAN (AppStateLan.cpp). Every field is an unauthenticated claim; only a connection's
// handshake proves who answers at one of `addresses`.
struct LanPeer {
    std::string key;
    std::string name;                   // sanitized
    std::vector<std::string> addresses; // "ip:port", newest first
    std::string fingerprintHint;
    bool matchesPinnedPeer = false;
};

enum class LogLevel : std::uint8_t { Info, Error };

struct LogEntry {
    std::int64_t timeMs = 0;
    LogLevel level = LogLevel::Info;
    std::string text;
};

class AppState {
public:
    static constexpr std::size_t kMaxLogEntries = 1000;

    // Folds one engine event into the state. `nowMs` is the local wall clock (Unix ms), used for log
    // entries. Unknown peers referenced by an event are created on the fly rather than dropping data.
    void apply(const Event& event, std::int64_t nowMs);

    // Records the local effect of a command the UI is about to post: our own chat message appears at
    // once (Sending), a confirm/reject hides the verification prompt, Disconnect acknowledges a key-change
    // alert for that peer, SetDisplayName updates our name.
    void applyLocal(const Command& command, std::int64_t nowMs);

    // The UI shows a conversation: clears its unread count.
    void markRead(PeerId peer);

    // Lists a peer known from the profile (not connected in this run) as an Offline conversation, so its
    // stored history can be opened before it is back. Its id is synthetic (kRememberedIdBase and up, never
    // an engine id); when that identity connects, the engine's entry merges into it (see findPeer).
    // Ignored when the fingerprint is empty or already listed.
    static constexpr std::uint64_t kRememberedIdBase = std::uint64_t{1} << 62;
    void addRememberedPeer(const std::string& fingerprint, const std::string& name,
                           const std::string& address);

    // Lists an unverified peer of an earlier run as an Offline row, so the user can join it again. It grants
    // nothing: its trust stays Unverified and a new connection shows the verification code as any first
    // contact. Ignored when the fingerprint is empty or already listed. Name and address are sanitized and
    // bounded. At most kMaxRecentPeers such rows: the least recently seen one goes first.
    static constexpr std::size_t kMaxRecentPeers = 8;
    static constexpr std::size_t kMaxRecentNameBytes = 64;     // the wire format's display name limit
    static constexpr std::size_t kMaxRecentAddressBytes = 128; // "host:port" as typed or dialled
    void addRecentPeer(const std::string& fingerprint, const std::string& name, const std::string& address,
                       std::int64_t lastSeenMs);
    // Removes the Offline, unverified row of this identity with its loaded messages (Forget). Connected
    // and verified rows stay. True when a row went.
    bool forgetRecentPeer(const std::string& fingerprint);
    // Offline rows of unverified identities (a fingerprint is known), most recently seen first.
    std::vector<const Peer*> recentPeers() const;

    const std::vector<Peer>& peers() const { return m_peers; }
    // Also finds an entry by an id it had before a merge (a remembered or earlier connection of the same
    // identity): the returned entry's id is then the current one.
    const Peer* findPeer(PeerId peer) const;
    // The first peer whose code the user must compare, or nullptr.
    const Peer* peerNeedingVerification() const;
    const std::vector<KeyChangeAlert>& keyChangeAlerts() const { return m_keyChanges; }
    const TransferList& transfers() const { return m_transfers; }
    // LAN discovery, in order of first sighting.
    const std::vector<LanPeer>& lanPeers() const { return m_lanPeers; }
    bool discoveryAvailable() const { return m_discoveryAvailable; }
    bool visibleOnLan() const { return m_visibleOnLan; }
    // Discovery's interface restriction in force (empty: every interface) and the machine's interfaces.
    const std::vector<std::string>& discoveryInterfaces() const { return m_discoveryInterfaces; }
    const std::vector<std::string>& machineInterfaces() const { return m_machineInterfaces; }
    // The connected peer whose proven fingerprint is this LAN peer's hint, or nullptr.
    const Peer* provenPeerFor(const LanPeer& lanPeer) const;
    const std::deque<LogEntry>& log() const { return m_log; }
    // Counts every error ever logged (not capped), so the UI can tell whether the newest one is unseen.
    std::uint64_t errorCount() const { return m_errorCount; }
    const std::string& lastError() const { return m_lastError; }

    std::uint16_t listeningPort() const { return m_listeningPort; } // 0 until the engine listens
    // This computer's IPv4 addresses (Listening event), for "others can join at".
    const std::vector<std::string>& listeningAddresses() const { return m_listeningAddresses; }
    const std::string& ownFingerprint() const { return m_ownFingerprint; }
    bool hosting() const { return m_hosting; }
    const std::string& displayName() const { return m_displayName; }
    // Chat privacy settings as the engine applies them (event::ChatOptions).
    const event::ChatOptions& chatOptions() const { return m_chatOptions; }
    // Internet connections (the "Connect over the internet" dialog): the latest of each event, if any.
    const std::optional<event::Reachability>& reachability() const { return m_reachability; }
    const std::string& natCode() const { return m_natCode; }
    const std::optional<event::NatProgress>& natProgress() const { return m_natProgress; }
    void setDisplayName(std::string name);

    // Moves whenever something visible may have changed (every apply/applyLocal, except a LinkStats
    // identical to the last one); the front end redraws only when it moves.
    std::uint64_t revision() const { return m_revision; }

private:
    Peer& peerFor(PeerId id);
    Peer* peerPtr(PeerId id);
    ChatMessage* findMessage(Peer& peer, std::uint64_t messageId);
    void appendMessage(Peer& peer, ChatMessage message);
    // AppStateKnown.cpp: the entry `connected` just proved an identity listed Offline before: merge.
    void mergeIntoEarlierEntry(std::size_t connected);
    // A connection that ended before proving any identity, to the address of a known Offline identity (an
    // automatic redial that found nobody): its row goes, the known one stays. True when removed.
    bool dropFailedRedial(std::size_t index);
    bool knownOfflineAt(const std::string& address) const;
    void rebuildPeerIndex();
    void addLog(std::int64_t nowMs, LogLevel level, std::string text);

    void on(const event::Listening& e, std::int64_t nowMs);
    void on(const event::HostingChanged& e, std::int64_t nowMs);
    void on(const event::PeerConnecting& e, std::int64_t nowMs);
    void on(const event::PeerConnected& e, std::int64_t nowMs);
    void on(const event::PeerVerified& e, std::int64_t nowMs);
    void on(const event::PeerKeyChanged& e, std::int64_t nowMs);
    void on(const event::PeerDisconnected& e, std::int64_t nowMs);
    void on(const event::ChatSent& e, std::int64_t nowMs);
    void on(const event::ChatReceived& e, std::int64_t nowMs);
    void on(const event::ChatDelivered& e, std::int64_t nowMs);
    void on(const event::LinkStats& e, std::int64_t nowMs);
    void on(const event::Error& e, std::int64_t nowMs);
    void on(const event::Reachability& e, std::int64_t) { m_reachability = e; }
    void on(const event::NatCode& e, std::int64_t) { m_natCode = e.code; }
    void on(const event::NatProgress& e, std::int64_t) { m_natProgress = e; }
    // AppStateChat.cpp: read receipts, typing, chat options.
    void on(const event::ChatStateChanged& e, std::int64_t nowMs);
    void on(const event::PeerTyping& e, std::int64_t nowMs);
    void on(const event::ChatOptions& e, std::int64_t nowMs);
    void on(const event::HistoryPage& e, std::int64_t nowMs);
    void on(const event::HistoryCleared& e, std::int64_t nowMs);
    void applyLocalChat(const Command& command);
    // AppStateLan.cpp
    void on(const event::LanPeerFound& e, std::int64_t nowMs);
    void on(const event::LanPeerLost& e, std::int64_t nowMs);
    void on(const event::DiscoveryState& e, std::int64_t nowMs);
    // AppStateTransfers.cpp: transfer events go to m_transfers (plus a log line); true when handled.
    bool applyTransfer(const Event& event, std::int64_t nowMs);
    template <typename TransferEvent>
    void on(const TransferEvent&, std::int64_t)
    {
    }

    std::vector<Peer> m_peers;                           // in order of first appearance
    std::unordered_map<PeerId, std::size_t> m_peerIndex; // current ids and ids from before a merge
    std::unordered_map<PeerId, PeerId> m_mergedIds;      // earlier id -> current id of the same entry
    std::uint64_t m_nextRememberedId = kRememberedIdBase;
    // Per peer: message id -> index into Peer::messages, for delivery marks and duplicate detection.
    std::unordered_map<PeerId, std::unordered_map<std::uint64_t, std::size_t>> m_messageIndex;
    std::vector<KeyChangeAlert> m_keyChanges;
    TransferList m_transfers;
    std::vector<LanPeer> m_lanPeers;
    bool m_discoveryAvailable = false;
    bool m_visibleOnLan = false;
    std::vector<std::string> m_discoveryInterfaces;
    std::vector<std::string> m_machineInterfaces;
    std::deque<LogEntry> m_log;
    std::uint64_t m_errorCount = 0;
    std::string m_lastError;
    std::uint16_t m_listeningPort = 0;
    std::vector<std::string> m_listeningAddresses;
    std::string m_ownFingerprint;
    bool m_hosting = false;
    std::string m_displayName;
    event::ChatOptions m_chatOptions;
    std::optional<event::Reachability> m_reachability;
    std::string m_natCode;
    std::optional<event::NatProgress> m_natProgress;
    std::uint64_t m_revision = 0;
};

} // namespace duet::state
