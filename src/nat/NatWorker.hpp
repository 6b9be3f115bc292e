#pragma once
// The blocking half of NAT traversal, on its own thread: resolving STUN server names, then asking the
// router for a UDP port mapping (UPnP IGD first, NAT-PMP second), renewing it before it expires and
// removing it when the worker is destroyed. Results are queued as reports; `wake` is called after each.
// Thread: construct, drain() and destroy from one owner thread; `wake` runs on the worker thread and
// must be thread-safe and cheap. The destructor removes the mapping (bounded, about 2 s at worst).
// Errors: never throws after construction; every failure becomes a report with a readable reason.
#include "duet/nat/Stun.hpp"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace duet::nat {

struct NatWorkerConfig {
    std::uint16_t internalPort = 0;
    std::vector<std::string> stunServers; // "host:port" (port optional, 3478)
    bool portMapping = true;
};

enum class MappingMethod : std::uint8_t { None, Upnp, NatPmp };
std::string_view describe(MappingMethod method);

struct NatWorkerReport {
    enum class Kind : std::uint8_t {
        StunServers,   // resolution done: `servers` (may be empty), `reason` names the failures
        MappingUp,     // a mapping exists or was renewed: `external`, `method`, `lifetimeSeconds`
        MappingFailed, // no mapping (yet): `reason`
    };
    Kind kind = Kind::StunServers;
    std::vector<Ipv4Endpoint> servers;
    Ipv4Endpoint external;
    MappingMethod method = MappingMethod::None;
    std::uint32_t lifetimeSeconds = 0;
    std::string reason;
};

class NatWorker {
public:
    NatWorker(NatWorkerConfig config, std::function<void()> wake);
    ~NatWorker();
    NatWorker(const NatWorker&) = delete;
    NatWorker& operator=(const NatWorker&) = delete;

    std::vector<NatWorkerReport> drain();

private:
    void run();
    void report(NatWorkerReport report);
    // Sleeps up to `seconds`; false when stopping.
    bool pause(std::uint32_t seconds);
    bool stopping();

    NatWorkerConfig m_config;
    std::function<void()> m_wake;
    std::mutex m_mutex;
    std::condition_variable m_stopSignal;
    bool m_stop = false;
    std::vector<NatWorkerReport> m_reports;
    std::thread m_thread;
};

// Resolves "host[:port]" to IPv4 endpoints (blocking getaddrinfo); unresolvable names are listed in
// `failures`. Port defaults to 3478.
std::vector<Ipv4Endpoint> resolveStunServers(const std::vector<std::string>& servers, std::string& failures);

} // namespace duet::nat
