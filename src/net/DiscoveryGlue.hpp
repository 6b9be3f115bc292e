#pragma once
// The engine's side of LAN discovery: owns the DiscoveryService, turns its changes into LanPeerFound /
// LanPeerLost events, and formats fingerprint hints like fingerprints so they compare with pinned peers.
// Thread: the net thread only (NetLoop owns it). Errors: open() returns nullptr and a reason; afterwards
// nothing throws except the `isPinned` callback the caller supplies.
#include "duet/core/EngineApi.hpp"
#include "duet/discovery/DiscoveryService.hpp"
#include "duet/net/LanEventBudget.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace duet::net {

// The hint is the first 20 bytes of the fingerprint hash, which is exactly what the fingerprint's 32
// base32 digits encode: decoding the text gives the hint, encoding a hint gives fingerprint text.
std::optional<discovery::FingerprintHint> fingerprintHintFrom(std::string_view fingerprint);
std::string fingerprintTextOf(const discovery::FingerprintHint& hint);
// Stable text key of a hint (instance id and fingerprint hint, hex).
std::string lanPeerKey(const discovery::HintKey& key);

class DiscoveryGlue {
public:
    struct Settings {
        std::uint16_t port = 0;
        bool includeLoopback = false;
        bool visible = true;
        std::vector<std::string> interfaces;
    };
    using PinnedCheck = std::function<bool(const std::string& fingerprint)>;

    static std::unique_ptr<DiscoveryGlue> open(const Settings& settings, PinnedCheck isPinned,
                                               std::string& error);

    int fd() const { return m_service->fd(); }
    // Sets what our beacons claim and starts announcing (when visible).
    void start(const std::string& displayName, std::uint16_t enetPort, const std::string& fingerprint,
               MonoTime now);
    void setDisplayName(const std::string& displayName);
    void setVisible(bool visible);
    bool visible() const { return m_visible; }
    void setInterfaces(std::vector<std::string> interfaces);
    const std::vector<std::string>& interfaces() const { return m_interfaces; }
    void sendLeaving() { m_service->sendLeaving(); }

    // Drive the service; afterwards collect() yields the events for what changed, within LanEventBudget.
    void onReadable(MonoTime now) { m_service->onReadable(now); }
    void tickIfDue(MonoTime now);
    std::optional<MonoTime> nextDeadline() const { return m_service->nextDeadline(); }
    std::vector<Event> collect(MonoTime now);
    // A LanPeerFound for every peer listed now (an explicit request, so outside the budget).
    std::vector<Event> listAll();
    const discovery::DiscoveryCounters& counters() const { return m_service->counters(); }

private:
    DiscoveryGlue(std::unique_ptr<discovery::DiscoveryService> service, PinnedCheck isPinned,
                  const Settings& settings);
    event::LanPeerFound found(const discovery::PeerHint& hint) const;
    static event::LanPeerLost lost(const discovery::DiscoveryChange& change);
    void releaseDeferredUpdates(MonoTime now, std::vector<Event>& events);

    std::unique_ptr<discovery::DiscoveryService> m_service;
    PinnedCheck m_isPinned;
    bool m_visible = true;
    std::vector<std::string> m_interfaces;
    std::uint16_t m_enetPort = 0;
    discovery::FingerprintHint m_hint{};
    LanEventBudget m_eventBudget;
};

} // namespace duet::net
