#pragma once
// One connection's bulk transport, sealed (PROTOCOL.md §11): the sending and receiving halves plus the
// AEAD of every datagram. Stream messages (Chunk frames) go in, BulkData/BulkAck frames come out for the
// bulk channel; frames from the peer go in, messages come out in stream order.
// Keys: the bulk keys are derived from this side's and the peer's file subkeys (one per direction).
// Not thread-safe; pure apart from libsodium. Errors are results, never exceptions on peer data.
#include "duet/crypto/PacketCipher.hpp"
#include "duet/flow/BulkReceiver.hpp"
#include "duet/flow/BulkSender.hpp"
#include "duet/wire/Bulk.hpp"

#include <span>

namespace duet::flow {

class BulkSession {
public:
    enum class Input {
        Accepted,
        Dropped, // unauthentic, undecodable or not a bulk frame: ignore it (count it, like a bad packet)
        Abuse,   // authentic but breaking the rules (window, message length, acks of unsent packets)
    };

    // `aead` must be one both sides chose (Hello capabilities, PROTOCOL.md §11.3). `largerSlices`: the
    // slice sizes above the base to probe the path for, only for a peer that reads them (§11.9).
    // `compactData`: data goes out in the compact raw format (§11.10), and only that format is taken in.
    BulkSession(const crypto::Key32& sendFileKey, const crypto::Key32& receiveFileKey, MonoTime now,
                std::uint32_t seed, crypto::PacketAead aead = crypto::PacketAead::XChaCha20Poly1305,
                std::vector<std::uint32_t> largerSlices = {}, bool compactData = false);

    bool canQueue(std::size_t size) const { return m_sender.canQueue(size); }
    bool queue(wire::ByteSpan message) { return m_sender.queue(message); }

    // The next complete frame to send now (an ack first, then data), or nothing.
    std::optional<wire::Bytes> poll(MonoTime now);
    // The same written into `out` (at least kMaxFrame bytes), sealed in place: its size, 0 for nothing.
    std::size_t pollInto(MonoTime now, std::span<std::uint8_t> out);
    static constexpr std::size_t kMaxFrame = wire::kMaxBulkDataFrame;
    // The last frame pollInto() wrote was a path MTU probe: it must not share a segmented send.
    bool lastWasProbe() const { return m_lastWasProbe; }
    // The last frame pollInto() wrote is compact BulkData (marker 0x7F), not a frame.
    bool lastWasCompact() const { return m_lastWasCompact; }
    // When poll() may have something again; nothing when only the peer can unblock this side.
    std::optional<MonoTime> nextWake(MonoTime now) const;
    // A frame from the peer's bulk channel; complete messages are appended to `messages`.
    Input onFrame(wire::ByteSpan frame, MonoTime now, std::vector<wire::Bytes>& messages);
    // The same, opening the frame in place (its bytes are overwritten): no copy, no allocation.
    Input onFrameInPlace(std::span<std::uint8_t> frame, MonoTime now, std::vector<wire::Bytes>& messages);
    // Compact BulkData (what follows a 0x7F raw header), opened in place. Dropped unless compactData.
    Input onCompactDataInPlace(std::span<std::uint8_t> data, MonoTime now,
                               std::vector<wire::Bytes>& messages);

    bool idle() const { return m_sender.idle(); }
    const BulkSender& sender() const { return m_sender; }
    const BulkReceiver& receiver() const { return m_receiver; }
    crypto::PacketAead aead() const { return m_seal.aead(); }

private:
    Input acceptData(std::uint64_t packetNumber, wire::ByteSpan plaintext, MonoTime now,
                     std::vector<wire::Bytes>& messages);

    crypto::PacketCipher m_seal;
    crypto::PacketCipher m_open;
    BulkSender m_sender;
    BulkReceiver m_receiver;
    std::uint64_t m_ackSequence = 0;
    bool m_lastWasProbe = false;
    bool m_lastWasCompact = false;
    bool m_compactData = false;
};

} // namespace duet::flow
