// The net loop's side of file transfers: commands, routing session input to the TransferService, and
// the TransferLink the service uses to reach the peer.
#include "duet/net/Limits.hpp"
#include "duet/net/NetLoop.hpp"

#include <iostream>

namespace duet::net {
namespace {

// ENet calls this when it frees a chunk packet (acknowledged, or dropped with its peer).
extern "C" void onChunkPacketFreed(ENetPacket* packet)
{
    auto* queued = static_cast<std::uint64_t*>(packet->userData);
    if (queued == nullptr) return;
    *queued -= std::min<std::uint64_t>(*queued, packet->dataLength);
}

} // namespace

void NetLoop::startTransfers()
{
    TransferServiceConfig config;
    config.downloadDir = m_config.downloadDir;
    config.autoAcceptAll = m_config.autoConfirm;
    // Chunks count as queued until the peer acknowledges them (bulk transport), so the limit is the pipe.
    config.maxQueuedChunkBytes = kBulkQueuedBytes;
    TransferLink& link = *this; // a private base: convert here, where it is accessible
    m_transfers = std::make_unique<TransferService>(std::move(config), link, m_clock, m_random, *m_profile);
}

void NetLoop::routeTransferInput(Connection& connection, SessionActions& actions)
{
    if (!m_transfers || !connection.session) return;
    // A connection verified and closed at once (the loser of a simultaneous dial, ChatService) must not
    // take the peer's transfers from the connection that stays: they would stall when it is gone.
    const bool closingNow = actions.close.has_value() || connection.closing;
    for (const Event& event : actions.events)
        if (std::holds_alternative<event::PeerVerified>(event) && !closingNow) {
            startBulk(connection);
            m_transfers->onPeerVerified(connection.id, connection.session->peerFingerprint(),
                                        connection.session->keys());
        }
    // Moved out first: the service may send (re-entering apply) while it handles them.
    std::vector<wire::AppMessage> messages = std::move(actions.transferMessages);
    std::vector<wire::Bytes> chunks = std::move(actions.chunkBodies);
    const PeerId id = connection.id;
    for (const wire::AppMessage& message : messages)
        m_transfers->onMessage(id, message);
    for (const wire::Bytes& chunk : chunks)
        m_transfers->onChunk(id, chunk);
}

void NetLoop::sendTransferMessage(PeerId peer, const wire::AppMessage& message)
{
    Connection* connection = find(peer);
    if (connection == nullptr || connection->closing || !connection->session) return;
    withSession(*connection, [&message](Session& session, SessionActions& out) {
        session.sendTransferMessage(message, out);
    });
}

void NetLoop::sendChunkFrame(PeerId peer, const wire::Bytes& frame, std::uint64_t* queued)
{
    Connection* connection = find(peer);
    if (connection == nullptr || connection->closing) return;
    if (connection->bulk) {
        if (connection->bulk->queue(frame, queued)) connection->bytesOut += frame.size();
        return;
    }
    ENetPacket* packet = enet_packet_create(frame.data(), frame.size(), ENET_PACKET_FLAG_RELIABLE);
    if (packet == nullptr) return;
    packet->userData = queued;
    packet->freeCallback = onChunkPacketFreed;
    if (queued != nullptr) *queued += frame.size();
    if (enet_peer_send(connection->peer, kDataChannel, packet) != 0) {
        enet_packet_destroy(packet); // runs the callback, which takes the bytes back off the counter
        return;
    }
    connection->bytesOut += frame.size();
}

bool NetLoop::chunksTravelSealed(PeerId peer)
{
    const Connection* connection = find(peer);
    return connection != nullptr && connection->bulk != nullptr;
}

void NetLoop::closeForAbuse(PeerId peer, const std::string& reason)
{
    Connection* connection = find(peer);
    if (connection == nullptr || connection->closing) return;
    std::cerr << "duet: closing " << connection->address << ": " << withoutControlCharacters(reason) << '\n';
    closeConnection(*connection, {wire::CloseReason::ProtocolError, "file transfer abuse", reason},
                    Millis{1000});
}

void NetLoop::emitEvent(Event event)
{
    emit(std::move(event));
}

void NetLoop::handle(const command::SendFiles& command)
{
    if (m_transfers) m_transfers->handle(command);
}

void NetLoop::handle(const command::AcceptOffer& command)
{
    if (m_transfers) m_transfers->handle(command);
}

void NetLoop::handle(const command::RejectOffer& command)
{
    if (m_transfers) m_transfers->handle(command);
}

void NetLoop::handle(const command::ControlTransfer& command)
{
    if (m_transfers) m_transfers->handle(command);
}

void NetLoop::handle(const command::SetDownloadDir& command)
{
    if (m_transfers) m_transfers->handle(command);
}

void NetLoop::handle(const command::ForgetTransfers& command)
{
    if (m_transfers) m_transfers->handle(command);
}

void NetLoop::handle(const command::SetAutoAccept& command)
{
    if (m_transfers) m_transfers->handle(command);
}

} // namespace duet::net
