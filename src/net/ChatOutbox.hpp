#pragma once
// The outbox of one conversation (one peer identity) while the engine runs: the undelivered messages in
// the order the user wrote them, and which of them are on the wire on the current link.
// The profile database is the durable copy; this only decides what to put on the wire next:
// - nothing while the link is down; on link up, every undelivered message again, oldest first (the peer
//   stores each id once, so re-sending one whose acknowledgement was lost is harmless);
// - at most kWindow unacknowledged at a time, paced by a token bucket, so an honest burst never trips
//   the receiver's flood limit (ChatLimits.hpp).
// Pure: no I/O, the caller passes monotonic time. Thread: the net thread only.
#include "duet/core/Clock.hpp"
#include "duet/net/TokenBucket.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace duet::net {

struct OutboxMessage {
    std::uint64_t id = 0;
    std::string text;
    std::int64_t sentAtMs = 0; // when the user wrote it; stays the same on every re-send
};

class ChatOutbox {
public:
    static constexpr std::size_t kWindow = 256;
    static constexpr double kSendRatePerSecond = 800;
    static constexpr double kSendBurst = 256;

    explicit ChatOutbox(MonoTime now) : m_pacing(kSendRatePerSecond, kSendBurst, now) {}

    // The peer is connected and verified; `undelivered` is the stored outbox, oldest first. Replaces what
    // was held: the database is the truth.
    void linkUp(std::vector<OutboxMessage> undelivered);
    // The link is gone: nothing is in flight any more; everything is sent again on the next linkUp.
    void linkDown();
    bool online() const { return m_online; }

    // A message just stored; goes out after the ones before it.
    void add(OutboxMessage message);
    // The next message to put on the wire now, or nothing (offline, window full, pacing, none left).
    std::optional<OutboxMessage> next(MonoTime now);
    // The peer stored `id`: true the first time for a message held here (it leaves the outbox).
    bool acknowledge(std::uint64_t id);
    // When next() may have something again because of pacing alone; nothing when only an
    // acknowledgement, a link or a new message can change that.
    std::optional<MonoTime> nextWake(MonoTime now);

    std::size_t size() const { return m_messages.size(); }
    std::size_t inFlight() const { return m_firstUnsent; }

private:
    std::deque<OutboxMessage> m_messages; // undelivered, oldest first
    std::size_t m_firstUnsent = 0;        // messages before this index are on the wire, unacknowledged
    bool m_online = false;
    TokenBucket m_pacing;
};

} // namespace duet::net
