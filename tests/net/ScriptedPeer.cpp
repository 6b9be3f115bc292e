#include "ScriptedPeer.hpp"

#include "duet/crypto/Hashing.hpp"
#include "duet/net/Limits.hpp"

namespace duet::test {

ScriptedPeer::ScriptedPeer(std::uint64_t seed, std::size_t channels)
    : m_random(seed), m_identity(crypto::Identity::generate(m_random)),
      m_handshake(crypto::Handshake::Role::Initiator, m_identity, m_random), m_client("127.0.0.1", channels)
{
}

bool ScriptedPeer::handshake(std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    crypto::Handshake::Step step = m_handshake.start();
    while (!step.failed) {
        for (const wire::Bytes& frame : step.send)
            m_client.send(0, frame);
        if (m_handshake.complete()) break;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left <= 0ms) return false;
        auto packet = m_client.receive(left);
        if (!packet) return false;
        auto frame = wire::decodeFrame(*packet);
        if (!frame) return false;
        if (frame->type == wire::FrameType::Close) {
            if (auto close = wire::decodeClose(frame->body)) m_lastClose = *close;
            return false;
        }
        step = m_handshake.onFrame(frame->type, frame->body);
    }
    if (!m_handshake.complete()) return false;
    const crypto::SessionKeys& keys = m_handshake.keys();
    m_sendControl.emplace(keys.send.control);
    m_sendChat.emplace(keys.send.chat);
    m_openControl.emplace(keys.receive.control);
    m_openChat.emplace(keys.receive.chat);
    m_sendChatEcho.emplace(crypto::labelledKey("duet-chat-echo-v1", keys.send.chat));
    m_openChatEcho.emplace(crypto::labelledKey("duet-chat-echo-v1", keys.receive.chat));
    return true;
}

wire::Bytes ScriptedPeer::seal(std::uint8_t channel, const wire::AppMessage& message)
{
    return sealRaw(channel, wire::encodeApp(message));
}

wire::Bytes ScriptedPeer::sealRaw(std::uint8_t channel, const wire::Bytes& plaintext)
{
    crypto::StreamSealer& sealer = channel == 0                       ? *m_sendControl
                                   : channel == net::kChatEchoChannel ? *m_sendChatEcho
                                                                      : *m_sendChat;
    return wire::encodeFrame(wire::FrameType::Record, sealer.seal(plaintext));
}

std::optional<wire::AppMessage> ScriptedPeer::receiveApp(std::chrono::milliseconds timeout,
                                                         std::uint8_t* channelOut)
{
    std::uint8_t channel = 0;
    auto packet = m_client.receive(timeout, &channel);
    if (channelOut != nullptr) *channelOut = channel;
    if (!packet) return std::nullopt;
    auto frame = wire::decodeFrame(*packet);
    if (!frame) return std::nullopt;
    if (frame->type == wire::FrameType::Close) {
        if (auto close = wire::decodeClose(frame->body)) m_lastClose = *close;
        return std::nullopt;
    }
    const bool echo = channel == net::kChatEchoChannel;
    if (frame->type != wire::FrameType::Record || (channel > 1 && !echo)) return std::nullopt;
    auto plaintext = (channel == 0 ? *m_openControl : echo ? *m_openChatEcho : *m_openChat).open(frame->body);
    if (!plaintext) return std::nullopt;
    auto message = wire::decodeApp(*plaintext);
    if (!message) return std::nullopt;
    return *message;
}

wire::Offer offerOf(std::uint64_t offerId, std::vector<wire::OfferEntry> entries)
{
    wire::Offer offer;
    offer.offerId = offerId;
    offer.totalEntries = static_cast<std::uint32_t>(entries.size());
    for (const wire::OfferEntry& e : entries)
        offer.totalBytes += e.size;
    offer.entries = std::move(entries);
    return offer;
}

} // namespace duet::test
