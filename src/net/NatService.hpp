#pragma once
// Internet connections through NATs, on ENet's own socket so every mapping the NAT makes is ENet's:
// STUN binding requests go out through enet_socket_send and their answers (and the other side's punch
// datagrams) are swallowed in ENet's intercept hook (EnetHost::setDatagramFilter). The blocking parts
// (name resolution, UPnP/NAT-PMP port mapping) run on a nat::NatWorker thread.
// A connection attempt from a code: both sides punch every endpoint of the other's code; exactly one
// side, the one with the larger fingerprint, dials (recipes §4: simultaneous connects collide). When the
// other side never punches (it did not paste our code), a side whose peer advertises a mapped or open
// endpoint dials anyway, so one code is enough when one router forwards the port.
// Thread: the net thread only (the worker reports through the Waker). Errors: reported as events.
#include "duet/core/Clock.hpp"
#include "duet/core/EngineApi.hpp"
#include "duet/nat/ConnectionCode.hpp"
#include "duet/nat/NatWorker.hpp"
#include "duet/net/Waker.hpp"

#include <enet/enet.h>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace duet::net {

struct NatServiceConfig {
    std::vector<std::string> stunServers; // resolved on the worker; the first two are asked
    bool portMapping = false;
    std::string fingerprint; // ours
};

// Which side of a code exchange runs enet_host_connect: the one whose fingerprint is larger (compared in
// canonical text form, so formatting cannot make both sides win). Antisymmetric: for two different
// fingerprints exactly one side computes true; equal ones give false on both.
bool dialsFirst(const std::string& ours, const std::string& theirs);

// Wire format of a punch datagram: magic, version, sender and target fingerprints (PROTOCOL.md §NAT).
inline constexpr std::size_t kPunchSize = 4 + 1 + 2 * nat::kFingerprintSize;

class NatService {
public:
    struct Dial {
        std::string host;
        std::uint16_t port = 0;
    };
    // What the net loop should do with a freshly authenticated connection.
    enum class Verdict { NotOurs, Match, Mismatch };

    NatService(NatServiceConfig config, ENetHost* host, std::uint16_t port, const Clock& clock, Waker& waker,
               std::function<void(Event)> emit);
    ~NatService();
    NatService(const NatService&) = delete;
    NatService& operator=(const NatService&) = delete;

    // The intercept filter: true when the datagram was a STUN answer or a punch (consumed).
    bool onDatagram(const std::uint8_t* data, std::size_t size, const ENetAddress& from);

    // Emits NatCode once our endpoints are known (at once if they already are).
    void requestCode();
    // Starts (or replaces) the attempt to reach the owner of `code`.
    void connectCode(const std::string& code);

    // Timers: STUN retransmissions, punches, worker reports. Returns the connections to open now.
    std::vector<Dial> poll(MonoTime now);
    std::optional<MonoTime> nextWake() const;
    // The net loop opened `dial` as connection `peer` (or failed: peer zero).
    void dialed(PeerId peer);
    // Called every timer pass with whether the dialled connection still exists.
    std::optional<PeerId> pendingDial() const { return m_attempt ? m_attempt->dialPeer : std::nullopt; }
    void dialGone();
    // A dial still in progress to an address the peer no longer sends from (its NAT re-mapped it): the
    // net loop drops that connection so the next tick dials the new address.
    std::optional<PeerId> takeStaleDial();
    // A connection finished its handshake with `fingerprint`.
    Verdict onAuthenticated(PeerId peer, bool outgoing, const std::string& fingerprint);
    // A connection that a code set up was lost (nobody closed it): punch and dial the same code again,
    // with a fresh STUN round. This is how a NAT that re-mapped either side mid-session is survived: ENet
    // ignores packets from a peer's new address, so the old connection dies and a new one is punched.
    void connectionLost(const std::string& fingerprint);

private:
    struct StunProbe {
        nat::Ipv4Endpoint server;
        nat::StunTransactionId transaction{};
        std::uint8_t change = 0; // RFC 5780 CHANGE-REQUEST flags; non-zero probes only test filtering
        bool started = false;    // the second server waits until the filtering probes are over
        int sent = 0;
        MonoTime nextSend{};
        std::optional<nat::Ipv4Endpoint> answer;
        std::optional<nat::Ipv4Endpoint> otherAddress; // the server's RFC 5780 second address
        std::optional<nat::Ipv4Endpoint> answeredFrom;
    };
    struct Attempt {
        nat::ConnectionCode code;
        std::string fingerprint; // theirs, as text
        bool weDial = false;     // our fingerprint is the larger one
        MonoTime started{};
        MonoTime nextPunch{};
        std::optional<nat::Ipv4Endpoint> heardFrom; // where their punches come from
        std::optional<PeerId> dialPeer;
        bool dialStale = false; // heardFrom changed after dialPeer was opened
        MonoTime nextDialAllowed{};
        int punchesSent = 0;
        bool connected = false;
    };

    // NatService.cpp: STUN, port mapping, reachability and our code.
    void ensureStarted();
    void startStunRound(MonoTime now);
    void pollStun(MonoTime now);
    void startFilteringProbes(MonoTime now);
    bool probeDone(const StunProbe& probe, MonoTime now) const;
    void onWorkerReports();
    void finishStunRound();
    bool endpointsKnown() const;
    void emitReachability();
    std::string myCode() const;
    std::vector<nat::Ipv4Endpoint> lanEndpoints() const;
    void send(const nat::Ipv4Endpoint& to, const std::uint8_t* data, std::size_t size);
    void progress(std::string stage, std::string detail, PeerId peer = {});
    // NatPunch.cpp: the attempt.
    bool onPunch(const std::uint8_t* data, std::size_t size, const ENetAddress& from);
    void startAttempt(const nat::ConnectionCode& code, const std::string& why);
    void pollAttempt(MonoTime now, std::vector<Dial>& dials);
    void sendPunches();
    std::optional<nat::Ipv4Endpoint> directEndpoint() const;
    std::string failureReason() const;

    NatServiceConfig m_config;
    std::optional<std::array<std::uint8_t, nat::kFingerprintSize>> m_fingerprintBytes;
    ENetHost* m_host;
    std::uint16_t m_port;
    const Clock& m_clock;
    Waker& m_waker;
    std::function<void(Event)> m_emit;
    std::unique_ptr<nat::NatWorker> m_worker;

    bool m_serversResolved = false;
    std::vector<nat::Ipv4Endpoint> m_servers;
    std::string m_serverFailures;
    std::vector<StunProbe> m_probes;
    bool m_stunRunning = false;
    bool m_stunDone = false;
    MonoTime m_lastStunRound{};
    std::optional<nat::Ipv4Endpoint> m_public;
    nat::NatType m_natType = nat::NatType::Unknown;
    nat::NatFiltering m_filtering = nat::NatFiltering::Unknown;
    bool m_filteringProbed = false; // once per run: later rounds find the NAT already open to the server
    bool m_mappingReported = false;
    std::optional<nat::Ipv4Endpoint> m_mapped;
    nat::MappingMethod m_mappingMethod = nat::MappingMethod::None;
    std::string m_mappingDetail;
    bool m_codeWanted = false;
    std::string m_lastCode;
    std::string m_lastReachability;
    std::optional<Attempt> m_attempt;
    // Codes that led to a verified connection, by fingerprint text (bounded), for connectionLost().
    std::map<std::string, nat::ConnectionCode> m_resumable;
};

} // namespace duet::net
