// The net loop's side of durable chat and automatic reconnection: wiring ChatService and Reconnector to
// connections, commands and timers.
#include "duet/net/Limits.hpp"
#include "duet/net/NetLoop.hpp"

#include <random>

namespace duet::net {

void NetLoop::startChat()
{
    auto run = [this](PeerId peer, const ChatService::SessionInput& input) {
        if (Connection* connection = find(peer); connection != nullptr && !connection->closing)
            withSession(*connection, input);
    };
    auto close = [this](PeerId peer, const CloseRequest& request) {
        if (Connection* connection = find(peer); connection != nullptr && !connection->closing)
            closeConnection(*connection, request, Millis{3000});
    };
    m_chat = std::make_unique<ChatService>(
        *m_profile, m_clock, m_identity.fingerprint(), [this](Event event) { emit(std::move(event)); }, run,
        close);
    m_context->chat = m_chat.get();
    if (!m_config.autoReconnect) return;
    auto online = [this](const std::string& fingerprint) {
        return m_chat->activeConnection(fingerprint).has_value();
    };
    auto random = [engine = std::minstd_rand(std::random_device{}())]() mutable {
        return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
    };
    m_reconnect = std::make_unique<Reconnector>(
        *m_profile, [this](const std::string& host, std::uint16_t port) { return dial(host, port); }, online,
        random);
    m_reconnect->start(m_clock.now());
}

PeerId NetLoop::dial(const std::string& host, std::uint16_t port)
{
    auto fail = [this](std::string why) {
        emit(event::Error{PeerId{}, std::move(why)});
        return PeerId{};
    };
    if (port == 0) return fail("cannot connect: port 0");
    ENetAddress address{};
    // Numeric addresses never touch DNS; names are resolved here, which blocks this thread briefly.
    if (enet_address_set_host_ip(&address, host.c_str()) != 0 &&
        enet_address_set_host(&address, host.c_str()) != 0)
        return fail("cannot resolve host " + host);
    address.port = port;
    ENetPeer* peer = enet_host_connect(m_host->get(), &address, kChannelCount, 0);
    if (peer == nullptr) return fail("cannot connect: too many connections");
    EnetHost::setTimeouts(peer);
    Connection& connection = addConnection(peer, formatAddress(address), true);
    connection.announced = true;
    emit(event::PeerConnecting{connection.id, connection.address, true});
    return connection.id;
}

void NetLoop::handle(const command::SendChat& command)
{
    // The message belongs to the identity: any verified connection of it will carry it.
    Connection* connection = command.peer ? find(command.peer) : nullptr;
    if (connection != nullptr && connection->session && connection->session->verified())
        return m_chat->send(command.peer, connection->session->peerFingerprint(), command.messageId,
                            command.text);
    // The connection may have ended after the front end posted this: with the identity named, the
    // message is queued for it rather than lost.
    if (!command.toFingerprint.empty()) return m_chat->sendToIdentity(command);
    if (findForCommand(command.peer) == nullptr) return;
    emit(event::Error{command.peer, "not verified yet"});
}

void NetLoop::handle(const command::LoadHistory& command)
{
    m_chat->loadHistory(command);
}

void NetLoop::handle(const command::MarkRead& command)
{
    m_chat->markRead(command);
}

void NetLoop::handle(const command::SetTyping& command)
{
    m_chat->setTyping(command);
}

void NetLoop::handle(const command::SearchHistory& command)
{
    m_chat->searchHistory(command);
}

void NetLoop::handle(const command::ClearHistory& command)
{
    m_chat->clearHistory(command);
}

void NetLoop::handle(const command::ExportHistory& command)
{
    m_chat->exportHistory(command);
}

void NetLoop::handle(const command::SetChatOptions& command)
{
    m_chat->setOptions(command);
}

void NetLoop::chatTimers(MonoTime now)
{
    m_chat->runTimers(now);
    if (m_reconnect) m_reconnect->runTimers(now);
}

std::optional<MonoTime> NetLoop::chatWake(MonoTime now) const
{
    std::optional<MonoTime> wake = m_chat ? m_chat->nextWake(now) : std::nullopt;
    if (m_reconnect) {
        const std::optional<MonoTime> redial = m_reconnect->nextWake();
        if (redial && (!wake || *redial < *wake)) wake = redial;
    }
    return wake;
}

void NetLoop::chatConnectionGone(const Connection& connection)
{
    if (!m_chat) return;
    const bool wasVerified = connection.session && connection.session->verified();
    const std::string fingerprint =
        connection.session ? connection.session->peerFingerprint() : std::string();
    m_chat->onConnectionGone(connection.id);
    if (!m_reconnect) return;
    // A connection nobody closed on purpose was lost: a crash, a timeout or an unreachable address.
    m_reconnect->onConnectionGone(connection.id, fingerprint, !connection.closing, wasVerified,
                                  m_clock.now());
}

} // namespace duet::net
