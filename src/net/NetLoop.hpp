#pragma once
// The body of the net thread: owns the profile store, the identity, the ENet host and every connection.
// Executes commands, turns ENet events into session input, runs timers, and emits events.
// Thread: constructed, run and destroyed on the net thread only (Engine does this).
// Errors: a failure to start is reported as one event::Error (EngineErrors.hpp); nothing escapes run().
#include "duet/core/MessageQueue.hpp"
#include "duet/crypto/Crypto.hpp"
#include "duet/net/BulkLink.hpp"
#include "duet/net/ChatService.hpp"
#include "duet/net/DiscoveryGlue.hpp"
#include "duet/net/EnetHost.hpp"
#include "duet/net/Engine.hpp"
#include "duet/net/EngineErrors.hpp"
#include "duet/net/NatService.hpp"
#include "duet/net/RawDatagramSender.hpp"
#include "duet/net/Reconnector.hpp"
#include "duet/net/Session.hpp"
#include "duet/net/TransferService.hpp"
#include "duet/net/Waker.hpp"
#include "duet/profile/ProfileStore.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace duet::net {

class NetLoop : private TransferLink {
public:
    NetLoop(EngineConfig config, MessageQueue<Command>& commands, MessageQueue<Event>& events, Waker& waker,
            std::function<void()> wakeFrontEnd);
    ~NetLoop();
    NetLoop(const NetLoop&) = delete;
    NetLoop& operator=(const NetLoop&) = delete;

    // Returns after command::Shutdown (having closed every connection) or after a failure to start.
    void run();

private:
    struct Connection {
        PeerId id;
        ENetPeer* peer = nullptr;
        std::string address;
        bool outgoing = false;
        bool transportUp = false; // ENet reported CONNECT
        bool announced = false;   // PeerConnecting was emitted, so PeerDisconnected must follow
        std::optional<Session> session;
        std::unique_ptr<BulkLink> bulk; // once verified, unless the peer lacks the bulk channel
        bool rawBulk = false;           // bulk frames go straight on the socket (§11.8), not on channel 3
        bool compactBulk = false;       // and data in the compact format (§11.10)
        MonoTime startedAt{};           // connect() called, or the transport came up
        MonoTime handshakeDeadline{};
        bool closing = false;
        MonoTime closeDeadline{};
        std::string endReason; // what our user is told when the connection is gone
        // The wire::CloseReason that ended it, sent by either side.
        std::optional<std::uint16_t> closeCode;
        std::uint64_t bytesIn = 0;
        std::uint64_t bytesOut = 0;
        std::uint64_t bytesInAtLastStats = 0;
        std::uint64_t bytesOutAtLastStats = 0;
    };

