#pragma once
// One verified connection's bulk datagram transport (PROTOCOL.md §11) as the net loop drives it: Chunk
// frames go in (queue), sealed BulkData/BulkAck frames come out (poll) for ENet channel kBulkChannel,
// frames from the peer go in (onDatagram) and the Chunk frames they complete come out in stream order.
// Accounting: `*queued` (TransferService's per-connection counter) always equals the chunk bytes handed
// in and not yet acknowledged by the peer, so the producer sees the pipe, not just the local queue.
// Thread: the net thread only. Errors: peer data never throws; see Verdict.
#include "duet/core/Clock.hpp"
#include "duet/crypto/Crypto.hpp"
#include "duet/crypto/PacketCipher.hpp"
#include "duet/wire/Bytes.hpp"

#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace duet::flow {
class BulkSession;
}

namespace duet::net {

struct BulkLinkStats {
    std::uint64_t packetsSent = 0;
    std::uint64_t bytesRetransmitted = 0;
    std::uint64_t packetsLost = 0;
    std::uint64_t probeTimeouts = 0;
    std::uint64_t duplicatesReceived = 0;
    std::uint64_t droppedDatagrams = 0; // did not open or decode: corruption, or someone else's noise
    std::chrono::nanoseconds smoothedRtt{0};
    double pacingRate = 0; // bytes per second
    // The congestion controller's view, for DUET_BULK_TRACE and diagnosis.
    std::uint64_t cwnd = 0;
    std::uint64_t bytesInFlight = 0;
    std::uint64_t bufferedBytes = 0; // queued in the sender, not yet acknowledged
    std::uint64_t bytesAcknowledged = 0;
    double bottleneckBandwidth = 0; // bytes per second
    std::chrono::nanoseconds minRtt{0};
    int mode = 0; // flow::Bbr::Mode
    std::uint64_t extraAcked = 0;
    std::uint32_t sliceSize = 0; // data slice size in use (path MTU search, PROTOCOL.md §11.9)
    std::uint64_t sizeProbesSent = 0;
    std::uint64_t sizeProbesLost = 0;
};

class BulkLink {
public:
    enum class Verdict {
        Accepted, // including authentic duplicates and late acks, which a lossy path produces
        Dropped,  // unauthentic or undecodable: ignored, counted, never fatal (corruption happens)
        Abuse,    // authentic but breaking the rules: the caller closes the connection
    };

    // Keys are the session's file keys of each direction (SessionKeys::send.file / receive.file).
    // `aead` is the one both sides chose (Session::sharedCapabilities, PROTOCOL.md §11.3).
    // `largerSlices`: slice sizes above the base to probe the path for, when the peer reads them (§11.9).
    // `compactData`: data in the compact raw format both ways (§11.10).
    BulkLink(const crypto::Key32& sendFileKey, const crypto::Key32& receiveFileKey, MonoTime now,
             std::uint32_t seed, crypto::PacketAead aead = crypto::PacketAead::XChaCha20Poly1305,
             std::vector<std::uint32_t> largerSlices = {}, bool compactData = false);
    crypto::PacketAead aead() const;
    ~BulkLink();
    BulkLink(const BulkLink&) = delete;
    BulkLink& operator=(const BulkLink&) = delete;

    // Takes one Chunk frame (at most flow::kMaxBulkMessage bytes; larger ones are refused with false).
    // Frames that do not fit the sender's buffer wait here, so the caller bounds memory through `queued`.
    bool queue(wire::Bytes frame, std::uint64_t* queued);
    // The next frame to send now (an ack first, then data), or nothing until nextWake().
    std::optional<wire::Bytes> poll(MonoTime now);
    // The same written into `out` (at least kMaxFrame bytes): its size, 0 for nothing.
    std::size_t pollInto(MonoTime now, std::span<std::uint8_t> out);
    static constexpr std::size_t kMaxFrame = 8968; // flow::BulkSession::kMaxFrame
    // The frame pollInto() last wrote is a path MTU probe, to be sent on its own (not in a GSO run).
    bool lastWasProbe() const;
    // ... and compact BulkData (raw marker 0x7F) rather than a frame.
    bool lastWasCompact() const;
    // When poll() may have something again, exact (pacing gaps are microseconds at LAN rates; the
    // loop waits for them precisely); nothing when only the peer can unblock it.
    std::optional<MonoTime> nextWake(MonoTime now) const;
    // One packet from the peer's bulk channel, opened in place (its bytes are overwritten); completed
    // Chunk frames are appended to `frames`.
    Verdict onDatagram(std::span<std::uint8_t> datagram, MonoTime now, std::vector<wire::Bytes>& frames,
                       bool compactData = false);

    // Everything handed in has been acknowledged.
    bool idle() const;
    BulkLinkStats stats() const;
    // With DUET_BULK_TRACE=1 in the environment, one line of stats at most every 100 ms while data
    // moves (for diagnosis; goes to stderr); otherwise always nothing.
    std::optional<std::string> traceLine(MonoTime now);

private:
    void feedSender();
    void updateQueued();

    std::unique_ptr<flow::BulkSession> m_session;
    std::deque<wire::Bytes> m_waiting; // frames the sender's buffer had no room for yet
    std::uint64_t m_waitingBytes = 0;
    std::uint64_t* m_queued = nullptr;
    std::uint64_t m_dropped = 0;
    MonoTime m_lastTrace{};
    std::uint64_t m_lastTraceAcknowledged = 0;
};

} // namespace duet::net
