#include "DiscoveryGlue.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <unordered_map>

namespace duet::net {
namespace {

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::size_t kHintDigits = discovery::FingerprintHint{}.size() * 8 / 5; // 32
constexpr std::size_t kGroupSize = 4;

int base32Value(char digit)
{
    const std::size_t at = kBase32Alphabet.find(digit);
    return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

std::string lostReasonText(discovery::LostReason reason)
{
    switch (reason) {
    case discovery::LostReason::Left:
        return "left";
    case discovery::LostReason::Expired:
        return "expired";
    case discovery::LostReason::Evicted:
        return "evicted";
    case discovery::LostReason::InterfaceGone:
        return "interface gone";
    case discovery::LostReason::None:
        break;
    }
    return "gone";
}

std::string endpointText(const discovery::HintEndpoint& endpoint)
{
    return endpoint.sourceAddress.toString() + ":" + std::to_string(endpoint.claimedEnetPort);
}

} // namespace

std::optional<discovery::FingerprintHint> fingerprintHintFrom(std::string_view fingerprint)
{
    std::string digits;
    for (char c : fingerprint)
        if (c != '-') digits.push_back(c);
    if (digits.size() != kHintDigits) return std::nullopt;
    discovery::FingerprintHint hint{};
    std::uint32_t buffer = 0;
    int bits = 0;
    std::size_t out = 0;
    for (char c : digits) {
        const int value = base32Value(c);
        if (value < 0) return std::nullopt;
        buffer = (buffer << 5) | static_cast<std::uint32_t>(value);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            hint[out++] = static_cast<std::uint8_t>((buffer >> bits) & 0xFFu);
        }
    }
    return hint;
}

std::string fingerprintTextOf(const discovery::FingerprintHint& hint)
{
    std::string digits;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (std::uint8_t byte : hint) {
        buffer = (buffer << 8) | byte;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            digits.push_back(kBase32Alphabet[(buffer >> bits) & 0x1Fu]);
        }
    }
    std::string grouped;
    for (std::size_t i = 0; i < digits.size(); i += kGroupSize) {
        if (i > 0) grouped.push_back('-');
        grouped.append(digits, i, kGroupSize);
    }
    return grouped;
}

std::string lanPeerKey(const discovery::HintKey& key)
{
    std::string text(16 + 2 * key.claimedFingerprint.size(), '0');
    char chunk[17];
    std::snprintf(chunk, sizeof chunk, "%016llx", static_cast<unsigned long long>(key.claimedInstanceId));
    text.replace(0, 16, chunk);
    for (std::size_t i = 0; i < key.claimedFingerprint.size(); ++i) {
        std::snprintf(chunk, sizeof chunk, "%02x", key.claimedFingerprint[i]);
        text.replace(16 + 2 * i, 2, chunk);
    }
    return text;
}

std::unique_ptr<DiscoveryGlue> DiscoveryGlue::open(const Settings& settings, PinnedCheck isPinned,
                                                   std::string& error)
{
    discovery::DiscoveryConfig config;
    config.port = settings.port;
    config.includeLoopback = settings.includeLoopback;
    config.interfaceAllowList = settings.interfaces;
    auto service = discovery::DiscoveryService::open(std::move(config), error);
    if (!service) return nullptr;
    return std::unique_ptr<DiscoveryGlue>(
        new DiscoveryGlue(std::move(service), std::move(isPinned), settings));
}

DiscoveryGlue::DiscoveryGlue(std::unique_ptr<discovery::DiscoveryService> service, PinnedCheck isPinned,
                             const Settings& settings)
    : m_service(std::move(service)), m_isPinned(std::move(isPinned)), m_visible(settings.visible),
      m_interfaces(settings.interfaces), m_eventBudget(MonoTime{})
{
    // Before start(): the first Query must not go out when the user chose to stay invisible.
    m_service->setVisible(m_visible);
}

void DiscoveryGlue::start(const std::string& displayName, std::uint16_t enetPort,
                          const std::string& fingerprint, MonoTime now)
{
    m_enetPort = enetPort;
    m_hint = fingerprintHintFrom(fingerprint).value_or(discovery::FingerprintHint{});
    m_service->setIdentity(displayName, enetPort, m_hint);
    m_service->start(now);
}