    // NetLoop.cpp: life cycle, commands, timers.
    bool startUp();
    std::string resolveDisplayName();
    void loop();
    void shutDown();
    void handle(Command& command);
    void handle(const command::Connect& command);
    void handle(const command::Disconnect& command);
    void handle(const command::SetHosting& command);
    void handle(const command::SetDisplayName& command);
    void handle(const command::ConfirmPeer& command);
    void handle(const command::RejectPeer& command);
    void handle(const command::SendChat& command);
    void handle(const command::Shutdown& command);
    // NetLoopChat.cpp: durable chat (ChatService) and automatic reconnection (Reconnector).
    void startChat();
    void handle(const command::LoadHistory& command);
    void handle(const command::MarkRead& command);
    void handle(const command::SetTyping& command);
    void handle(const command::SearchHistory& command);
    void handle(const command::ClearHistory& command);
    void handle(const command::ExportHistory& command);
    void handle(const command::SetChatOptions& command);
    // Starts a connection attempt (PeerConnecting); zero and an Error event when it cannot start.
    PeerId dial(const std::string& host, std::uint16_t port);
    void chatTimers(MonoTime now);
    std::optional<MonoTime> chatWake(MonoTime now) const;
    void chatConnectionGone(const Connection& connection);
    // DiscoveryLoop.cpp: LAN discovery, driven from this thread next to ENet.
    void handle(const command::SetVisible& command);
    void handle(const command::SetDiscoveryInterfaces& command);
    void handle(const command::ListLanPeers& command);
    // NatNetLoop.cpp: internet connections through NATs (NatService), started on first use.
    void handle(const command::ShowNatCode& command);
    void handle(const command::ConnectNatCode& command);
    void startNat();
    void natTimers(MonoTime now);
    // Refuses a connection whose identity is not the one in the code it was dialled from.
    void natScreen(Connection& connection, SessionActions& actions);
    void startDiscovery();
    // Waits for ENet's socket, the discovery socket or the earliest timer, serves discovery, and returns
    // the timeout left for enet_host_service (0 when discovery runs, `timeout` when it is off).
    Millis waitForTraffic(Millis timeout);
    void emitDiscoveryState();
    void stopDiscovery();
    // NetLoopTransfers.cpp: file transfers (TransferService) wired to sessions and ENet channel 2.
    void sendTransferMessage(PeerId peer, const wire::AppMessage& message) override;
    void sendChunkFrame(PeerId peer, const wire::Bytes& frame, std::uint64_t* queued) override;
    bool chunksTravelSealed(PeerId peer) override;
    void closeForAbuse(PeerId peer, const std::string& reason) override;
    void emitEvent(Event event) override;
    void handle(const command::SendFiles& command);
    void handle(const command::AcceptOffer& command);
    void handle(const command::RejectOffer& command);
    void handle(const command::ControlTransfer& command);
    void handle(const command::SetDownloadDir& command);
    void handle(const command::SetAutoAccept& command);
    void handle(const command::ForgetTransfers& command);
    void startTransfers();
    // Hands a session's transfer input and verification to the transfer layer (after its sends).
    void routeTransferInput(Connection& connection, SessionActions& actions);
    // NetLoopBulk.cpp: the bulk datagram transport of verified connections on kBulkChannel.
    void startBulk(Connection& connection);
    // Opens `datagram` in place (a received buffer the caller no longer needs).
    // `compactData`: the datagram is compact BulkData (raw marker 0x7F), not a frame.
    void onBulkDatagram(Connection& connection, std::span<std::uint8_t> datagram, bool compactData = false);
    void pumpBulk();
    // Routes the raw bulk datagrams ENet's intercept set aside during the last service() call.
    void takeRawBulk();
    std::optional<MonoTime> bulkWake(MonoTime now) const;
    // Waits for a bulk pacing deadline sooner than `timeout` to the microsecond; returns what is left
    // for ENet's wait (0 once it waited, else `timeout` unchanged).
    Millis waitForPacing(Millis timeout);
    // While raw bulk datagrams may arrive the loop waits itself (returning 0): ENet's own wait would
    // go on sitting on datagrams its intercept set aside, up to the whole timeout.
    Millis waitForRawBulk(Millis timeout);
    void waitOnHostSocket(std::chrono::nanoseconds gap);
    // Commands this engine does not implement yet are answered with an error instead of vanishing.
    template <typename UnhandledCommand>
    void handle(const UnhandledCommand&)
    {
        emit(event::Error{PeerId{}, "this command is not supported by this build yet"});
    }
    void runTimers(MonoTime now);
    void emitStats(MonoTime now);
    Millis serviceTimeout(MonoTime now) const;
    void emit(Event event);
    void flushEvents();

    // NetLoopConnections.cpp: ENet events and the life of one connection.
    void onEnetEvent(ENetEvent& event);
    void onConnect(ENetPeer* peer);
    void onReceive(ENetPeer* peer, std::uint8_t channel, ENetPacket* packet);
    void onDisconnect(ENetPeer* peer, enet_uint32 data);
    // Runs a session input, then carries out what it asked for. Profile failures close the connection.
    void withSession(Connection& connection, const std::function<void(Session&, SessionActions&)>& input);
    void apply(Connection& connection, SessionActions& actions);
    void send(Connection& connection, std::uint8_t channel, const wire::Bytes& frame);
    void closeConnection(Connection& connection, const CloseRequest& request, Millis grace);
    void refuse(ENetPeer* peer, wire::CloseReason reason, const std::string& detail);
    // Forgets the connection (and emits PeerDisconnected when it was announced). `connection` dies here.
    void finish(Connection& connection, const std::string& reason);
    Connection& addConnection(ENetPeer* peer, std::string address, bool outgoing);
    Connection* find(PeerId id);
    Connection* find(ENetPeer* peer);
    Connection* findForCommand(PeerId id);
    Millis silence(const Connection& connection, MonoTime now) const;
    std::size_t pendingHandshakes() const;

    EngineConfig m_config;
    MessageQueue<Command>& m_commands;
    MessageQueue<Event>& m_events;
    Waker& m_waker;
    std::function<void()> m_wakeFrontEnd;
    SystemClock m_clock;
    crypto::SystemRandom m_random;

    std::unique_ptr<profile::ProfileStore> m_profile;
    crypto::Identity m_identity;
    std::optional<SessionContext> m_context;
    // Declared before the host: ENet frees queued chunk packets into counters the service owns.
    std::unique_ptr<TransferService> m_transfers; // null until started
    std::unique_ptr<EnetHost> m_host;
    std::unique_ptr<RawDatagramSender> m_rawSender; // on m_host's socket
    std::unique_ptr<ChatService> m_chat;
    std::unique_ptr<Reconnector> m_reconnect;   // null with autoReconnect off
    std::unique_ptr<DiscoveryGlue> m_discovery; // null when discovery is off or its socket failed
    std::unique_ptr<NatService> m_nat;          // null until the first code command; uses the host
    std::vector<PeerId> m_natConfirms;          // connections whose identity a pasted code vouched for

    std::map<std::uint64_t, Connection> m_connections; // by PeerId value
    std::uint64_t m_nextPeerId = 1;
    bool m_accepting = true;
    bool m_running = true;
    bool m_eventsPending = false;
    MonoTime m_lastStats{};
};

} // namespace duet::net
