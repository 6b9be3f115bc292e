#include "duet/discovery/DiscoveryService.hpp"

#include "duet/discovery/DefaultName.hpp"

#include <algorithm>
#include <random>
#include <sys/random.h>

namespace duet::discovery {
namespace {

std::uint64_t randomInstanceId()
{
    std::uint64_t id = 0;
    for (int attempt = 0; attempt < 8 && id == 0; ++attempt) {
        if (getrandom(&id, sizeof id, 0) != static_cast<ssize_t>(sizeof id)) id = 0;
    }
    if (id == 0) {
        std::random_device device;
        while (id == 0)
            id = (std::uint64_t{device()} << 32) | device();
    }
    return id;
}

} // namespace

std::unique_ptr<DiscoveryService> DiscoveryService::open(DiscoveryConfig config, std::string& error)
{
    auto socket = DiscoverySocket::open(config.port, error);
    if (!socket) return nullptr;
    std::unique_ptr<DiscoveryService> service(
        new DiscoveryService(std::move(config), std::move(socket), randomInstanceId()));
    service->rescanInterfaces();
    return service;
}

DiscoveryService::DiscoveryService(DiscoveryConfig config, std::unique_ptr<DiscoverySocket> socket,
                                   std::uint64_t instanceId)
    : m_config(std::move(config)), m_socket(std::move(socket)), m_instanceId(instanceId),
      m_table(instanceId, tableConfigFor(m_config.announceInterval, m_config.answerSpacing, m_config.limits))
{
}

bool DiscoveryService::setIdentity(const std::string& displayName, std::uint16_t enetPort,
                                   const FingerprintHint& fingerprint)
{
    DiscoveryIdentity identity{std::string(cutAtCharacterBoundary(displayName, wire::kMaxDisplayName)),
                               enetPort, fingerprint};
    // Refuse what every receiver would refuse, using the receivers' own decoder.
    wire::Beacon probe{wire::BeaconKind::Announce, m_instanceId, identity.enetPort, identity.fingerprintHint,
                       identity.displayName};
    if (!wire::decodeBeacon(wire::encodeBeacon(probe)).ok()) return false;
    m_identity = std::move(identity);
    if (m_started) m_nextAnnounce = MonoTime{};
    return true;
}

bool DiscoveryService::start(MonoTime now)
{
    if (!m_identity) return false;
    if (m_started) return true;
    m_started = true;
    rescanInterfaces();
    m_nextRescan = now + m_config.announceInterval;
    m_nextAnnounce = now + m_config.announceInterval;
    if (canSend()) sendRound(wire::BeaconKind::Query);
    return true;
}

void DiscoveryService::setVisible(bool visible)
{
    if (visible == m_visible) return;
    if (!visible && canSend()) sendRound(wire::BeaconKind::Leaving);
    m_visible = visible;
    if (visible) {
        m_nextAnnounce = MonoTime{};
    } else {
        m_table.answers().clear();
    }
}

void DiscoveryService::setInterfaces(std::vector<std::string> allowList)
{
    m_config.interfaceAllowList = std::move(allowList);
    rescanInterfaces();
}

void DiscoveryService::sendLeaving()
{
    if (canSend()) sendRound(wire::BeaconKind::Leaving);
    m_left = true;
}

void DiscoveryService::onReadable(MonoTime now)
{
    DiscoveryCounters& counters = m_table.counters();
    for (std::size_t i = 0; i < m_config.maxDatagramsPerCall; ++i) {
        ReceivedDatagram datagram;
        const ReceiveStatus status = m_socket->receive(m_receiveBuffer, datagram);
        if (status == ReceiveStatus::Empty) break;
        if (status == ReceiveStatus::Error) {
            ++counters.receiveErrors;
            break;
        }
        const NetInterface* iface = interfaceByIndex(datagram.interfaceIndex);
        if (iface == nullptr) {
            ++counters.datagramsReceived;
            ++counters.droppedInterface;
            continue;
        }
        if (!isLanDestination(datagram.destination)) {
            ++counters.datagramsReceived;
            ++counters.droppedUnicast;
            continue;
        }
        // An oversized datagram fills the whole buffer (one byte over the cap), so the decoder refuses it.
        const std::size_t length = std::min(datagram.size, m_receiveBuffer.size());
        m_table.onDatagram(wire::ByteSpan(m_receiveBuffer.data(), length),
                           Sighting{datagram.source, iface->name}, now);
    }
    if (canSend()) {
        answerIfDue(now);
    } else {
        m_table.answers().clear();
    }
}

void DiscoveryService::tick(MonoTime now)
{
    if (now >= m_nextRescan) {
        rescanInterfaces();
        m_nextRescan = now + m_config.announceInterval;
    }
    m_table.expire(now);
    if (!canSend()) {
        m_table.answers().clear();
        return;
    }
    if (now >= m_nextAnnounce) {
        announce(now);
    } else {
        answerIfDue(now);
    }
}

std::optional<MonoTime> DiscoveryService::nextDeadline() const
{
    MonoTime deadline = m_nextRescan;
    if (const auto expiry = m_table.nextExpiry()) deadline = std::min(deadline, *expiry);
    if (canSend()) {
        deadline = std::min(deadline, m_nextAnnounce);
        if (const auto answer = m_table.answers().deadline()) deadline = std::min(deadline, *answer);
    }
    return deadline;
}

void DiscoveryService::announce(MonoTime now)
{
    sendRound(wire::BeaconKind::Announce);
    ++m_table.counters().announceRounds;
    m_table.answers().onAnnounced(now);
    // Keep the rhythm when a tick comes a little late, but never send a burst to catch up after a stall.
    m_nextAnnounce += m_config.announceInterval;
    if (m_nextAnnounce <= now) m_nextAnnounce = now + m_config.announceInterval;
}

void DiscoveryService::answerIfDue(MonoTime now)
{
    if (!m_table.answers().answerDue(now)) return;
    sendRound(wire::BeaconKind::Announce);
    ++m_table.counters().queryAnswersSent;
    m_table.answers().onAnnounced(now);
}

void DiscoveryService::sendRound(wire::BeaconKind kind)
{
    if (!m_identity) return;
    const wire::Bytes beacon = wire::encodeBeacon(wire::Beacon{
        kind, m_instanceId, m_identity->enetPort, m_identity->fingerprintHint, m_identity->displayName});
    DiscoveryCounters& counters = m_table.counters();
    auto sendTo = [&](const NetInterface& iface, Ipv4Address destination) {
        if (m_socket->send(iface, destination, m_config.port, beacon)) {
            ++counters.datagramsSent;
        } else {
            ++counters.sendErrors;
        }
    };
    std::vector<unsigned> linkWideDone; // the limited broadcast and the group go once per interface
    for (const NetInterface& iface : m_interfaces) {
        if (iface.broadcast) sendTo(iface, *iface.broadcast);
        // On loopback the subnet broadcast already reaches every instance; nothing else is needed there.
        if (iface.loopback) continue;
        if (std::find(linkWideDone.begin(), linkWideDone.end(), iface.index) != linkWideDone.end()) continue;
        linkWideDone.push_back(iface.index);
        sendTo(iface, kLimitedBroadcast);
        if (iface.multicast) sendTo(iface, m_config.multicastGroup);
    }
}

void DiscoveryService::rescanInterfaces()
{
    std::string error;
    auto found =
        filterByName(listIpv4Interfaces(m_config.includeLoopback, &error), m_config.interfaceAllowList);
    m_interfaceError = error;
    // A failed enumeration says nothing about the interfaces; keep the ones we had rather than lose every
    // peer.
    if (!error.empty()) return;

    auto wantsGroup = [&](const NetInterface& iface) {
        return iface.multicast && !iface.loopback &&
               std::any_of(found.begin(), found.end(),
                           [&](const NetInterface& f) { return f.index == iface.index; });
    };
    std::erase_if(m_joined, [&](const NetInterface& joined) {
        if (wantsGroup(joined)) return false;
        m_socket->leaveGroup(m_config.multicastGroup, joined); // fails harmlessly when the interface is gone
        return true;
    });
    for (const NetInterface& iface : found) {
        if (!iface.multicast || iface.loopback) continue;
        const bool joined = std::any_of(m_joined.begin(), m_joined.end(),
                                        [&](const NetInterface& j) { return j.index == iface.index; });
        if (joined) continue;
        if (m_socket->joinGroup(m_config.multicastGroup, iface)) {
            m_joined.push_back(iface);
        } else {
            ++m_table.counters().multicastJoinErrors; // retried at the next rescan; broadcast still works
        }
    }

    m_interfaces = std::move(found);
    std::vector<std::string> names;
    for (const NetInterface& iface : m_interfaces)
        names.push_back(iface.name);
    m_table.keepOnlyInterfaces(names);
}

const NetInterface* DiscoveryService::interfaceByIndex(unsigned index) const
{
    for (const NetInterface& iface : m_interfaces)
        if (iface.index == index) return &iface;
    return nullptr;
}

bool DiscoveryService::isLanDestination(Ipv4Address destination) const
{
    if (destination.isLimitedBroadcast() || destination == m_config.multicastGroup) return true;
    return std::any_of(m_interfaces.begin(), m_interfaces.end(),
                       [&](const NetInterface& iface) { return iface.broadcast == destination; });
}

} // namespace duet::discovery
