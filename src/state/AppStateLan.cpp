// LAN discovery in AppState: a live list of hints, replaced in place so rows keep their order.
#include "duet/state/AppState.hpp"
#include "duet/state/TextSanitize.hpp"

#include <algorithm>

namespace duet::state {
namespace {

// The engine's table holds at most 256 hints; the UI list never grows past that either.
constexpr std::size_t kMaxLanPeers = 256;
constexpr std::size_t kMaxAddressesShown = 8;

} // namespace

void AppState::on(const event::LanPeerFound& e, std::int64_t)
{
    LanPeer peer;
    peer.key = e.key;
    peer.name = sanitizeLine(e.name);
    for (const std::string& address : e.addresses) {
        if (peer.addresses.size() == kMaxAddressesShown) break;
        peer.addresses.push_back(sanitizeLine(address));
    }
    peer.fingerprintHint = sanitizeLine(e.fingerprintHint);
    peer.matchesPinnedPeer = e.matchesPinnedPeer;
    const auto existing =
        std::find_if(m_lanPeers.begin(), m_lanPeers.end(), [&](const LanPeer& p) { return p.key == e.key; });
    if (existing != m_lanPeers.end()) {
        *existing = std::move(peer);
    } else {
        if (m_lanPeers.size() == kMaxLanPeers) m_lanPeers.erase(m_lanPeers.begin());
        m_lanPeers.push_back(std::move(peer));
    }
}

void AppState::on(const event::LanPeerLost& e, std::int64_t)
{
    std::erase_if(m_lanPeers, [&](const LanPeer& p) { return p.key == e.key; });
}

void AppState::on(const event::DiscoveryState& e, std::int64_t nowMs)
{
    if (!e.available && m_discoveryAvailable) addLog(nowMs, LogLevel::Info, "LAN discovery is off");
    m_discoveryAvailable = e.available;
    m_visibleOnLan = e.available && e.visible;
    m_discoveryInterfaces = e.interfaces;
    m_machineInterfaces = e.machineInterfaces;
    if (!e.available) m_lanPeers.clear();
}

const Peer* AppState::provenPeerFor(const LanPeer& lanPeer) const
{
    for (const Peer& peer : m_peers) {
        if (peer.phase == PeerPhase::Offline || peer.fingerprint.empty()) continue;
        if (peer.fingerprint != lanPeer.fingerprintHint) continue;
        // A forged beacon may copy a real peer's hint: only the address the handshake ran with counts.
        const std::string host = peer.address.substr(0, peer.address.rfind(':'));
        for (const std::string& address : lanPeer.addresses)
            if (address.substr(0, address.rfind(':')) == host) return &peer;
    }
    return nullptr;
}

} // namespace duet::state
