#pragma once
// Sending half of the bulk datagram transport (PROTOCOL.md §11): a stream of length-prefixed messages
// cut into datagram-sized slices, each sent under a fresh packet number (retransmissions too, so every
// RTT sample and every nonce is unambiguous). Selective acks free the buffer; a slice is declared lost
// when three later packets were acknowledged, when it is 9/8 RTT older than an acknowledged one, or by
// the probe timeout; lost slices are sent again first. Bbr sets how much may be in flight and the pace.
// Pure: the caller gives the time, moves datagrams and acks, and encrypts. Not thread-safe.
#include "duet/flow/Bbr.hpp"
#include "duet/flow/RangeSet.hpp"
#include "duet/flow/SliceSizeSearch.hpp"
#include "duet/flow/StreamFormat.hpp"
#include "duet/wire/Bulk.hpp"

#include <deque>
#include <map>
#include <optional>

namespace duet::flow {

struct BulkSenderConfig {
    // Bytes queued but not yet acknowledged; also the receive window the peer must grant.
    std::uint64_t maxBuffered = 8u << 20;
    std::uint32_t seed = 0; // for the congestion controller's phase
    // Slice sizes above wire::kMaxBulkSlice to probe the path for (SliceSizeSearch); empty: never larger.
    std::vector<std::uint32_t> largerSlices;
};

struct OutgoingSlice {
    std::uint64_t packetNumber = 0;
    std::uint64_t streamOffset = 0;
    wire::ByteSpan data; // valid until the next call that changes the sender
    bool retransmission = false;
    bool probe = false; // a path MTU probe: larger than the slices before it, so it travels alone
};

struct BulkSenderStats {
    std::uint64_t packetsSent = 0;
    std::uint64_t bytesSent = 0; // slice payload, retransmissions included
    std::uint64_t bytesRetransmitted = 0;
    std::uint64_t packetsLost = 0;
    std::uint64_t spuriousLosses = 0; // declared lost, then acknowledged after all
    std::uint64_t probeTimeouts = 0;
    std::uint64_t bytesAcknowledged = 0; // stream bytes acknowledged once each
    std::chrono::nanoseconds smoothedRtt{0};
    std::uint32_t sliceSize = 0; // the data slice size in use
    std::uint64_t sizeProbesSent = 0;
    std::uint64_t sizeProbesLost = 0;
};

class BulkSender {
public:
    BulkSender(MonoTime now, BulkSenderConfig config);

    // True when a message of `size` bytes fits in the buffer now.
    bool canQueue(std::size_t size) const;
    // Appends one message (1 .. kMaxBulkMessage bytes). False, with nothing queued, when it does not fit.
    bool queue(wire::ByteSpan message);

    // The next slice to put on the wire now, or nothing when the window is full, pacing says wait, or
    // there is nothing to send. Runs the probe timeout, so call it whenever nextWake() has passed.
    std::optional<OutgoingSlice> poll(MonoTime now);
    // When poll() may have something again: the pacing deadline, a loss timer or the probe timeout.
    // Nothing when only an ack (or new data) can unblock the sender.
    std::optional<MonoTime> nextWake(MonoTime now) const;

    // Takes an acknowledgement. False, changing nothing, when it names a packet number never sent.
    bool onAck(const wire::BulkAck& ack, MonoTime now);

    // Every queued byte has been acknowledged.
    bool idle() const { return m_ackedOffset == m_writeOffset; }
    std::uint64_t bufferedBytes() const { return m_writeOffset - m_ackedOffset; }
    std::uint64_t bytesInFlight() const { return m_bytesInFlight; }
    const Bbr& congestion() const { return m_bbr; }
    BulkSenderStats stats() const;

private:
    struct SentPacket {
        std::uint64_t streamOffset = 0;
        std::uint32_t length = 0;
        MonoTime sentAt{};
        std::uint64_t deliveredAtSend = 0;
        MonoTime deliveredTimeAtSend{};
        MonoTime firstSentTimeAtSend{};
        bool appLimited = false;
    };
    struct Block { // one length-prefixed message, stream bytes [offset, offset + bytes.size())
        std::uint64_t offset = 0;
        wire::Bytes bytes;
    };

    wire::ByteSpan streamBytes(std::uint64_t offset, std::uint64_t maxLength) const;
    std::optional<std::pair<std::uint64_t, std::uint64_t>> nextRetransmission();
    std::optional<std::pair<std::uint64_t, std::uint64_t>> nextNewSlice(std::uint64_t size);
    std::chrono::nanoseconds probeTimeout() const;
    std::chrono::nanoseconds backedOffProbeTimeout() const; // doubled for every timeout in a row
    std::chrono::nanoseconds lossDelay() const;
    void updateRtt(std::chrono::nanoseconds sample, std::chrono::nanoseconds ackDelay);
    // Declares lost every packet the latest acknowledgement proves missing; returns the bytes lost.
    std::uint64_t detectLosses(MonoTime now);
    // Returns the bytes that count as congestion loss: none for a path MTU probe.
    std::uint64_t declareLost(std::map<std::uint64_t, SentPacket>::iterator it, MonoTime now);
    void onProbeTimeout(MonoTime now);
    void releaseAcknowledged();
    // cwnd, or while probing after a timeout two datagrams of the size in use.
    std::uint64_t sendWindow() const;

    BulkSenderConfig m_config;
    Bbr m_bbr;
    SliceSizeSearch m_sliceSize;
    struct LostProbe {
        std::uint64_t packetNumber = 0;
        std::uint64_t streamOffset = 0;
        std::uint32_t length = 0;
    };
    std::deque<LostProbe> m_lostProbes; // the last path MTU probes declared lost, in case they arrive late
    std::deque<Block> m_blocks;
    std::uint64_t m_writeOffset = 0; // end of the queued stream
    std::uint64_t m_nextOffset = 0;  // first byte never sent
    std::uint64_t m_ackedOffset = 0; // every byte below is acknowledged
    RangeSet m_ackedStream;
    std::deque<std::pair<std::uint64_t, std::uint64_t>> m_lost; // (offset, length) to send again

    std::map<std::uint64_t, SentPacket> m_inFlight; // by packet number
    // Recently declared lost (packet number -> bytes): an ack for one of these shows the path reorders.
    std::map<std::uint64_t, std::uint32_t> m_declaredLost;
    std::uint64_t m_packetThreshold;
    std::int64_t m_timeThresholdEighths; // of the RTT
    std::uint64_t m_nextPacketNumber = 0;
    std::uint64_t m_bytesInFlight = 0;
    std::optional<std::uint64_t> m_largestAcked;
    MonoTime m_largestAckedSentAt{};

    std::chrono::nanoseconds m_smoothedRtt{0};
    std::chrono::nanoseconds m_rttVariance{0};
    std::chrono::nanoseconds m_latestRtt{0};
    MonoTime m_lastAckOrProbe{};
    int m_probeCount = 0;
    bool m_afterTimeout = false; // a probe timeout fired and no ack has come since

    std::uint64_t m_delivered = 0;
    MonoTime m_deliveredTime{};
    MonoTime m_firstSentTime{};
    std::uint64_t m_appLimitedUntil = 0; // delivered count before which samples are app-limited

    MonoTime m_nextSendTime{};
    BulkSenderStats m_stats;
};

} // namespace duet::flow
