#include "duet/flow/BulkSession.hpp"

#include "duet/crypto/Hashing.hpp"
#include "duet/wire/Frame.hpp"

#include <algorithm>
#include <string_view>

namespace duet::flow {
namespace {

constexpr std::string_view kKeyLabel = "duet-bulk-v1";
// Nonce prefixes keep the two sequence spaces (data packet numbers, ack counter) apart under one key.
constexpr crypto::NoncePrefix kDataPrefix{'d', 'u', 'e', 't', '-', 'b', 'u', 'l',
                                          'k', '-', 'd', 'a', 't', 'a', 0,   0};
constexpr crypto::NoncePrefix kAckPrefix{'d', 'u', 'e', 't', '-', 'b', 'u', 'l',
                                         'k', '-', 'a', 'c', 'k', 0,   0,   0};
// Compact data (PROTOCOL.md §11.10) is sealed as its own type, so no sealed bytes of one format can be
// taken for the other's: the type is in the nonce and the associated data.
constexpr std::uint64_t kCompactDataType = 0x15;
constexpr crypto::NoncePrefix kCompactDataPrefix{'d', 'u', 'e', 't', '-', 'b', 'u', 'l',
                                                 'k', '-', 'c', 'd', 'a', 't', 'a', 0};

crypto::Key32 bulkKey(const crypto::Key32& fileKey)
{
    return crypto::labelledKey(kKeyLabel, fileKey);
}

// Only slice sizes whose datagram fits kMaxFrame in this format: a full frame has 12 bytes more header.
std::vector<std::uint32_t> withinFrame(std::vector<std::uint32_t> slices, bool compact)
{
    const std::size_t largest =
        BulkSession::kMaxFrame - (compact ? wire::kCompactDataOverhead : wire::kBulkDataFrameOverhead);
    std::erase_if(slices, [largest](std::uint32_t slice) { return slice > largest; });
    return slices;
}

std::uint64_t typeTag(wire::FrameType type)
{
    return static_cast<std::uint64_t>(type);
}

} // namespace

BulkSession::BulkSession(const crypto::Key32& sendFileKey, const crypto::Key32& receiveFileKey, MonoTime now,
                         std::uint32_t seed, crypto::PacketAead aead, std::vector<std::uint32_t> largerSlices,
                         bool compactData)
    : m_seal(bulkKey(sendFileKey), aead), m_open(bulkKey(receiveFileKey), aead),
      m_sender(now, BulkSenderConfig{8u << 20, seed, withinFrame(std::move(largerSlices), compactData)}),
      m_compactData(compactData)
{
    // A full frame has 12 bytes more header, so its largest slice is that much smaller.
    static_assert(wire::kBulkDataFrameOverhead - wire::kCompactDataOverhead == 12);
}

std::optional<wire::Bytes> BulkSession::poll(MonoTime now)
{
    wire::Bytes frame(kMaxFrame);
    const std::size_t size = pollInto(now, frame);
    if (size == 0) return std::nullopt;
    frame.resize(size);
    return frame;
}

std::size_t BulkSession::pollInto(MonoTime now, std::span<std::uint8_t> out)
{
    m_lastWasProbe = false;
    m_lastWasCompact = false;
    if (out.size() < kMaxFrame) return 0;
    if (std::optional<wire::BulkAck> ack = m_receiver.pollAck(now)) {
        // About one in eight packets: allocating here costs nothing that matters.
        const std::uint64_t sequence = m_ackSequence++;
        const wire::Bytes sealed =
            m_seal.seal(typeTag(wire::FrameType::BulkAck), kAckPrefix, sequence, wire::encodeBulkAck(*ack));
        const wire::Bytes frame =
            wire::encodeFrame(wire::FrameType::BulkAck, wire::encodeBulkEnvelope(sequence, sealed));
        std::copy(frame.begin(), frame.end(), out.begin());
        return frame.size();
    }
    const std::optional<OutgoingSlice> slice = m_sender.poll(now);
    if (!slice) return 0;
    m_lastWasProbe = slice->probe;
    // A retransmission has a new packet number, so it is sealed again under a fresh nonce.
    if (m_compactData) {
        m_lastWasCompact = true;
        const std::size_t plaintext =
            wire::writeCompactData(slice->packetNumber, slice->streamOffset, slice->data, out.data());
        return wire::kCompactDataPlaintextAt +
               m_seal.sealInPlace(kCompactDataType, kCompactDataPrefix, slice->packetNumber,
                                  out.subspan(wire::kCompactDataPlaintextAt), plaintext);
    }
    const std::size_t plaintext =
        wire::writeBulkDataFrame(slice->packetNumber, slice->streamOffset, slice->data, out.data());
    const std::size_t sealed =
        m_seal.sealInPlace(typeTag(wire::FrameType::BulkData), kDataPrefix, slice->packetNumber,
                           out.subspan(wire::kBulkDataPlaintextAt), plaintext);
    return wire::kBulkDataPlaintextAt + sealed;
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
    wire::Bytes copy(frame.begin(), frame.end());
    return onFrameInPlace(copy, now, messages);
}

BulkSession::Input BulkSession::onFrameInPlace(std::span<std::uint8_t> frame, MonoTime now,
                                               std::vector<wire::Bytes>& messages)
{
    const wire::Result<wire::FrameView> decoded = wire::decodeFrame(frame);
    if (!decoded.ok()) return Input::Dropped;
    const wire::FrameType type = decoded->type;
    if (type != wire::FrameType::BulkData && type != wire::FrameType::BulkAck) return Input::Dropped;
    const auto envelope = wire::decodeBulkEnvelope(decoded->body);
    if (!envelope.ok()) return Input::Dropped;
    const crypto::NoncePrefix& prefix = type == wire::FrameType::BulkData ? kDataPrefix : kAckPrefix;
    // The ciphertext is a view into `frame`, which the caller lent us to overwrite.
    const std::span<std::uint8_t> sealed(frame.data() + (envelope->ciphertext.data() - frame.data()),
                                         envelope->ciphertext.size());
    const std::optional<std::size_t> length =
        m_open.openInPlace(typeTag(type), prefix, envelope->sequence, sealed);
    if (!length) return Input::Dropped;
    const wire::ByteSpan plaintext(sealed.data(), *length);

    if (type == wire::FrameType::BulkAck) {
        const auto ack = wire::decodeBulkAck(plaintext);
        if (!ack.ok()) return Input::Abuse; // authentic but malformed: the peer's code is broken or hostile
        // Acks may arrive out of order or twice; an older one is still true, just less informative.
        return m_sender.onAck(ack.value(), now) ? Input::Accepted : Input::Abuse;
    }
    // A peer that agreed on the compact format sends no data frames: such a frame is noise.
    if (m_compactData) return Input::Dropped;
    return acceptData(envelope->sequence, plaintext, now, messages);
}

BulkSession::Input BulkSession::onCompactDataInPlace(std::span<std::uint8_t> data, MonoTime now,
                                                     std::vector<wire::Bytes>& messages)
{
    if (!m_compactData) return Input::Dropped;
    const auto view = wire::decodeCompactData(data);
    if (!view.ok()) return Input::Dropped;
    const std::optional<std::uint64_t> largest = m_receiver.largestPacket();
    const std::uint64_t packetNumber =
        wire::expandPacketNumber(view->packetNumberLow, largest ? *largest + 1 : 0);
    const std::span<std::uint8_t> sealed(data.data() + (view->sealed.data() - data.data()),
                                         view->sealed.size());
    const std::optional<std::size_t> length =
        m_open.openInPlace(kCompactDataType, kCompactDataPrefix, packetNumber, sealed);
    if (!length) return Input::Dropped;
    return acceptData(packetNumber, wire::ByteSpan(sealed.data(), *length), now, messages);
}

BulkSession::Input BulkSession::acceptData(std::uint64_t packetNumber, wire::ByteSpan plaintext, MonoTime now,
                                           std::vector<wire::Bytes>& messages)
{
    const auto data = wire::decodeBulkData(plaintext);
    if (!data.ok()) return Input::Abuse;
    const BulkReceiver::Verdict verdict = m_receiver.onData(packetNumber, data.value(), now);
    for (wire::Bytes& message : m_receiver.takeMessages())
        messages.push_back(std::move(message));
    return verdict == BulkReceiver::Verdict::Refused ? Input::Abuse : Input::Accepted;
}

} // namespace duet::flow
