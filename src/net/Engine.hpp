#pragma once
// The engine: one net thread that owns the ENet host, the secure sessions and the profile database.
// Front ends talk to it only through post() and drainEvents(); only ids cross the thread boundary.
// Thread-safety: every public member may be called from any thread. The constructor starts the net thread;
// the destructor asks it to shut down (closing connections politely, at most ~500 ms) and joins it.
#include "duet/core/EngineApi.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace duet::net {

struct EngineConfig {
    std::uint16_t port = kDefaultPort; // UDP port to bind; 0 picks a free one
    std::string displayName;
    std::filesystem::path profileDir;  // holds identity.key and duet.db; created if missing
    std::filesystem::path downloadDir; // where received files go
    bool acceptIncoming = true;        // start with hosting on
    bool autoConfirm = false;          // --yes: trust every new peer's key without asking (scripts only)
    // Redial pinned peers at start and after a lost link (off by default so embedded engines stay quiet).
    bool autoReconnect = false;
    // LAN discovery (off by default so embedded engines and tests stay silent; front ends turn it on).
    bool discovery = false;
    std::uint16_t discoveryPort = 55556; // wire::kDiscoveryPort; tests use their own
    bool discoveryLoopback = false;      // also announce on 127.255.255.255 (tests on one machine)
    // Internet connections (NatService.hpp), started by the first ShowNatCode/ConnectNatCode only.
    // STUN servers "host[:port]"; empty: the profile's "stun_servers" setting, else public defaults.
    std::vector<std::string> stunServers;
    bool portMapping = false; // ask the router (UPnP IGD, NAT-PMP) for a mapping; front ends turn it on
};

class Engine {
public:
    // `wakeFrontEnd` is called on the net thread whenever new events are queued; it must be cheap and
    // thread-safe (glfwPostEmptyEvent, or notifying a condition variable).
    Engine(EngineConfig config, std::function<void()> wakeFrontEnd);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Queues a command and wakes the net thread at once.
    void post(Command command);
    std::vector<Event> drainEvents();
    // Blocks until an event arrives or the timeout passes (for front ends without their own event loop).
    std::vector<Event> waitEvents(std::chrono::milliseconds timeout);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace duet::net
