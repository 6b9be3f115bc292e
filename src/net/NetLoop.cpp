#include "duet/net/NetLoop.hpp"

#include "duet/crypto/PacketCipher.hpp"
#include "duet/discovery/DefaultName.hpp"
#include "duet/discovery/NetInterfaces.hpp"
#include "duet/net/Limits.hpp"

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sys/prctl.h>

namespace duet::net {
namespace {

constexpr std::string_view kDisplayNameSetting = "display_name";

// What this build and CPU offer in the Hello. DUET_BULK_AES=0 keeps the bulk stream on XChaCha20 and
// DUET_CHAT_ECHO=0 sends chat once and DUET_RAW_BULK=0 keeps bulk frames inside ENet (all for
// comparisons).
// `largeDatagrams`: the host reads raw bulk datagrams on a socket of its own, so any size up to
// wire::kMaxRawBulkDatagram (ENet's intercept, the fallback, reads at most 4 KiB).
std::uint32_t localCapabilities(bool largeDatagrams)
{
    const auto wanted = [](const char* name) {
        const char* setting = std::getenv(name);
        return setting == nullptr || std::strcmp(setting, "0") != 0;
    };
    std::uint32_t capabilities = wanted("DUET_CHAT_ECHO") ? wire::kCapabilityChatEcho : 0;
    if (wanted("DUET_BULK_AES") && crypto::aesGcmAvailable()) capabilities |= wire::kCapabilityBulkAesGcm;
    if (wanted("DUET_RAW_BULK")) capabilities |= wire::kCapabilityRawBulk;
    if (wanted("DUET_RAW_BULK") && wanted("DUET_LARGE_BULK") && largeDatagrams)
        capabilities |= wire::kCapabilityLargeBulk;
    if (wanted("DUET_RAW_BULK") && wanted("DUET_COMPACT_BULK")) capabilities |= wire::kCapabilityCompactBulk;
    return capabilities;
}

// With no connection at all, nothing inside ENet needs servicing; our own timers bound the wait.
constexpr Millis kIdleWait{1000};
// ENet runs its retransmissions and keep-alive pings only inside enet_host_service.
constexpr Millis kRetransmitCheck{20};
constexpr Millis kKeepAliveCheck{500};

bool isUsableName(std::string_view name)
{
    return !name.empty() && name.size() <= wire::kMaxDisplayName && wire::isValidUtf8(name);
}

} // namespace

NetLoop::NetLoop(EngineConfig config, MessageQueue<Command>& commands, MessageQueue<Event>& events,
                 Waker& waker, std::function<void()> wakeFrontEnd)
    : m_config(std::move(config)), m_commands(commands), m_events(events), m_waker(waker),
      m_wakeFrontEnd(std::move(wakeFrontEnd)), m_accepting(m_config.acceptIncoming)
{
}

NetLoop::~NetLoop() = default;

void NetLoop::run()
{
    // Pacing sleeps are tens of microseconds at LAN rates; the default 50 us timer slack lets the
    // kernel stretch each of them by that much again. Only this thread's timers are affected.
    ::prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
    try {
        if (startUp()) {
            loop();
            shutDown();
        }
    } catch (const std::exception& e) {
        // Nothing may escape the thread; the front end learns the engine stopped.
        emit(event::Error{PeerId{}, startupErrorReason(StartupFailure::Internal, e.what())});
        std::cerr << "duet: net thread stopped: " << e.what() << '\n';
    }
    m_host.reset();
    flushEvents();
}

bool NetLoop::startUp()
{
    auto failStartup = [this](StartupFailure failure, const std::string& detail) {
        emit(event::Error{PeerId{}, startupErrorReason(failure, detail)});
        return false;
    };
    if (!m_waker.ok()) return failStartup(StartupFailure::Internal, "cannot create the wake-up socket");
    if (!crypto::initialize())
        return failStartup(StartupFailure::Internal, "libsodium cannot be initialised");
    std::string name;
    try {
        m_profile = profile::ProfileStore::open(m_config.profileDir);
        m_identity = crypto::Identity::loadOrCreate(m_profile->identityKeyPath());
        name = resolveDisplayName();
    } catch (const std::exception& e) {
        return failStartup(StartupFailure::ProfileUnusable, e.what());
    }
    std::string bindError;
    m_host = EnetHost::bind(m_config.port, m_waker, bindError);
    if (!m_host) return failStartup(StartupFailure::CannotListen, bindError);
    m_waker.setTarget(m_host->port());
    // The bulk socket shares ENet's port and sends without fragmenting; without one, ENet's socket.
    m_rawSender =
        std::make_unique<RawDatagramSender>(m_host->bulkFd() >= 0 ? m_host->bulkFd() : m_host->get()->socket);
    if (const char* gso = std::getenv("DUET_GSO"); gso != nullptr && std::strcmp(gso, "0") == 0)
        m_rawSender->disableSegmentation();
    m_context.emplace(SessionContext{m_identity, m_random, *m_profile, m_clock, name, m_config.autoConfirm});
    m_context->capabilities = localCapabilities(m_host->bulkFd() >= 0);
    m_lastStats = m_clock.now();
    std::vector<std::string> addresses;
    for (const discovery::NetInterface& netInterface : discovery::listIpv4Interfaces(false))
        addresses.push_back(netInterface.address.toString());
    emit(event::Listening{m_host->port(), m_identity.fingerprint(), std::move(addresses)});
    emit(event::HostingChanged{m_accepting});
    startDiscovery();
    startTransfers();
    startChat();
    return true;
}

std::string NetLoop::resolveDisplayName()
{
    std::string name = m_config.displayName;
    if (!isUsableName(name)) {
        if (!name.empty()) emit(event::Error{PeerId{}, "invalid display name; using the saved one"});
        name = m_profile->setting(kDisplayNameSetting).value_or("");
    }
    // The default goes out in every beacon and Hello: the host name, never the account name ($USER).
    if (!isUsableName(name)) name = discovery::defaultDisplayName();
    m_profile->setSetting(kDisplayNameSetting, name);
    return name;
}

void NetLoop::loop()
{
    while (m_running) {
        // Cleared before draining: a post() racing with this drain sends a fresh token.
        m_waker.clearPending();
        for (Command& command : m_commands.drain()) {
            handle(command);
            if (!m_running) return;
        }
        runTimers(m_clock.now());
        m_host->limitHalfOpenPeers();
        flushEvents();
        ENetEvent event;
        if (m_host->service(event,
                            waitForRawBulk(waitForTraffic(waitForPacing(serviceTimeout(m_clock.now())))))) {
            onEnetEvent(event);
            while (m_host->nextQueued(event))
                onEnetEvent(event);
        }
        takeRawBulk();
        if (m_transfers) m_transfers->pump();
        pumpBulk();
        flushEvents();
    }
}

void NetLoop::shutDown()
{
    if (m_chat) m_chat->flush(); // sends accepted before Shutdown are stored, never dropped
    stopDiscovery();
    m_accepting = false;
    std::vector<std::uint64_t> ids;
    for (const auto& [id, connection] : m_connections)
        ids.push_back(id);
    for (std::uint64_t id : ids) {
        if (Connection* connection = find(PeerId{id}); connection != nullptr && !connection->closing)
            closeConnection(*connection, {wire::CloseReason::Normal, "shutting down", "shut down"},
                            kShutdownGrace);
    }
    const MonoTime deadline = m_clock.now() + kShutdownGrace;
    while (!m_connections.empty() && m_clock.now() < deadline) {
        ENetEvent event;
        const auto left = std::chrono::duration_cast<Millis>(deadline - m_clock.now());
        if (m_host->service(event, left)) {
            onEnetEvent(event);
            while (m_host->nextQueued(event))
                onEnetEvent(event);
        }
    }
    while (!m_connections.empty()) {
        Connection& connection = m_connections.begin()->second;
        enet_peer_reset(connection.peer);
        finish(connection, connection.closing ? connection.endReason : "shut down");
    }
    enet_host_flush(m_host->get());
}

void NetLoop::handle(Command& command)
{
    std::visit([this](auto& c) { handle(c); }, command);
}

void NetLoop::handle(const command::Connect& command)
{
    dial(command.host, command.port);
}

void NetLoop::handle(const command::Disconnect& command)
{
    if (Connection* connection = findForCommand(command.peer); connection != nullptr && !connection->closing)
        closeConnection(*connection, {wire::CloseReason::Normal, "", "disconnected by you"}, Millis{3000});
}

void NetLoop::handle(const command::SetHosting& command)
{
    m_accepting = command.accepting;
    emit(event::HostingChanged{m_accepting});
}

void NetLoop::handle(const command::SetDisplayName& command)
{
    if (!isUsableName(command.name))
        return emit(event::Error{PeerId{}, "invalid display name (1 to 64 bytes of UTF-8)"});
    try {
        m_profile->setSetting(kDisplayNameSetting, command.name);
    } catch (const std::exception& e) {
        return emit(event::Error{PeerId{}, std::string("cannot save the display name: ") + e.what()});
    }
    // Sessions already introduced themselves; the new name is used from the next connection on.
    m_context->displayName = command.name;
    if (m_discovery) m_discovery->setDisplayName(command.name);
}

void NetLoop::handle(const command::ConfirmPeer& command)
{
    if (Connection* connection = findForCommand(command.peer); connection != nullptr)
        withSession(*connection, [](Session& session, SessionActions& out) { session.confirm(out); });
}

void NetLoop::handle(const command::RejectPeer& command)
{
    if (Connection* connection = findForCommand(command.peer); connection != nullptr && !connection->closing)
        closeConnection(*connection, {wire::CloseReason::UserRejected, "", "rejected by you"}, Millis{3000});
}

void NetLoop::handle(const command::Shutdown&)
{
    m_running = false;
}

void NetLoop::runTimers(MonoTime now)
{
    std::vector<std::uint64_t> ids;
    for (const auto& [id, connection] : m_connections)
        ids.push_back(id);
    for (std::uint64_t id : ids) {
        Connection* connection = find(PeerId{id});
        if (connection == nullptr) continue;
        if (connection->closing) {
            // The peer never acknowledged our disconnect: drop it without waiting any longer.
            if (now >= connection->closeDeadline) {
                enet_peer_reset(connection->peer);
                finish(*connection, connection->endReason);
            }
        } else if (!connection->transportUp) {
            if (now - connection->startedAt >= kConnectTimeout) {
                enet_peer_reset(connection->peer);
                finish(*connection, "could not reach " + connection->address);
            }
        } else if (silence(*connection, now) >= kPeerSilenceLimit) {
            enet_peer_reset(connection->peer);
            finish(*connection, "connection lost (no answer for " +
                                    std::to_string(kPeerSilenceLimit.count() / 1000) + " s)");
        } else if (connection->session && !connection->session->authenticated() &&
                   now >= connection->handshakeDeadline) {
            closeConnection(*connection,
                            {wire::CloseReason::HandshakeFailed, "timed out", "handshake timed out"},
                            Millis{1000});
        }
    }
    if (now - m_lastStats >= kStatsInterval) emitStats(now);
    chatTimers(now);
    natTimers(now);
}

void NetLoop::emitStats(MonoTime now)
{
    const auto elapsedMs = std::chrono::duration_cast<Millis>(now - m_lastStats).count();
    m_lastStats = now;
    if (elapsedMs <= 0) return;
    for (auto& [id, connection] : m_connections) {
        if (connection.closing || !connection.session || !connection.session->verified()) continue;
        const ENetPeer& peer = *connection.peer;
        event::LinkStats stats;
        stats.peer = connection.id;
        stats.rttMs = peer.roundTripTime;
        stats.lossRatio =
            static_cast<double>(peer.packetLoss) / static_cast<double>(ENET_PEER_PACKET_LOSS_SCALE);
        const auto perSecond = [elapsedMs](std::uint64_t bytes) {
            return bytes * 1000 / static_cast<std::uint64_t>(elapsedMs);
        };
        stats.bytesInPerSec = perSecond(connection.bytesIn - connection.bytesInAtLastStats);
        stats.bytesOutPerSec = perSecond(connection.bytesOut - connection.bytesOutAtLastStats);
        connection.bytesInAtLastStats = connection.bytesIn;
        connection.bytesOutAtLastStats = connection.bytesOut;
        emit(stats);
    }
}

Millis NetLoop::serviceTimeout(MonoTime now) const
{
    MonoTime next = now + kIdleWait;
    // Chunks wait for room in ENet's queue; acknowledgements free it without an event, so look again soon.
    if (m_transfers && m_transfers->busy()) next = now + Millis{1};
    bool anyVerified = false;
    for (const auto& [id, connection] : m_connections) {
        if (connection.closing) {
            next = std::min(next, connection.closeDeadline);
        } else if (!connection.transportUp) {
            next = std::min(next, connection.startedAt + kConnectTimeout);
        } else if (connection.session) {
            if (!connection.session->authenticated()) next = std::min(next, connection.handshakeDeadline);
            anyVerified = anyVerified || connection.session->verified();
        }
    }
    if (anyVerified) next = std::min(next, m_lastStats + kStatsInterval);
    if (const std::optional<MonoTime> wake = chatWake(now)) next = std::max(now, std::min(next, *wake));
    if (m_nat)
        if (const std::optional<MonoTime> wake = m_nat->nextWake())
            next = std::max(now, std::min(next, *wake));
    // Rounded up: waitForPacing() waits for the exact time, so the millisecond wait never spins.
    if (const std::optional<MonoTime> wake = bulkWake(now))
        next = std::max(now, std::min(next, now + std::chrono::ceil<Millis>(*wake - now)));
    // ENet's own timers: half-open peers are not in m_connections, so ask the host directly.
    const ENetHost* host = m_host->get();
    for (std::size_t i = 0; i < host->peerCount; ++i) {
        const ENetPeer& peer = host->peers[i];
        if (peer.state == ENET_PEER_STATE_DISCONNECTED) continue;
        const bool inFlight =
            !enet_list_empty(&peer.sentReliableCommands) || !enet_list_empty(&peer.outgoingCommands);
        next = std::min(next, now + (inFlight ? kRetransmitCheck : kKeepAliveCheck));
    }
    return std::max(Millis{0}, std::chrono::duration_cast<Millis>(next - now));
}

void NetLoop::emit(Event event)
{
    m_events.push(std::move(event));
    m_eventsPending = true;
}

void NetLoop::flushEvents()
{
    if (!m_eventsPending) return;
    m_eventsPending = false;
    if (m_wakeFrontEnd) m_wakeFrontEnd();
}

} // namespace duet::net
