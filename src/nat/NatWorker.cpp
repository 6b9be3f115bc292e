#include "duet/nat/NatWorker.hpp"

#include "duet/nat/PortMapping.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <charconv>
#include <condition_variable>
#include <netdb.h>
#include <utility>

namespace duet::nat {
namespace {

constexpr std::uint16_t kDefaultStunPort = 3478;

class RealTimeSleeper final : public NatWorkerSleeper {
public:
    void sleep(std::chrono::seconds duration) override
    {
        std::unique_lock lock(m_mutex);
        m_signal.wait_for(lock, duration, [this] { return m_interrupted; });
    }
    void interrupt() override
    {
        {
            std::lock_guard lock(m_mutex);
            m_interrupted = true;
        }
        m_signal.notify_all();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_signal;
    bool m_interrupted = false;
};

} // namespace

std::string_view describe(MappingMethod method)
{
    switch (method) {
    case MappingMethod::None:
        return "none";
    case MappingMethod::Upnp:
        return "upnp";
    case MappingMethod::NatPmp:
        return "nat-pmp";
    }
    return "none";
}

std::vector<Ipv4Endpoint> resolveStunServers(const std::vector<std::string>& servers, std::string& failures)
{
    std::vector<Ipv4Endpoint> out;
    for (const std::string& server : servers) {
        std::string host = server;
        std::uint16_t port = kDefaultStunPort;
        if (const std::size_t colon = server.rfind(':'); colon != std::string::npos) {
            unsigned value = 0;
            const char* begin = server.data() + colon + 1;
            const char* end = server.data() + server.size();
            const auto [next, ec] = std::from_chars(begin, end, value);
            if (ec != std::errc() || next != end || value == 0 || value > 65535) {
                failures += (failures.empty() ? "" : ", ") + server + " (bad port)";
                continue;
            }
            host = server.substr(0, colon);
            port = static_cast<std::uint16_t>(value);
        }
        addrinfo hints{};
        hints.ai_family = AF_INET;
        hints.ai_socktype = SOCK_DGRAM;
        addrinfo* found = nullptr;
        if (host.empty() || ::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
            failures += (failures.empty() ? "" : ", ") + server + " (cannot resolve)";
            continue;
        }
        const auto* address = reinterpret_cast<const sockaddr_in*>(found->ai_addr);
        const Ipv4Endpoint endpoint{ntohl(address->sin_addr.s_addr), port};
        ::freeaddrinfo(found);
        if (std::find(out.begin(), out.end(), endpoint) == out.end()) out.push_back(endpoint);
    }
    return out;
}

NatWorker::NatWorker(NatWorkerConfig config, std::function<void()> wake, NatWorkerHooks hooks)
    : m_config(std::move(config)), m_wake(std::move(wake)), m_hooks(std::move(hooks))
{
    if (!m_hooks.sleeper) m_hooks.sleeper = std::make_shared<RealTimeSleeper>();
    m_thread = std::thread([this] { run(); });
}

NatWorker::~NatWorker()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_hooks.sleeper->interrupt();
    m_thread.join();
}

std::vector<NatWorkerReport> NatWorker::drain()
{
    std::lock_guard lock(m_mutex);
    return std::exchange(m_reports, {});
}

void NatWorker::report(NatWorkerReport report)
{
    {
        std::lock_guard lock(m_mutex);
        m_reports.push_back(std::move(report));
    }
    if (m_wake) m_wake();
}

bool NatWorker::pause(std::uint32_t seconds)
{
    m_hooks.sleeper->sleep(std::chrono::seconds(seconds));
    return !stopping();
}

bool NatWorker::stopping()
{
    std::lock_guard lock(m_mutex);
    return m_stop;
}

MappingResult NatWorker::mapOnce(std::unique_ptr<PortMapper>& mapper)
{
    std::string reason;
    if (!mapper && m_hooks.findUpnp) mapper = m_hooks.findUpnp(reason);
    std::string upnpReason = reason;
    MappingResult result;
    if (mapper) result = mapper->map(m_config.internalPort, kMappingLeaseSeconds);
    // A NAT-PMP gateway that failed a renewal is kept: it is the default gateway, and asked again later.
    if (result.ok || stopping() || (mapper && mapper->method() != MappingMethod::Upnp)) return result;
    if (mapper) upnpReason = result.reason;
    std::string pmpReason;
    std::unique_ptr<PortMapper> pmp;
    if (m_hooks.findNatPmp) pmp = m_hooks.findNatPmp([this] { return stopping(); }, pmpReason);
    MappingResult pmpResult;
    if (pmp) pmpResult = pmp->map(m_config.internalPort, kMappingLeaseSeconds);
    if (pmpResult.ok) {
        mapper = std::move(pmp);
        return pmpResult;
    }
    // Next pass looks for a UPnP router from scratch (it may have rebooted with a new address).
    mapper.reset();
    result.reason = upnpReason + "; " + (pmp ? pmpResult.reason : pmpReason);
    return result;
}

void NatWorker::run()
{
    NatWorkerReport servers;
    servers.kind = NatWorkerReport::Kind::StunServers;
    servers.servers = resolveStunServers(m_config.stunServers, servers.reason);
    report(std::move(servers));
    if (!m_config.portMapping) return;

    std::unique_ptr<PortMapper> mapper;
    // One pass per renewal or retry; ends when the owner stops us.
    while (!stopping()) {
        const MappingResult result = mapOnce(mapper);
        NatWorkerReport outcome;
        if (result.ok) {
            outcome.kind = NatWorkerReport::Kind::MappingUp;
            outcome.external = result.external;
            outcome.method = mapper->method();
            outcome.lifetimeSeconds = result.lifetimeSeconds;
        } else {
            outcome.kind = NatWorkerReport::Kind::MappingFailed;
            outcome.reason = result.reason;
        }
        report(std::move(outcome));
        // Renew at half the lease so one lost request still leaves time for another.
        const std::uint32_t wait = !result.ok ? kMappingRetrySeconds
                                   : result.lifetimeSeconds == 0
                                       ? kPermanentRecheckSeconds
                                       : std::max(result.lifetimeSeconds / 2, kMinRenewSeconds);
        if (!pause(wait)) break;
    }
    if (mapper) mapper->unmap();
}

} // namespace duet::nat
