#pragma once
// The blocking half of NAT traversal, on its own thread: resolving STUN server names, then asking the
// router for a UDP port mapping (UPnP IGD first, NAT-PMP second), renewing it at half its lease and
// removing it when the worker is destroyed. Results are queued as reports; `wake` is called after each.
// Thread: construct, drain() and destroy from one owner thread; `wake` runs on the worker thread and
// must be thread-safe and cheap. The destructor interrupts any wait, joins the thread (a router call in
// flight is bounded to a few seconds) and removes the mapping.
// Errors: never throws after construction; every failure becomes a report with a readable reason.
#include "duet/nat/PortMapping.hpp"
#include "duet/nat/Stun.hpp"

#include <chrono>
#include <functional>
#include <memory>
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

// Lease asked of the router; the worker renews at half of what the router granted.
inline constexpr std::uint32_t kMappingLeaseSeconds = 3600;
// After a failure, look for a router again this often (routers reboot, UPnP gets switched on).
inline constexpr std::uint32_t kMappingRetrySeconds = 300;
// A permanent lease (lifetime 0) is re-checked this often (a router may forget it across a reboot).
inline constexpr std::uint32_t kPermanentRecheckSeconds = 1800;
// Renewal never comes sooner than this, whatever short lease a router grants.
inline constexpr std::uint32_t kMinRenewSeconds = 30;

// How the worker waits between passes. sleep() returns once `duration` has passed or interrupt() was
// called; interrupt() is sticky (later sleeps return at once) and may be called from any thread.
class NatWorkerSleeper {
public:
    virtual ~NatWorkerSleeper() = default;
    virtual void sleep(std::chrono::seconds duration) = 0;
    virtual void interrupt() = 0;
};

// How the worker reaches routers and waits. The defaults are miniupnpc, libnatpmp and real time; tests
// substitute fakes. The finders run on the worker thread.
struct NatWorkerHooks {
    std::function<std::unique_ptr<PortMapper>(std::string& reason)> findUpnp = findUpnpRouter;
    std::function<std::unique_ptr<PortMapper>(const std::function<bool()>& stop, std::string& reason)>
        findNatPmp = natPmpRouter;
    std::shared_ptr<NatWorkerSleeper> sleeper; // null: real time
};

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
    NatWorker(NatWorkerConfig config, std::function<void()> wake, NatWorkerHooks hooks = {});
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
    // One attempt (UPnP, then NAT-PMP); keeps `mapper` when it worked.
    MappingResult mapOnce(std::unique_ptr<PortMapper>& mapper);

    NatWorkerConfig m_config;
    std::function<void()> m_wake;
    NatWorkerHooks m_hooks;
    std::mutex m_mutex;
    bool m_stop = false;
    std::vector<NatWorkerReport> m_reports;
    std::thread m_thread;
};

// Resolves "host[:port]" to IPv4 endpoints (blocking getaddrinfo); unresolvable names are listed in
// `failures`. Port defaults to 3478.
std::vector<Ipv4Endpoint> resolveStunServers(const std::vector<std::string>& servers, std::string& failures);

} // namespace duet::nat
