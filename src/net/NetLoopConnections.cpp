#include "duet/net/Limits.hpp"
#include "duet/net/NetLoop.hpp"

#include <cstdint>
#include <enet/time.h>
#include <iostream>

namespace duet::net {
namespace {

// Our disconnect data carries the close reason too, so a peer whose Close frame was lost still learns it.
constexpr enet_uint32 kDisconnectTag = 0x44550000u;
constexpr enet_uint32 kDisconnectTagMask = 0xFFFF0000u;
constexpr Millis kRefusalGrace{1000};

void* peerData(PeerId id)
{
    return reinterpret_cast<void*>(static_cast<std::uintptr_t>(id.value));
}

// Cuts a UTF-8 string to at most `limit` bytes without splitting a character.
std::string truncateUtf8(std::string text, std::size_t limit)
{
    if (text.size() <= limit) return text;
    std::size_t end = limit;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
        --end;
    text.resize(end);
    return text;
}

} // namespace

NetLoop::Connection& NetLoop::addConnection(ENetPeer* peer, std::string address, bool outgoing)
{
    const PeerId id{m_nextPeerId++};
    peer->data = peerData(id);
    Connection& connection = m_connections[id.value];
    connection.id = id;
    connection.peer = peer;
    connection.address = std::move(address);
    connection.outgoing = outgoing;
    connection.startedAt = m_clock.now();
    return connection;
}

NetLoop::Connection* NetLoop::find(PeerId id)
{
    auto it = m_connections.find(id.value);
    return it == m_connections.end() ? nullptr : &it->second;
}

NetLoop::Connection* NetLoop::find(ENetPeer* peer)
{
    if (peer == nullptr || peer->data == nullptr) return nullptr;
    Connection* connection = find(PeerId{reinterpret_cast<std::uintptr_t>(peer->data)});
    return connection != nullptr && connection->peer == peer ? connection : nullptr;
}

NetLoop::Connection* NetLoop::findForCommand(PeerId id)
{
    Connection* connection = find(id);
    if (connection == nullptr || !connection->announced) {
        emit(event::Error{id, "no such peer"});
        return nullptr;
    }
    return connection;
}

Millis NetLoop::silence(const Connection& connection, MonoTime now) const
{
    // ENet stamps lastReceiveTime when the peer acknowledges something, on ENet's own millisecond clock;
    // before the first acknowledgement it is meaningless, so the time since connecting bounds it.
    const enet_uint32 nowEnet = enet_time_get();
    const Millis sinceAck{
        static_cast<Millis::rep>(ENET_TIME_DIFFERENCE(nowEnet, connection.peer->lastReceiveTime))};
    return std::min(sinceAck, std::chrono::duration_cast<Millis>(now - connection.startedAt));
}

std::size_t NetLoop::pendingHandshakes() const
{
    std::size_t count = 0;
    for (const auto& [id, connection] : m_connections) {
        if (!connection.closing && !(connection.session && connection.session->authenticated())) ++count;
    }
    return count;
}

void NetLoop::onEnetEvent(ENetEvent& event)
{
    switch (event.type) {
    case ENET_EVENT_TYPE_CONNECT:
        return onConnect(event.peer);
    case ENET_EVENT_TYPE_RECEIVE:
        return onReceive(event.peer, event.channelID, event.packet);
    case ENET_EVENT_TYPE_DISCONNECT:
        return onDisconnect(event.peer, event.data);
    case ENET_EVENT_TYPE_NONE:
        return;
    }
}

void NetLoop::onConnect(ENetPeer* peer)
{
    Connection* connection = nullptr;
    if (peer->data == nullptr) {
        // Only our own connect() sets data first, so this is an incoming connection.
        std::string address = formatAddress(peer->address);
        if (!m_accepting) return refuse(peer, wire::CloseReason::NotAccepting, "not accepting connections");
        if (pendingHandshakes() >= kMaxPendingHandshakes)
            return refuse(peer, wire::CloseReason::Busy, "too many connections in progress");
        connection = &addConnection(peer, std::move(address), false);
        connection->announced = true;
        emit(event::PeerConnecting{connection->id, connection->address, false});
    } else {
        connection = find(peer);
        if (connection == nullptr || connection->closing) {
            enet_peer_reset(peer);
            peer->data = nullptr;
            return;
        }
    }
    connection->transportUp = true;
    connection->startedAt = m_clock.now();
    EnetHost::tunePeer(peer);
    connection->handshakeDeadline = m_clock.now() + kHandshakeTimeout;
    connection->session.emplace(*m_context, connection->id,
                                connection->outgoing ? Session::Role::Initiator : Session::Role::Responder,
                                connection->address);
    withSession(*connection, [](Session& session, SessionActions& out) { session.start(out); });
}

void NetLoop::onReceive(ENetPeer* peer, std::uint8_t channel, ENetPacket* packet)
{
    Connection* connection = find(peer);
    if (connection != nullptr && !connection->closing && connection->session) {
        connection->bytesIn += packet->dataLength;
        const wire::ByteSpan bytes(packet->data, packet->dataLength);
        if (channel == kBulkChannel)
            onBulkDatagram(*connection, std::span(packet->data, packet->dataLength));
        else
            withSession(*connection, [channel, bytes](Session& session, SessionActions& out) {
                session.onPacket(channel, bytes, out);
            });
    }
    enet_packet_destroy(packet);
}

void NetLoop::onDisconnect(ENetPeer* peer, enet_uint32 data)
{
    Connection* connection = find(peer);
    peer->data = nullptr;
    if (connection == nullptr) return;
    std::string reason;
    if (connection->closing) {
        reason = connection->endReason;
    } else if (!connection->transportUp) {
        reason = "could not reach " + connection->address;
    } else if ((data & kDisconnectTagMask) == kDisconnectTag &&
               (data & 0xFFFFu) <= static_cast<enet_uint32>(wire::CloseReason::KeyMismatch)) {
        reason = "peer closed the connection: " +
                 describeCloseReason(static_cast<wire::CloseReason>(data & 0xFFFFu));
        connection->closeCode = static_cast<std::uint16_t>(data & 0xFFFFu);
    } else {
        reason = "connection lost";
    }
    finish(*connection, reason);
}

void NetLoop::withSession(Connection& connection, const std::function<void(Session&, SessionActions&)>& input)
{
    if (!connection.session || !connection.transportUp) {
        emit(event::Error{connection.id, "not connected yet"});
        return;
    }
    SessionActions actions;
    try {
        input(*connection.session, actions);
    } catch (const std::exception& e) {
        // The profile database failed mid-session: we cannot record trust decisions, so stop here.
        emit(event::Error{connection.id, std::string("profile database: ") + e.what()});
        actions.close = CloseRequest{wire::CloseReason::Normal, "internal error", "internal error"};
    }
    apply(connection, actions);
}

void NetLoop::apply(Connection& connection, SessionActions& actions)
{
    natScreen(connection, actions);
    for (const OutgoingFrame& frame : actions.send)
        send(connection, frame.channel, frame.frame);
    routeTransferInput(connection, actions);
    for (Event& event : actions.events)
        emit(std::move(event));
    if (actions.close) {
        // Reasons may quote a peer-chosen name; logs never carry its control characters.
        std::cerr << "duet: closing " << connection.address << ": "
                  << withoutControlCharacters(actions.close->localReason) << '\n';
        closeConnection(connection, *actions.close, Millis{3000});
    } else if (actions.peerClosed && !connection.closing) {
        // The peer disconnects right after its Close. Disconnecting too would cross its DISCONNECT, and
        // ENet 1.3.17 then drops both acknowledgements, leaving this side waiting for a timeout.
        connection.closing = true;
        connection.endReason = *actions.peerClosed;
        if (actions.peerCloseReason)
            connection.closeCode = static_cast<std::uint16_t>(*actions.peerCloseReason);
        connection.closeDeadline = m_clock.now() + Millis{3000};
    }
}

void NetLoop::send(Connection& connection, std::uint8_t channel, const wire::Bytes& frame)
{
    // ENet packs queued commands into one datagram; the echo must not share the lost datagram of the copy
    // it backs up, so what is queued goes out first.
    if (channel == kChatEchoChannel) enet_host_flush(m_host->get());
    ENetPacket* packet = enet_packet_create(frame.data(), frame.size(), ENET_PACKET_FLAG_RELIABLE);
    if (packet == nullptr) return;
    if (enet_peer_send(connection.peer, channel, packet) != 0) {
        enet_packet_destroy(packet);
        return;
    }
    connection.bytesOut += frame.size();
}

void NetLoop::closeConnection(Connection& connection, const CloseRequest& request, Millis grace)
{
    if (connection.closing) return;
    connection.closing = true;
    connection.endReason = request.localReason;
    connection.closeCode = static_cast<std::uint16_t>(request.reason);
    if (!connection.transportUp) {
        // Still connecting: there is nobody to tell.
        enet_peer_reset(connection.peer);
        return finish(connection, connection.endReason);
    }
    send(connection, kControlChannel,
         wire::encode(wire::Close{request.reason, truncateUtf8(request.detail, wire::kMaxCloseDetail)}));
    // "Later": ENet first delivers the queued Close, then disconnects.
    enet_peer_disconnect_later(connection.peer, kDisconnectTag | static_cast<enet_uint32>(request.reason));
    connection.closeDeadline = m_clock.now() + grace;
}

void NetLoop::refuse(ENetPeer* peer, wire::CloseReason reason, const std::string& detail)
{
    Connection& connection = addConnection(peer, formatAddress(peer->address), false);
    connection.transportUp = true;
    closeConnection(connection, {reason, detail, describeCloseReason(reason)}, kRefusalGrace);
}

void NetLoop::finish(Connection& connection, const std::string& reason)
{
    if (m_transfers) m_transfers->onPeerGone(connection.id);
    chatConnectionGone(connection);
    if (connection.announced) emit(event::PeerDisconnected{connection.id, reason, connection.closeCode});
    // Lost, not closed: a connection from a code is punched again (a NAT may have re-mapped a side).
    if (m_nat && connection.session && !connection.closing)
        m_nat->connectionLost(connection.session->peerFingerprint());
    // ENet keeps `data` across reuse of the slot; a stale id would make a new incoming peer look outgoing.
    if (connection.peer->data == peerData(connection.id)) connection.peer->data = nullptr;
    m_connections.erase(connection.id.value);
}

} // namespace duet::net
