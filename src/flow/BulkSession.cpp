#include "duet/flow/BulkSession.hpp"

#include "duet/crypto/Hashing.hpp"
#include "duet/wire/Frame.hpp"

#include <string_view>

namespace duet::flow {
namespace {

constexpr std::string_view kKeyLabel = "duet-bulk-v1";
// Nonce prefixes keep the two sequence spaces (data packet numbers, ack counter) apart under one key.
constexpr crypto::NoncePrefix kDataPrefix{'d', 'u', 'e', 't', '-', 'b', 'u', 'l',
                                          'k', '-', 'd', 'a', 't', 'a', 0,   0};
constexpr crypto::NoncePrefix kAckPrefix{'d', 'u', 'e', 't', '-', 'b', 'u', 'l',
                                         'k', '-', 'a', 'c', 'k', 0,   0,   0};

crypto::Key32 bulkKey(const crypto::Key32& fileKey)
{
    return crypto::labelledKey(kKeyLabel, fileKey);
}

std::uint64_t typeTag(wire::FrameType type)
{
    return static_cast<std::uint64_t>(type);
}

} // namespace

BulkSession::BulkSession(const crypto::Key32& sendFileKey, const crypto::Key32& receiveFileKey, MonoTime now,
                         std::uint32_t seed, crypto::PacketAead aead)
    : m_seal(bulkKey(sendFileKey), aead), m_open(bulkKey(receiveFileKey), aead),
      m_sender(now, BulkSenderConfig{8u << 20, seed})
{
}

std::optional<wire::Bytes> BulkSession::poll(MonoTime now)
{
    if (std::optional<wire::BulkAck> ack = m_receiver.pollAck(now)) {
        const std::uint64_t sequence = m_ackSequence++;
        const wire::Bytes sealed =
            m_seal.seal(typeTag(wire::FrameType::BulkAck), kAckPrefix, sequence, wire::encodeBulkAck(*ack));
        return wire::encodeFrame(wire::FrameType::BulkAck, wire::encodeBulkEnvelope(sequence, sealed));
    }
    const std::optional<OutgoingSlice> slice = m_sender.poll(now);
    if (!slice) return std::nullopt;
    // A retransmission has a new packet number, so it is sealed again under a fresh nonce.
    const wire::Bytes sealed =
        m_seal.seal(typeTag(wire::FrameType::BulkData), kDataPrefix, slice->packetNumber,
                    wire::encodeBulkData(slice->streamOffset, slice->data));
    return wire::encodeFrame(wire::FrameType::BulkData,
                             wire::encodeBulkEnvelope(slice->packetNumber, sealed));
}

std::optional<MonoTime> BulkSession::nextWake(MonoTime now) const
{
    std::optional<MonoTime> wake = m_sender.nextWake(now);
    if (const std::optional<MonoTime> ackAt = m_receiver.nextAckTime())
        wake = wake ? std::min(*wake, *ackAt) : *ackAt;
    return wake;
}

BulkSession::Input BulkSession::onFrame(wire::ByteSpan frame, MonoTime now,
                                        std::vector<wire::Bytes>& messages)
{
    const wire::Result<wire::FrameView> decoded = wire::decodeFrame(frame);
    if (!decoded.ok()) return Input::Dropped;
    const wire::FrameType type = decoded->type;
    if (type != wire::FrameType::BulkData && type != wire::FrameType::BulkAck) return Input::Dropped;
    const auto envelope = wire::decodeBulkEnvelope(decoded->body);
    if (!envelope.ok()) return Input::Dropped;
    const crypto::NoncePrefix& prefix = type == wire::FrameType::BulkData ? kDataPrefix : kAckPrefix;
    const std::optional<wire::Bytes> plaintext =
        m_open.open(typeTag(type), prefix, envelope->sequence, envelope->ciphertext);
    if (!plaintext) return Input::Dropped;

    if (type == wire::FrameType::BulkAck) {
        const auto ack = wire::decodeBulkAck(*plaintext);
        if (!ack.ok()) return Input::Abuse; // authentic but malformed: the peer's code is broken or hostile
        // Acks may arrive out of order or twice; an older one is still true, just less informative.
        return m_sender.onAck(ack.value(), now) ? Input::Accepted : Input::Abuse;
    }
    const auto data = wire::decodeBulkData(*plaintext);
    if (!data.ok()) return Input::Abuse;
    const BulkReceiver::Verdict verdict = m_receiver.onData(envelope->sequence, data.value(), now);
    for (wire::Bytes& message : m_receiver.takeMessages())
        messages.push_back(std::move(message));
    return verdict == BulkReceiver::Verdict::Refused ? Input::Abuse : Input::Accepted;
}

} // namespace duet::flow
