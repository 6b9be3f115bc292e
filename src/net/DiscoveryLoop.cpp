// NetLoop's LAN discovery: the discovery socket is polled next to ENet's, so the thread sleeps until a
// datagram, a command (the Waker's token arrives on ENet's socket) or the earliest timer.
#include "duet/discovery/NetInterfaces.hpp"
#include "duet/net/NetLoop.hpp"

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <poll.h>
#include <sstream>

namespace duet::net {
namespace {

constexpr std::string_view kVisibleSetting = "discovery_visible";
constexpr std::string_view kInterfacesSetting = "discovery_interfaces";
constexpr std::size_t kMaxInterfaces = 32;
constexpr std::size_t kMaxInterfaceName = 15; // IFNAMSIZ - 1

std::string joinInterfaces(const std::vector<std::string>& names)
{
    std::string text;
    for (const std::string& name : names) {
        if (!text.empty()) text += ',';
        text += name;
    }
    return text;
}

std::vector<std::string> splitInterfaces(const std::string& text)
{
    std::vector<std::string> names;
    std::stringstream stream(text);
    std::string name;
    while (std::getline(stream, name, ',') && names.size() < kMaxInterfaces)
        if (!name.empty()) names.push_back(name);
    return names;
}

bool isUsableInterfaceName(const std::string& name)
{
    return !name.empty() && name.size() <= kMaxInterfaceName &&
           std::all_of(name.begin(), name.end(),
                       [](char c) { return c > ' ' && c < 0x7F && c != ',' && c != '/'; });
}

// The interface names the user can choose from in settings; an interface with two addresses is one choice.
std::vector<std::string> machineInterfaceNames(bool includeLoopback)
{
    std::vector<std::string> names;
    for (const discovery::NetInterface& netInterface : discovery::listIpv4Interfaces(includeLoopback))
        if (std::find(names.begin(), names.end(), netInterface.name) == names.end())
            names.push_back(netInterface.name);
    return names;
}

} // namespace

void NetLoop::startDiscovery()
{
    if (!m_config.discovery) return;
    DiscoveryGlue::Settings settings;
    settings.port = m_config.discoveryPort;
    settings.includeLoopback = m_config.discoveryLoopback;
    settings.visible = m_profile->setting(kVisibleSetting).value_or("1") != "0";
    settings.interfaces = splitInterfaces(m_profile->setting(kInterfacesSetting).value_or(""));
    // A pinned key is only the claim's match; the handshake still decides who answers at that address.
    auto isPinned = [this](const std::string& fingerprint) {
        try {
            const auto peer = m_profile->peerByFingerprint(fingerprint);
            return peer && peer->verified;
        } catch (const std::exception&) {
            return false;
        }
    };
    std::string error;
    m_discovery = DiscoveryGlue::open(settings, isPinned, error);
    if (!m_discovery) {
        // Not fatal: connecting by address still works.
        emit(event::Error{PeerId{}, "LAN discovery is off: " + error});
        return emitDiscoveryState();
    }
    m_discovery->start(m_context->displayName, m_host->port(), m_identity.fingerprint(), m_clock.now());
    emitDiscoveryState();
}

void NetLoop::emitDiscoveryState()
{
    event::DiscoveryState state;
    state.available = m_discovery != nullptr;
    if (m_discovery) {
        state.visible = m_discovery->visible();
        state.interfaces = m_discovery->interfaces();
        state.machineInterfaces = machineInterfaceNames(m_config.discoveryLoopback);
    } else {
        state.visible = false;
    }
    emit(std::move(state));
}

Millis NetLoop::waitForTraffic(Millis timeout)
{
    if (!m_discovery) return timeout;
    MonoTime now = m_clock.now();
    if (const auto deadline = m_discovery->nextDeadline()) {
        const auto untilDeadline = std::chrono::ceil<Millis>(*deadline - now);
        timeout = std::clamp(untilDeadline, Millis{0}, timeout);
    }
    // Packets queued by commands go out now rather than after the wait.
    enet_host_flush(m_host->get());
    pollfd fds[3] = {
        {m_host->get()->socket, POLLIN, 0}, {m_discovery->fd(), POLLIN, 0}, {m_host->bulkFd(), POLLIN, 0}};
    const int ready = ::poll(fds, m_host->bulkFd() >= 0 ? 3 : 2, static_cast<int>(timeout.count()));
    if (ready < 0 && errno != EINTR) std::cerr << "duet: poll failed: " << errno << '\n';
    now = m_clock.now();
    if (ready > 0 && (fds[1].revents & POLLIN) != 0) m_discovery->onReadable(now);
    m_discovery->tickIfDue(now);
    for (Event& event : m_discovery->collect(now))
        emit(std::move(event));
    // ENet's socket (and its timers) are served by the caller without waiting again.
    return Millis{0};
}

void NetLoop::handle(const command::SetVisible& command)
{
    try {
        m_profile->setSetting(kVisibleSetting, command.visible ? "1" : "0");
    } catch (const std::exception& e) {
        emit(event::Error{PeerId{}, std::string("cannot save the visibility: ") + e.what()});
    }
    if (m_discovery) m_discovery->setVisible(command.visible);
    emitDiscoveryState();
}

void NetLoop::handle(const command::SetDiscoveryInterfaces& command)
{
    std::vector<std::string> names;
    for (const std::string& name : command.interfaces) {
        if (!isUsableInterfaceName(name) || names.size() >= kMaxInterfaces)
            return emit(event::Error{PeerId{}, "invalid interface name: " + name.substr(0, 40)});
        names.push_back(name);
    }
    try {
        m_profile->setSetting(kInterfacesSetting, joinInterfaces(names));
    } catch (const std::exception& e) {
        emit(event::Error{PeerId{}, std::string("cannot save the interfaces: ") + e.what()});
    }
    if (m_discovery) {
        m_discovery->setInterfaces(std::move(names));
        for (Event& event : m_discovery->collect(m_clock.now()))
            emit(std::move(event));
    }
    emitDiscoveryState();
}

void NetLoop::handle(const command::ListLanPeers&)
{
    if (!m_discovery) return emit(event::Error{PeerId{}, "LAN discovery is off"});
    for (Event& event : m_discovery->listAll())
        emit(std::move(event));
}

void NetLoop::stopDiscovery()
{
    if (m_discovery) m_discovery->sendLeaving();
}

} // namespace duet::net
