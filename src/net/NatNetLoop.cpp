// NetLoop's side of internet connections: commands, timers and the identity check (NatService.hpp).
#include "duet/net/NatService.hpp"
#include "duet/net/NetLoop.hpp"

#include <sstream>

namespace duet::net {
namespace {

constexpr std::string_view kStunServersSetting = "stun_servers";
// Public defaults (two addresses of one operator, enough to tell cone from symmetric). Documented in
// README.md; tests always pass their own local server.
const std::vector<std::string> kDefaultStunServers = {"stun.l.google.com:19302", "stun1.l.google.com:19302"};

std::vector<std::string> splitServers(const std::string& text)
{
    std::vector<std::string> out;
    std::string item;
    std::istringstream in(text);
    while (std::getline(in, item, ','))
        if (const auto begin = item.find_first_not_of(' '); begin != std::string::npos)
            out.push_back(item.substr(begin, item.find_last_not_of(' ') - begin + 1));
    return out;
}

} // namespace

void NetLoop::startNat()
{
    if (m_nat) return;
    NatServiceConfig config;
    config.stunServers = m_config.stunServers;
    if (config.stunServers.empty())
        config.stunServers = splitServers(m_profile->setting(kStunServersSetting).value_or(""));
    if (config.stunServers.empty()) config.stunServers = kDefaultStunServers;
    config.portMapping = m_config.portMapping;
    config.fingerprint = m_identity.fingerprint();
    m_nat = std::make_unique<NatService>(std::move(config), m_host->get(), m_host->port(), m_clock, m_waker,
                                         [this](Event event) { emit(std::move(event)); });
    m_host->setDatagramFilter([this](const std::uint8_t* data, std::size_t size, const ENetAddress& from) {
        return m_nat->onDatagram(data, size, from);
    });
}

void NetLoop::handle(const command::ShowNatCode&)
{
    startNat();
    m_nat->requestCode();
}

void NetLoop::handle(const command::ConnectNatCode& command)
{
    startNat();
    m_nat->connectCode(command.code);
    natTimers(m_clock.now());
}

void NetLoop::natTimers(MonoTime now)
{
    if (!m_nat) return;
    if (const std::optional<PeerId> stale = m_nat->takeStaleDial()) {
        // Only a dial whose transport never came up is dropped; a live connection is left to finish.
        if (Connection* connection = find(*stale); connection != nullptr && !connection->transportUp) {
            enet_peer_reset(connection->peer);
            finish(*connection, "the peer's address changed; dialling the new one");
        }
    }
    if (const std::optional<PeerId> dialled = m_nat->pendingDial(); dialled && find(*dialled) == nullptr)
        m_nat->dialGone();
    for (const NatService::Dial& target : m_nat->poll(now))
        m_nat->dialed(dial(target.host, target.port));
    for (const PeerId id : std::exchange(m_natConfirms, {})) {
        Connection* connection = find(id);
        if (connection != nullptr && !connection->closing && connection->session &&
            !connection->session->verified())
            withSession(*connection, [](Session& session, SessionActions& out) { session.confirm(out); });
    }
}

void NetLoop::natScreen(Connection& connection, SessionActions& actions)
{
    if (!m_nat) return;
    for (auto it = actions.events.begin(); it != actions.events.end(); ++it) {
        const auto* connected = std::get_if<event::PeerConnected>(&*it);
        if (connected == nullptr) continue;
        switch (m_nat->onAuthenticated(connection.id, connection.outgoing, connected->fingerprint)) {
        case NatService::Verdict::NotOurs:
            break;
        case NatService::Verdict::Match:
            // The user got this identity out of band with the code: that is the comparison the
            // verification code stands for, so confirm on their behalf (after this input is applied).
            if (connected->trust == Trust::Unverified) m_natConfirms.push_back(connection.id);
            break;
        case NatService::Verdict::Mismatch:
            actions.events.erase(it);
            actions.close = CloseRequest{wire::CloseReason::KeyMismatch, "not the identity in the code",
                                         "refused: not the owner of the connection code"};
            return;
        }
    }
}

} // namespace duet::net
