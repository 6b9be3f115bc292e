// The connection attempt from a pasted code: punching, the single connector, the identity check.
#include "duet/net/NatService.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cstring>

namespace duet::net {
namespace {

constexpr std::uint8_t kPunchMagic[4] = {'D', 'P', 'C', 'H'};
constexpr std::uint8_t kPunchVersion = 1;
constexpr Millis kPunchInterval{200};
// Give up after this long without a verified connection (the lab's target is a connection within 5 s).
constexpr Millis kAttemptTimeout{12000};
// The connector dials blind (no punch heard) after this long; the other side dials a mapped or open
// endpoint after this long if the connector never showed up (it did not paste our code).
constexpr Millis kConnectorBlindDial{2000};
constexpr Millis kFallbackDial{3000};
constexpr Millis kRedialPause{500};
constexpr std::size_t kMaxResumable = 32;

std::string shortFingerprint(const std::string& fingerprint)
{
    return fingerprint.substr(0, 9);
}

std::string canonicalFingerprint(const std::string& text)
{
    const auto bytes = nat::fingerprintBytes(text);
    return bytes ? nat::fingerprintText(*bytes) : text;
}

} // namespace

bool dialsFirst(const std::string& ours, const std::string& theirs)
{
    return canonicalFingerprint(ours) > canonicalFingerprint(theirs);
}

void NatService::connectCode(const std::string& text)
{
    const nat::CodeDecoded decoded = nat::decodeCode(text);
    if (!decoded)
        return progress("failed", "not a connection code: " + std::string(nat::describe(decoded.error)));
    if (m_fingerprintBytes && decoded.code->fingerprint == *m_fingerprintBytes)
        return progress("failed", "this is your own code; paste the other person's code");
    if (decoded.code->endpoints.empty()) return progress("failed", "the code holds no address to reach");
    startAttempt(*decoded.code, "reaching ");
}

void NatService::connectionLost(const std::string& fingerprint)
{
    const auto found = m_resumable.find(fingerprint);
    // A running attempt (a new code pasted meanwhile) wins over resuming an old one.
    if (found == m_resumable.end() || m_attempt) return;
    startAttempt(found->second, "the connection was lost; reaching ");
    // Our own mapping may be the one that changed: learn it again (the code shown follows).
    if (m_stunDone && !m_stunRunning && !m_servers.empty()) startStunRound(m_clock.now());
}

void NatService::startAttempt(const nat::ConnectionCode& code, const std::string& why)
{
    ensureStarted();
    const MonoTime now = m_clock.now();
    Attempt attempt;
    attempt.code = code;
    attempt.fingerprint = nat::fingerprintText(attempt.code.fingerprint);
    attempt.weDial = dialsFirst(m_config.fingerprint, attempt.fingerprint);
    attempt.started = now;
    attempt.nextPunch = now;
    attempt.nextDialAllowed = now;
    m_attempt = std::move(attempt);
    std::string where;
    for (const nat::CodeEndpoint& endpoint : m_attempt->code.endpoints)
        where += (where.empty() ? "" : ", ") + std::string(nat::describe(endpoint.kind)) + " " +
                 nat::formatEndpoint(endpoint.address);
    progress("punching",
             why + shortFingerprint(m_attempt->fingerprint) + " at " + where +
                 (m_attempt->weDial ? "; this side will connect" : "; the other side will connect"));
    sendPunches();
    m_attempt->nextPunch = now + kPunchInterval;
}

bool NatService::onPunch(const std::uint8_t* data, std::size_t size, const ENetAddress& from)
{
    if (size != kPunchSize || std::memcmp(data, kPunchMagic, 4) != 0) return false;
    // Anything shaped like a punch is ours to swallow; only one from the peer we are trying to reach,
    // addressed to us, tells where that peer's packets come from. Still only a hint: the handshake decides.
    if (data[4] != kPunchVersion || !m_fingerprintBytes || !m_attempt) return true;
    const std::uint8_t* sender = data + 5;
    const std::uint8_t* target = sender + nat::kFingerprintSize;
    if (std::memcmp(target, m_fingerprintBytes->data(), nat::kFingerprintSize) != 0) return true;
    if (std::memcmp(sender, m_attempt->code.fingerprint.data(), nat::kFingerprintSize) != 0) return true;
    const nat::Ipv4Endpoint source{ntohl(from.host), from.port};
    if (!m_attempt->heardFrom || !(*m_attempt->heardFrom == source)) {
        m_attempt->heardFrom = source;
        if (m_attempt->dialPeer) m_attempt->dialStale = true;
        progress("punching", "heard from the other side at " + nat::formatEndpoint(source));
    }
    return true;
}

void NatService::sendPunches()
{
    if (!m_attempt || !m_fingerprintBytes) return;
    std::uint8_t datagram[kPunchSize];
    std::memcpy(datagram, kPunchMagic, 4);
    datagram[4] = kPunchVersion;
    std::memcpy(datagram + 5, m_fingerprintBytes->data(), nat::kFingerprintSize);
    std::memcpy(datagram + 5 + nat::kFingerprintSize, m_attempt->code.fingerprint.data(),
                nat::kFingerprintSize);
    for (const nat::CodeEndpoint& endpoint : m_attempt->code.endpoints)
        send(endpoint.address, datagram, sizeof datagram);
    // A symmetric NAT on their side sends from a port their code cannot know; answer where it came from.
    if (m_attempt->heardFrom) send(*m_attempt->heardFrom, datagram, sizeof datagram);
    ++m_attempt->punchesSent;
}

std::optional<nat::Ipv4Endpoint> NatService::directEndpoint() const
{
    if (!m_attempt) return std::nullopt;
    for (const nat::CodeEndpoint& endpoint : m_attempt->code.endpoints)
        if (endpoint.kind == nat::EndpointKind::Mapped) return endpoint.address;
    if (m_attempt->code.natType == nat::NatType::Open)
        for (const nat::CodeEndpoint& endpoint : m_attempt->code.endpoints)
            if (endpoint.kind == nat::EndpointKind::Public) return endpoint.address;
    return std::nullopt;
}

void NatService::pollAttempt(MonoTime now, std::vector<Dial>& dials)
{
    if (!m_attempt || m_attempt->connected) return;
    Attempt& attempt = *m_attempt;
    if (now - attempt.started >= kAttemptTimeout) {
        const std::string reason = failureReason();
        m_attempt.reset();
        return progress("failed", reason);
    }
    if (now >= attempt.nextPunch) {
        sendPunches();
        attempt.nextPunch = now + kPunchInterval;
    }
    if (attempt.dialPeer || now < attempt.nextDialAllowed) return;
    const auto elapsed = now - attempt.started;
    std::optional<nat::Ipv4Endpoint> target;
    if (attempt.weDial) {
        if (attempt.heardFrom) {
            target = attempt.heardFrom;
        } else if (const auto direct = directEndpoint()) {
            target = direct;
        } else if (elapsed >= kConnectorBlindDial) {
            // Nothing heard yet: their punches may be filtered by our NAT while ours open theirs.
            for (const nat::CodeEndpoint& endpoint : attempt.code.endpoints)
                if (!target || endpoint.kind == nat::EndpointKind::Public) target = endpoint.address;
        }
    } else if (!attempt.heardFrom && elapsed >= kFallbackDial) {
        target = directEndpoint();
    }
    if (!target) return;
    attempt.nextDialAllowed = now + kRedialPause;
    const nat::Ipv4Endpoint address = *target;
    char ip[INET_ADDRSTRLEN] = {};
    const in_addr raw{htonl(address.ip)};
    ::inet_ntop(AF_INET, &raw, ip, sizeof ip);
    dials.push_back({ip, address.port});
}

void NatService::dialed(PeerId peer)
{
    if (!m_attempt) return;
    if (!peer) {
        m_attempt->nextDialAllowed = m_clock.now() + kRedialPause * 2;
        return;
    }
    m_attempt->dialPeer = peer;
    m_attempt->dialStale = false;
    progress("connecting", "connecting to " + shortFingerprint(m_attempt->fingerprint), peer);
}

std::optional<PeerId> NatService::takeStaleDial()
{
    if (!m_attempt || !m_attempt->dialPeer || !m_attempt->dialStale) return std::nullopt;
    m_attempt->dialStale = false;
    return m_attempt->dialPeer;
}

void NatService::dialGone()
{
    if (!m_attempt) return;
    m_attempt->dialPeer.reset();
    m_attempt->nextDialAllowed = m_clock.now() + kRedialPause;
}

NatService::Verdict NatService::onAuthenticated(PeerId peer, bool outgoing, const std::string& fingerprint)
{
    if (!m_attempt) return Verdict::NotOurs;
    const bool ourDial = m_attempt->dialPeer && *m_attempt->dialPeer == peer;
    if (!ourDial && (outgoing || fingerprint != m_attempt->fingerprint)) return Verdict::NotOurs;
    if (fingerprint != m_attempt->fingerprint) {
        // Whoever answered at that address is not the person who gave us the code.
        const std::string expected = m_attempt->fingerprint;
        m_attempt.reset();
        progress("failed",
                 "refused: the computer that answered is not the owner of the code (identity " +
                     shortFingerprint(fingerprint) + "..., expected " + shortFingerprint(expected) + "...)",
                 peer);
        return Verdict::Mismatch;
    }
    const auto took = std::chrono::duration_cast<Millis>(m_clock.now() - m_attempt->started).count();
    if (m_resumable.size() < kMaxResumable || m_resumable.count(fingerprint) != 0)
        m_resumable[fingerprint] = m_attempt->code;
    m_attempt.reset();
    progress("connected", "connected directly in " + std::to_string(took) + " ms", peer);
    return Verdict::Match;
}

std::string NatService::failureReason() const
{
    const std::string port = std::to_string(m_port);
    const nat::NatType theirs = m_attempt ? m_attempt->code.natType : nat::NatType::Unknown;
    if (m_natType == nat::NatType::Symmetric && theirs == nat::NatType::Symmetric)
        return "both computers are behind symmetric NATs, which cannot be punched through. What would help: "
               "turn on UPnP or NAT-PMP on either router, or forward UDP port " +
               port +
               " to one computer, then exchange new codes; a VPN between the two also works. A relay "
               "server (TURN) is not supported yet.";
    std::string reason =
        "no direct connection within " + std::to_string(kAttemptTimeout.count() / 1000) + " s";
    reason += m_attempt && m_attempt->heardFrom
                  ? " (their packets arrived, but the connection did not complete)"
                  : " (nothing arrived from the other computer)";
    reason +=
        ". Both sides must paste each other's code within a few seconds of each other. NAT types: ours " +
        std::string(nat::describe(m_natType)) + ", theirs " + std::string(nat::describe(theirs)) +
        ". Forwarding UDP port " + port + " on either router (or UPnP/NAT-PMP) would help.";
    return reason;
}

} // namespace duet::net
