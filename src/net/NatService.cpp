#include "duet/net/NatService.hpp"

#include "duet/crypto/Random.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>

namespace duet::net {
namespace {

// Two servers tell a cone NAT from a symmetric one; more only add traffic.
constexpr std::size_t kStunServersAsked = 2;
// RFC 8489 retransmits at RTO 500 ms doubling; three sends and a 2 s wait after the last bound a round
// to 3.5 s, short enough that a code is ready before the user finished reading the dialog.
constexpr int kStunSends = 3;
constexpr Millis kStunFirstRto{500};
constexpr Millis kStunLastWait{2000};
// RFC 5780 filtering probes: silence is their expected answer behind a restricted NAT, so they get a
// shorter budget (1.25 s); a lost answer only makes the NAT look stricter than it is.
constexpr int kChangeSends = 3;
constexpr Millis kChangeRto{250};
constexpr Millis kChangeLastWait{750};
// NATs forget an idle UDP mapping after 30 s or more; asking again keeps our public endpoint alive while
// a code is out there.
constexpr Millis kStunRefresh{25000};
constexpr std::size_t kMaxLanEndpoints = 3;

nat::Ipv4Endpoint fromEnet(const ENetAddress& address)
{
    return {ntohl(address.host), address.port};
}

} // namespace

NatService::NatService(NatServiceConfig config, ENetHost* host, std::uint16_t port, const Clock& clock,
                       Waker& waker, std::function<void(Event)> emit)
    : m_config(std::move(config)), m_fingerprintBytes(nat::fingerprintBytes(m_config.fingerprint)),
      m_host(host), m_port(port), m_clock(clock), m_waker(waker), m_emit(std::move(emit))
{
}

NatService::~NatService() = default;

void NatService::ensureStarted()
{
    if (m_worker) return;
    nat::NatWorkerConfig config;
    config.internalPort = m_port;
    config.stunServers = m_config.stunServers;
    config.portMapping = m_config.portMapping;
    Waker& waker = m_waker;
    m_worker = std::make_unique<nat::NatWorker>(std::move(config), [&waker] { waker.wake(); });
    if (m_config.portMapping) progress("mapping", "asking the router for a port mapping (UPnP, NAT-PMP)");
    progress("stun", "asking STUN servers for our public address");
}

bool NatService::onDatagram(const std::uint8_t* data, std::size_t size, const ENetAddress& from)
{
    if (size == kPunchSize && onPunch(data, size, from)) return true;
    const std::span<const std::uint8_t> datagram(data, size);
    if (!nat::looksLikeStun(datagram)) return false;
    const nat::StunDecoded decoded = nat::decodeBindingResponse(datagram);
    if (!decoded) return false;
    for (StunProbe& probe : m_probes) {
        if (probe.transaction != decoded.response->transaction) continue;
        // Only the server we asked, with the transaction we chose, can set our public address. A filtering
        // probe is answered from another address by design; its answer only counts as having arrived.
        if (probe.change == 0 && probe.server != fromEnet(from)) continue;
        if (!probe.answer) {
            probe.answer = decoded.response->mapped;
            probe.otherAddress = decoded.response->otherAddress;
            probe.answeredFrom = fromEnet(from);
        }
        return true;
    }
    return false;
}

void NatService::requestCode()
{
    ensureStarted();
    m_codeWanted = true;
    m_lastCode.clear(); // answer this request even if the code did not change
    if (endpointsKnown()) {
        m_lastCode = myCode();
        m_emit(event::NatCode{m_lastCode});
    }
}

std::vector<NatService::Dial> NatService::poll(MonoTime now)
{
    std::vector<Dial> dials;
    if (!m_worker) return dials;
    onWorkerReports();
    if (m_stunRunning) pollStun(now);
    const bool wanted = m_codeWanted || m_attempt.has_value();
    if (wanted && m_stunDone && !m_servers.empty() && now - m_lastStunRound >= kStunRefresh)
        startStunRound(now);
    pollAttempt(now, dials);
    return dials;
}

std::optional<MonoTime> NatService::nextWake() const
{
    std::optional<MonoTime> next;
    auto consider = [&next](MonoTime at) { next = next ? std::min(*next, at) : at; };
    for (const StunProbe& probe : m_probes)
        if (m_stunRunning && probe.started && !probe.answer) consider(probe.nextSend);
    // Answers that let waiting probes start (the first server's, the filtering probes') arrive between
    // timers: look again at once. Probes that stay silent are covered by their own timers above.
    const bool waiting =
        std::any_of(m_probes.begin(), m_probes.end(), [](const StunProbe& p) { return !p.started; });
    const bool answered = std::all_of(m_probes.begin(), m_probes.end(), [](const StunProbe& p) {
        return p.answer || (p.change == 0 && !p.started);
    });
    if (m_stunRunning && waiting && answered) consider(MonoTime{});
    if (m_stunDone && (m_codeWanted || m_attempt) && !m_servers.empty())
        consider(m_lastStunRound + kStunRefresh);
    // Dial decisions are taken at punch ticks, so the punch interval bounds their latency too.
    if (m_attempt && !m_attempt->connected) consider(m_attempt->nextPunch);
    return next;
}

void NatService::onWorkerReports()
{
    bool changed = false;
    for (nat::NatWorkerReport& report : m_worker->drain()) {
        changed = true;
        switch (report.kind) {
        case nat::NatWorkerReport::Kind::StunServers:
            m_serversResolved = true;
            m_serverFailures = report.reason;
            m_servers = std::move(report.servers);
            if (m_servers.size() > kStunServersAsked) m_servers.resize(kStunServersAsked);
            if (m_servers.empty()) {
                m_stunDone = true;
                progress("stun", m_config.stunServers.empty() ? "no STUN server configured"
                                                              : "no STUN server usable: " + m_serverFailures);
            } else {
                startStunRound(m_clock.now());
            }
            break;
        case nat::NatWorkerReport::Kind::MappingUp:
            m_mappingReported = true;
            m_mapped = report.external;
            m_mappingMethod = report.method;
            m_mappingDetail.clear();
            progress("mapping", std::string(nat::describe(report.method)) + " mapping " +
                                    nat::formatEndpoint(report.external));
            break;
        case nat::NatWorkerReport::Kind::MappingFailed:
            m_mappingReported = true;
            m_mapped.reset();
            m_mappingMethod = nat::MappingMethod::None;
            m_mappingDetail = report.reason;
            progress("mapping", "no port mapping: " + report.reason);
            break;
        }
    }
    if (changed) emitReachability();
}

void NatService::startStunRound(MonoTime now)
{
    m_probes.clear();
    crypto::SystemRandom random;
    for (const nat::Ipv4Endpoint& server : m_servers) {
        StunProbe probe;
        probe.server = server;
        random.fill(probe.transaction);
        probe.started = m_probes.empty();
        probe.nextSend = now;
        m_probes.push_back(probe);
    }
    m_stunRunning = true;
    m_lastStunRound = now;
    pollStun(now);
}

bool NatService::probeDone(const StunProbe& probe, MonoTime now) const
{
    const int sends = probe.change != 0 ? kChangeSends : kStunSends;
    return probe.answer || (probe.started && probe.sent >= sends && now >= probe.nextSend);
}

void NatService::startFilteringProbes(MonoTime now)
{
    m_filteringProbed = true;
    crypto::SystemRandom random;
    for (const std::uint8_t change : {std::uint8_t{nat::kChangeIp | nat::kChangePort}, nat::kChangePort}) {
        StunProbe probe;
        probe.server = m_probes.front().server;
        probe.change = change;
        probe.started = true;
        random.fill(probe.transaction);
        probe.nextSend = now;
        m_probes.push_back(probe);
    }
}

void NatService::pollStun(MonoTime now)
{
    if (m_probes.empty()) return finishStunRound();
    // Copied out: startFilteringProbes() grows m_probes.
    const bool primaryAnswered = m_probes.front().answer.has_value();
    const bool primaryGivenUp = m_probes.front().sent >= kStunSends;
    if (!m_filteringProbed && primaryAnswered && m_probes.front().otherAddress) startFilteringProbes(now);
    // The other servers wait for the filtering probes: a datagram to another server's address first would
    // open the NAT to that address and make an address-restricted NAT look like a full cone.
    const bool filteringOver = std::all_of(m_probes.begin(), m_probes.end(), [&](const StunProbe& probe) {
        return probe.change == 0 || probeDone(probe, now);
    });
    if ((primaryAnswered && filteringOver) || primaryGivenUp)
        for (StunProbe& probe : m_probes)
            if (!probe.started) {
                probe.started = true;
                probe.nextSend = now;
            }
    bool pending = false;
    for (StunProbe& probe : m_probes) {
        if (!probe.started) {
            pending = true;
            continue;
        }
        const bool filtering = probe.change != 0;
        const int sends = filtering ? kChangeSends : kStunSends;
        if (!probe.answer && now >= probe.nextSend && probe.sent < sends) {
            const std::vector<std::uint8_t> request =
                nat::encodeBindingRequest(probe.transaction, probe.change);
            send(probe.server, request.data(), request.size());
            ++probe.sent;
            const Millis rto = filtering ? kChangeRto : kStunFirstRto;
            probe.nextSend = now + (probe.sent < sends ? rto * (1 << (probe.sent - 1))
                                                       : (filtering ? kChangeLastWait : kStunLastWait));
        }
        if (!probeDone(probe, now)) pending = true;
    }
    if (!pending) finishStunRound();
}

void NatService::finishStunRound()
{
    m_stunRunning = false;
    m_stunDone = true;
    std::vector<nat::Ipv4Endpoint> answers;
    std::size_t asked = 0;
    nat::ChangeProbe changeBoth = nat::ChangeProbe::NotSent;
    nat::ChangeProbe changePort = nat::ChangeProbe::NotSent;
    for (const StunProbe& probe : m_probes) {
        if (probe.change == 0) {
            ++asked;
            if (probe.answer) answers.push_back(*probe.answer);
            continue;
        }
        const nat::ChangeProbe outcome = !probe.answer ? nat::ChangeProbe::Silent
                                         : probe.answeredFrom == probe.server
                                             ? nat::ChangeProbe::AnsweredUnchanged
                                             : nat::ChangeProbe::Answered;
        (probe.change == nat::kChangePort ? changePort : changeBoth) = outcome;
    }
    if (changeBoth != nat::ChangeProbe::NotSent) m_filtering = nat::classifyFiltering(changeBoth, changePort);
    std::vector<std::uint32_t> localIps;
    for (const nat::Ipv4Endpoint& lan : lanEndpoints())
        localIps.push_back(lan.ip);
    const nat::NatType type = nat::classifyNat(answers, localIps, m_port, asked);
    const std::optional<nat::Ipv4Endpoint> publicAddress =
        answers.empty() ? std::nullopt : std::optional(answers.front());
    m_natType = type;
    m_public = publicAddress;
    if (answers.empty()) progress("stun", "no STUN server answered");
    emitReachability();
}

bool NatService::endpointsKnown() const
{
    return m_stunDone && (m_mappingReported || !m_config.portMapping);
}

void NatService::emitReachability()
{
    if (!endpointsKnown()) return;
    event::Reachability reach;
    reach.mapped = m_mapped ? nat::formatEndpoint(*m_mapped) : "";
    reach.mappingMethod = std::string(nat::describe(m_mappingMethod));
    reach.mappingDetail = m_config.portMapping ? m_mappingDetail : "port mapping is off";
    reach.publicAddress = m_public ? nat::formatEndpoint(*m_public) : "";
    reach.natType = std::string(nat::describeNat(m_natType, m_filtering));
    for (const nat::Ipv4Endpoint& lan : lanEndpoints())
        reach.lan.push_back(nat::formatEndpoint(lan));
    std::string key =
        reach.mapped + "|" + reach.publicAddress + "|" + reach.natType + "|" + reach.mappingDetail;
    for (const std::string& lan : reach.lan)
        key += "|" + lan;
    if (key != m_lastReachability) {
        m_lastReachability = key;
        m_emit(std::move(reach));
    }
    if (m_codeWanted) {
        std::string code = myCode();
        if (code != m_lastCode) {
            m_lastCode = code;
            m_emit(event::NatCode{std::move(code)});
        }
    }
}

std::string NatService::myCode() const
{
    nat::ConnectionCode code;
    if (m_fingerprintBytes) code.fingerprint = *m_fingerprintBytes;
    code.natType = m_natType;
    auto add = [&code](nat::EndpointKind kind, nat::Ipv4Endpoint address) {
        for (const nat::CodeEndpoint& existing : code.endpoints)
            if (existing.address == address) return;
        if (code.endpoints.size() < nat::kMaxCodeEndpoints) code.endpoints.push_back({kind, address});
    };
    if (m_mapped) add(nat::EndpointKind::Mapped, *m_mapped);
    if (m_public) add(nat::EndpointKind::Public, *m_public);
    for (const nat::Ipv4Endpoint& lan : lanEndpoints())
        add(nat::EndpointKind::Lan, lan);
    return nat::encodeCode(code);
}

std::vector<nat::Ipv4Endpoint> NatService::lanEndpoints() const
{
    std::vector<nat::Ipv4Endpoint> out;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return out;
    for (const ifaddrs* entry = list; entry != nullptr && out.size() < kMaxLanEndpoints;
         entry = entry->ifa_next) {
        if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET) continue;
        if ((entry->ifa_flags & IFF_UP) == 0 || (entry->ifa_flags & IFF_LOOPBACK) != 0) continue;
        const auto* address = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr);
        out.push_back({ntohl(address->sin_addr.s_addr), m_port});
    }
    ::freeifaddrs(list);
    return out;
}

void NatService::send(const nat::Ipv4Endpoint& to, const std::uint8_t* data, std::size_t size)
{
    ENetAddress address{};
    address.host = htonl(to.ip);
    address.port = to.port;
    ENetBuffer buffer{};
    buffer.data = const_cast<std::uint8_t*>(data);
    buffer.dataLength = size;
    // Best effort, like every UDP send: a full buffer or an unreachable network is a lost datagram.
    (void)enet_socket_send(m_host->socket, &address, &buffer, 1);
}

void NatService::progress(std::string stage, std::string detail, PeerId peer)
{
    m_emit(event::NatProgress{std::move(stage), std::move(detail), peer});
}

} // namespace duet::net
