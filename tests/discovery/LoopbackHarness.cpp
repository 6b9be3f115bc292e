#include "LoopbackHarness.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace duet::discovery::test {

std::uint16_t freeUdpPort()
{
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t length = sizeof address;
    REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    close(fd);
    return ntohs(address.sin_port);
}

DiscoveryConfig loopbackConfig(std::uint16_t port, Millis announceInterval)
{
    DiscoveryConfig config;
    config.port = port;
    config.announceInterval = announceInterval;
    config.includeLoopback = true;
    config.interfaceAllowList = {"lo"}; // never anything but loopback from a unit test
    return config;
}

DiscoveryService& LoopbackHarness::add(const DiscoveryConfig& config, const std::string& name,
                                       std::uint16_t enetPort, bool start)
{
    std::string error;
    auto service = DiscoveryService::open(config, error);
    REQUIRE_MESSAGE(service != nullptr, error);
    FingerprintHint fingerprint{};
    fingerprint.fill(static_cast<std::uint8_t>(enetPort));
    REQUIRE(service->setIdentity(name, enetPort, fingerprint));
    if (start) REQUIRE(service->start(SystemClock().now()));
    m_services.push_back(std::move(service));
    m_changes[m_services.back().get()];
    return *m_services.back();
}

void LoopbackHarness::pumpOnce(Millis maxWait)
{
    const MonoTime now = SystemClock().now();
    Millis wait = maxWait;
    std::vector<pollfd> fds;
    for (const auto& service : m_services) {
        fds.push_back(pollfd{service->fd(), POLLIN, 0});
        if (const auto deadline = service->nextDeadline()) {
            const auto until = std::chrono::ceil<Millis>(*deadline - now);
            wait = std::clamp(until, Millis(0), wait);
        }
    }
    poll(fds.data(), fds.size(), static_cast<int>(wait.count()));
    for (std::size_t i = 0; i < m_services.size(); ++i) {
        DiscoveryService& service = *m_services[i];
        const MonoTime at = SystemClock().now();
        if (fds[i].revents & POLLIN) service.onReadable(at);
        if (const auto deadline = service.nextDeadline(); deadline && *deadline <= at) service.tick(at);
        auto& log = m_changes[&service];
        for (auto& change : service.takeChanges())
            log.push_back(std::move(change));
    }
}

bool LoopbackHarness::runUntil(const std::function<bool()>& done, Millis limit)
{
    const MonoTime end = SystemClock().now() + limit;
    while (!done()) {
        if (SystemClock().now() >= end) return false;
        pumpOnce(Millis(20));
    }
    return true;
}

void LoopbackHarness::runFor(Millis duration)
{
    runUntil([] { return false; }, duration);
}

const std::vector<DiscoveryChange>& LoopbackHarness::changes(const DiscoveryService& service) const
{
    return m_changes.at(&service);
}

bool LoopbackHarness::lists(const DiscoveryService& observer, const DiscoveryService& peer) const
{
    const auto hints = observer.peers();
    return std::any_of(hints.begin(), hints.end(),
                       [&](const PeerHint& hint) { return hint.key.claimedInstanceId == peer.instanceId(); });
}

bool LoopbackHarness::sawLost(const DiscoveryService& observer, const DiscoveryService& peer,
                              LostReason reason) const
{
    const auto& log = changes(observer);
    return std::any_of(log.begin(), log.end(), [&](const DiscoveryChange& change) {
        return change.kind == ChangeKind::Lost && change.reason == reason &&
               change.hint.key.claimedInstanceId == peer.instanceId();
    });
}

void sendRaw(const wire::Bytes& bytes, Ipv4Address destination, std::uint16_t port)
{
    REQUIRE_MESSAGE((destination.hostOrder >> 24) == 127, "unit tests send only to 127.0.0.0/8");
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(fd >= 0);
    const int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof on);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(destination.hostOrder);
    CHECK(sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
          static_cast<ssize_t>(bytes.size()));
    close(fd);
}

} // namespace duet::discovery::test
