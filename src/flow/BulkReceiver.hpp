#pragma once
// Receiving half of the bulk datagram transport (PROTOCOL.md §11): reassembles the byte stream from
// slices in any order, drops duplicates, hands out complete messages in stream order, and builds
// selective acknowledgements (at most kMaxBulkAckRanges ranges, the highest packet numbers first).
// It acknowledges every kAckEveryPackets packets, at once on a gap or a duplicate, and otherwise within
// kMaxAckDelay. Memory is bounded by the window: data beyond it is refused, never buffered.
// Pure: the caller gives the time and decrypts. Not thread-safe.
#include "duet/core/Clock.hpp"
#include "duet/flow/RangeSet.hpp"
#include "duet/flow/StreamFormat.hpp"
#include "duet/wire/Bulk.hpp"

#include <array>
#include <map>
#include <optional>
#include <vector>

namespace duet::flow {

inline constexpr std::uint64_t kAckEveryPackets = 8;
inline constexpr Millis kMaxAckDelay{2};

struct BulkReceiverConfig {
    // Stream bytes accepted beyond what has been handed out; must be >= the sender's maxBuffered.
    std::uint64_t window = 8u << 20;
};

class BulkReceiver {
public:
    enum class Verdict {
        Accepted,
        Duplicate, // already had it; harmless (a retransmission that crossed an ack)
        Refused,   // beyond the window or a message length above kMaxBulkMessage: the peer misbehaves
    };

    explicit BulkReceiver(BulkReceiverConfig config = {});

    Verdict onData(std::uint64_t packetNumber, const wire::BulkDataView& slice, MonoTime now);
    // Complete messages in stream order since the last call.
    std::vector<wire::Bytes> takeMessages();
    // An acknowledgement to send now, if one is due.
    std::optional<wire::BulkAck> pollAck(MonoTime now);
    // When pollAck() will have one due; nothing when no packet awaits acknowledgement.
    std::optional<MonoTime> nextAckTime() const;

    std::uint64_t deliveredOffset() const { return m_deliveredOffset; }
    // The largest packet number received so far (a compact datagram's number is expanded from it).
    std::optional<std::uint64_t> largestPacket() const { return m_packets.highest(); }
    std::uint64_t bufferedBytes() const { return m_bufferedBytes; }
    std::uint64_t duplicates() const { return m_duplicates; }

private:
    void deliverContiguous();
    bool consume(wire::ByteSpan bytes);

    BulkReceiverConfig m_config;
    RangeSet m_packets;                         // packet numbers received (the highest ranges only)
    std::map<std::uint64_t, wire::Bytes> m_out; // out-of-order slices by stream offset
    std::uint64_t m_bufferedBytes = 0;
    std::uint64_t m_deliveredOffset = 0;
    bool m_failed = false;

    // Message being assembled from the in-order stream.
    std::array<std::uint8_t, 4> m_prefix{};
    std::size_t m_prefixHave = 0;
    wire::Bytes m_message;
    std::size_t m_messageSize = 0;
    std::vector<wire::Bytes> m_ready;

    std::uint64_t m_unacked = 0;
    bool m_ackNow = false;
    MonoTime m_firstUnackedAt{};
    MonoTime m_largestReceivedAt{};
    std::uint64_t m_duplicates = 0;
};

} // namespace duet::flow
