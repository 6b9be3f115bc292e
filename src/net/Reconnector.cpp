#include "duet/net/Reconnector.hpp"

#include <charconv>

namespace duet::net {

std::optional<std::pair<std::string, std::uint16_t>> splitHostPort(const std::string& address)
{
    const std::size_t colon = address.rfind(':');
    if (colon == std::string::npos || colon + 1 >= address.size()) return std::nullopt;
    const std::string host(profile::addressHost(address));
    unsigned port = 0;
    const char* first = address.data() + colon + 1;
    const char* last = address.data() + address.size();
    const auto [end, error] = std::from_chars(first, last, port);
    if (error != std::errc() || end != last || port == 0 || port > 65535 || host.empty()) return std::nullopt;
    return std::make_pair(host, static_cast<std::uint16_t>(port));
}

Reconnector::Reconnector(profile::ProfileStore& profile, Dial dial, IsOnline online,
                         std::function<double()> random)
    : m_profile(profile), m_dial(std::move(dial)), m_online(std::move(online)), m_random(std::move(random))
{
}

void Reconnector::start(MonoTime now)
{
    std::vector<profile::KnownPeer> peers;
    try {
        peers = m_profile.knownPeers(); // most recently seen first
    } catch (const std::exception&) {
        return;
    }
    std::size_t count = 0;
    for (const profile::KnownPeer& peer : peers) {
        if (!peer.verified || count >= kMaxPeers) continue;
        const auto address = splitHostPort(peer.lastAddress);
        if (!address) continue;
        Target& target = m_targets[peer.fingerprint];
        target.host = address->first;
        target.port = address->second;
        target.due = now;
        ++count;
    }
}

bool Reconnector::refreshAddress(const std::string& fingerprint, Target& target)
{
    std::optional<profile::KnownPeer> peer;
    try {
        peer = m_profile.peerByFingerprint(fingerprint);
    } catch (const std::exception&) {
        return false;
    }
    if (!peer || !peer->verified) return false;
    const auto address = splitHostPort(peer->lastAddress);
    if (!address) return false;
    target.host = address->first;
    target.port = address->second;
    return true;
}

void Reconnector::retryLater(Target& target, MonoTime now)
{
    target.due = now + target.backoff.nextDelay(m_random());
}

void Reconnector::onConnectionGone(PeerId peer, const std::string& fingerprint, bool lost, bool wasVerified,
                                   MonoTime now)
{
    if (wasVerified) {
        if (const auto it = m_targets.find(fingerprint); it != m_targets.end()) it->second.backoff.reset();
    }
    for (auto& [key, target] : m_targets) {
        if (target.attempt != peer) continue;
        target.attempt = PeerId{};
        // Our own dial ended: retried only if the peer could not be reached or the link died.
        if (lost && !m_online(key)) retryLater(target, now);
        break;
    }
    if (fingerprint.empty() || !lost || m_online(fingerprint)) return;
    auto it = m_targets.find(fingerprint);
    if (it == m_targets.end()) {
        Target fresh;
        if (!refreshAddress(fingerprint, fresh)) return;
        it = m_targets.emplace(fingerprint, std::move(fresh)).first;
    } else if (!refreshAddress(fingerprint, it->second)) {
        return;
    }
    if (it->second.attempt || it->second.due) return; // already on it
    retryLater(it->second, now);
}

void Reconnector::runTimers(MonoTime now)
{
    for (auto& [fingerprint, target] : m_targets) {
        if (!target.due || *target.due > now) continue;
        target.due.reset();
        if (target.attempt || m_online(fingerprint)) continue;
        target.attempt = m_dial(target.host, target.port);
        if (!target.attempt) retryLater(target, now);
    }
}

std::optional<MonoTime> Reconnector::nextWake() const
{
    std::optional<MonoTime> earliest;
    for (const auto& [fingerprint, target] : m_targets) {
        if (target.due && (!earliest || *target.due < *earliest)) earliest = target.due;
    }
    return earliest;
}

} // namespace duet::net
