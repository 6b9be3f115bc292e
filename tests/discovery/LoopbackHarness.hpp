#pragma once
// Runs DiscoveryServices in one process over loopback only (allow-list {"lo"}, a free test port), the way the
// engine thread would: poll, onReadable, tick at the deadline, take changes. Every wait is bounded.
#include "duet/discovery/DiscoveryService.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace duet::discovery::test {

// A UDP port that nothing uses right now (asked from the kernel on 127.0.0.1).
std::uint16_t freeUdpPort();

DiscoveryConfig loopbackConfig(std::uint16_t port, Millis announceInterval);

class LoopbackHarness {
public:
    // Opens a service, sets an identity and (unless told otherwise) starts it. Fails the test if it cannot.
    DiscoveryService& add(const DiscoveryConfig& config, const std::string& name, std::uint16_t enetPort,
                          bool start = true);
    // Pumps every service until `done` is true or `limit` has passed; returns whether `done` became true.
    bool runUntil(const std::function<bool()>& done, Millis limit);
    void runFor(Millis duration);

    // All changes a service has reported so far.
    const std::vector<DiscoveryChange>& changes(const DiscoveryService& service) const;
    bool lists(const DiscoveryService& observer, const DiscoveryService& peer) const;
    bool sawLost(const DiscoveryService& observer, const DiscoveryService& peer, LostReason reason) const;

private:
    void pumpOnce(Millis maxWait);
    std::vector<std::unique_ptr<DiscoveryService>> m_services;
    std::map<const DiscoveryService*, std::vector<DiscoveryChange>> m_changes;
};

// Sends raw bytes from an ordinary socket on 127.0.0.1 (broadcast allowed).
void sendRaw(const wire::Bytes& bytes, Ipv4Address destination, std::uint16_t port);

} // namespace duet::discovery::test