void DiscoveryGlue::setDisplayName(const std::string& displayName)
{
    m_service->setIdentity(displayName, m_enetPort, m_hint);
}

void DiscoveryGlue::setVisible(bool visible)
{
    m_visible = visible;
    m_service->setVisible(visible);
}

void DiscoveryGlue::setInterfaces(std::vector<std::string> interfaces)
{
    m_interfaces = interfaces;
    m_service->setInterfaces(std::move(interfaces));
}

void DiscoveryGlue::tickIfDue(MonoTime now)
{
    const std::optional<MonoTime> deadline = m_service->nextDeadline();
    if (deadline && *deadline <= now) m_service->tick(now);
}

event::LanPeerFound DiscoveryGlue::found(const discovery::PeerHint& hint) const
{
    event::LanPeerFound peer;
    peer.key = lanPeerKey(hint.key);
    peer.name = hint.claimedName;
    peer.fingerprintHint = fingerprintTextOf(hint.key.claimedFingerprint);
    std::vector<discovery::HintEndpoint> endpoints = hint.endpoints;
    std::sort(endpoints.begin(), endpoints.end(),
              [](const auto& a, const auto& b) { return a.lastSeen > b.lastSeen; });
    for (const discovery::HintEndpoint& endpoint : endpoints)
        peer.addresses.push_back(endpointText(endpoint));
    if (!endpoints.empty()) peer.port = endpoints.front().claimedEnetPort;
    peer.matchesPinnedPeer = m_isPinned && m_isPinned(peer.fingerprintHint);
    return peer;
}

event::LanPeerLost DiscoveryGlue::lost(const discovery::DiscoveryChange& change)
{
    const discovery::PeerHint& hint = change.hint;
    event::LanPeerLost peer{lanPeerKey(hint.key), hint.claimedName, lostReasonText(change.reason)};
    peer.fingerprintHint = fingerprintTextOf(hint.key.claimedFingerprint);
    const auto newest =
        std::max_element(hint.endpoints.begin(), hint.endpoints.end(),
                         [](const auto& a, const auto& b) { return a.lastSeen < b.lastSeen; });
    if (newest != hint.endpoints.end()) {
        peer.address = endpointText(*newest);
        peer.port = newest->claimedEnetPort;
    }
    return peer;
}

std::vector<Event> DiscoveryGlue::collect(MonoTime now)
{
    std::vector<Event> events;
    releaseDeferredUpdates(now, events);
    for (const discovery::DiscoveryChange& change : m_service->takeChanges()) {
        std::string key = lanPeerKey(change.hint.key);
        if (change.kind == discovery::ChangeKind::Lost) {
            if (m_eventBudget.admitLost(key, now)) events.emplace_back(lost(change));
        } else if (m_eventBudget.admitFound(key, now)) {
            events.emplace_back(found(change.hint));
        }
    }
    return events;
}

void DiscoveryGlue::releaseDeferredUpdates(MonoTime now, std::vector<Event>& events)
{
    if (!m_eventBudget.hasDeferred()) return;
    const std::vector<discovery::PeerHint> hints = m_service->peers();
    std::vector<std::string> keys;
    std::unordered_map<std::string, std::size_t> indexOf;
    keys.reserve(hints.size());
    for (const discovery::PeerHint& hint : hints) {
        indexOf.emplace(lanPeerKey(hint.key), keys.size());
        keys.push_back(lanPeerKey(hint.key));
    }
    for (const std::string& key : m_eventBudget.releaseDeferred(keys, now))
        events.emplace_back(found(hints[indexOf.at(key)]));
}

std::vector<Event> DiscoveryGlue::listAll()
{
    std::vector<Event> events;
    for (const discovery::PeerHint& hint : m_service->peers()) {
        m_eventBudget.markReported(lanPeerKey(hint.key));
        events.emplace_back(found(hint));
    }
    return events;
}

} // namespace duet::net
