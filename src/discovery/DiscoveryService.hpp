#pragma once
// LAN discovery on its own UDP socket, driven by the net engine's thread: poll fd() together with ENet's
// socket, call onReadable() when it is readable and tick() at nextDeadline(), then collect takeChanges().
// Single-threaded (the engine thread only); no call blocks. Socket failures after open() are counted in
// counters(), never fatal. What it reports are hints, not identities (see PeerHint.hpp).
//
// Sending: on start() one Query (which peers also take as our announce), then an Announce every
// announceInterval to each allowed interface's directed broadcast, to 255.255.255.255 and to the multicast
// group, and a Leaving from sendLeaving(). A received Query brings our next Announce forward, at most once
// per answerSpacing in total, always to the LAN and never to the asker alone. Invisible (setVisible(false)):
// sends nothing at all, not even queries, and still lists others.
#include "duet/core/Clock.hpp"
#include "duet/discovery/DiscoverySocket.hpp"
#include "duet/discovery/DiscoveryTable.hpp"
#include "duet/discovery/NetInterfaces.hpp"

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace duet::discovery {

// Administratively scoped (RFC 2365, organisation-local 239.255.0.0/16), so routers at the edge drop it;
// sent with TTL 1 anyway.
inline constexpr Ipv4Address kDefaultMulticastGroup = Ipv4Address::fromOctets(239, 255, 77, 77);

struct DiscoveryConfig {
    std::uint16_t port = wire::kDiscoveryPort; // tests use their own so that parallel runs never meet
    Ipv4Address multicastGroup = kDefaultMulticastGroup;
    Millis announceInterval{2000};
    Millis answerSpacing{500};
    bool includeLoopback = false;                // only for tests on one machine
    std::vector<std::string> interfaceAllowList; // interface names; empty means every interface
    std::size_t maxDatagramsPerCall = 64;        // bounds the work of one onReadable()
    TableLimits limits;
};

struct DiscoveryIdentity {
    std::string displayName;
    std::uint16_t enetPort = 0;
    FingerprintHint fingerprintHint{};
};

class DiscoveryService {
public:
    // Opens and binds the socket and enumerates interfaces; nullptr and a message when the socket fails.
    static std::unique_ptr<DiscoveryService> open(DiscoveryConfig config, std::string& error);

    int fd() const { return m_socket->fd(); }
    std::uint64_t instanceId() const { return m_instanceId; }

    // False (and the old identity kept) when the port is 0 or the name is not valid UTF-8 without control
    // characters; names over 64 bytes are cut at a character boundary. Announced at once when started.
    bool setIdentity(const std::string& displayName, std::uint16_t enetPort,
                     const FingerprintHint& fingerprint);
    // Sends the first Query when visible. Requires an identity; returns false without one.
    bool start(MonoTime now);
    // Turning visibility off sends a Leaving so peers drop us at once; turning it on announces at once.
    void setVisible(bool visible);
    // Restricts discovery to these interface names (empty = all); hints seen elsewhere are lost.
    void setInterfaces(std::vector<std::string> allowList);
    // Tells peers we are going (shutdown); afterwards nothing more is sent.
    void sendLeaving();

    // Drains at most maxDatagramsPerCall datagrams, then answers a query if one is due.
    void onReadable(MonoTime now);
    // Announces, answers, expires hints and rescans interfaces when due. Cheap when nothing is due.
    void tick(MonoTime now);
    // The earliest time tick() has work; may be in the past (call tick() at once).
    std::optional<MonoTime> nextDeadline() const;

    std::vector<DiscoveryChange> takeChanges() { return m_table.takeChanges(); }
    std::vector<PeerHint> peers() const { return m_table.snapshot(); }
    const std::vector<NetInterface>& interfaces() const { return m_interfaces; }
    const DiscoveryCounters& counters() const { return m_table.counters(); }
    // The last interface enumeration error, empty when fine.
    const std::string& lastInterfaceError() const { return m_interfaceError; }

private:
    DiscoveryService(DiscoveryConfig config, std::unique_ptr<DiscoverySocket> socket,
                     std::uint64_t instanceId);

    bool canSend() const { return m_started && m_visible && !m_left; }
    void rescanInterfaces();
    void sendRound(wire::BeaconKind kind);
    void announce(MonoTime now);
    void answerIfDue(MonoTime now);
    const NetInterface* interfaceByIndex(unsigned index) const;
    bool isLanDestination(Ipv4Address destination) const;

    DiscoveryConfig m_config;
    std::unique_ptr<DiscoverySocket> m_socket;
    std::uint64_t m_instanceId;
    DiscoveryTable m_table;
    std::optional<DiscoveryIdentity> m_identity;
    bool m_started = false;
    bool m_visible = true;
    bool m_left = false;
    MonoTime m_nextAnnounce{};
    MonoTime m_nextRescan{};
    std::vector<NetInterface> m_interfaces; // active: up, running, allowed
    std::vector<NetInterface> m_joined;     // where we hold a multicast membership
    std::string m_interfaceError;
    std::array<std::uint8_t, wire::kMaxBeaconSize + 1> m_receiveBuffer{};
};

} // namespace duet::discovery
