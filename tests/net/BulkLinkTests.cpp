// BulkLink: the net loop's view of the bulk transport. Two links over an in-memory path that loses,
// duplicates, reorders and corrupts; the producer's `queued` counter; what corruption, replays and a
// peer acknowledging packets never sent get.
#include "duet/flow/BulkSession.hpp"
#include "duet/net/BulkLink.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <random>

namespace duet::net {
namespace {

using namespace std::chrono_literals;

MonoTime start()
{
    return MonoTime{std::chrono::hours(1000)};
}

crypto::Key32 key(std::uint8_t fill)
{
    crypto::Key32 k{};
    k.fill(fill);
    return k;
}

wire::Bytes frameOf(std::size_t size, std::uint8_t seed)
{
    wire::Bytes frame(size);
    for (std::size_t i = 0; i < size; ++i)
        frame[i] = static_cast<std::uint8_t>(seed + i * 7);
    return frame;
}

struct Path {
    std::mt19937 random{42};
    double loss = 0;
    double duplicate = 0;
    double corrupt = 0;
    bool reorder = false;
    int dropped = 0;
    int damaged = 0;

    // The datagrams that make it across, in the order they arrive.
    std::vector<wire::Bytes> carry(std::vector<wire::Bytes> sent)
    {
        std::uniform_real_distribution<double> chance(0, 1);
        std::vector<wire::Bytes> out;
        for (wire::Bytes& datagram : sent) {
            if (chance(random) < loss) {
                ++dropped;
                continue;
            }
            if (chance(random) < duplicate) out.push_back(datagram);
            if (chance(random) < corrupt) {
                datagram[random() % datagram.size()] ^= 0x5A;
                ++damaged;
            }
            out.push_back(std::move(datagram));
        }
        if (reorder) std::shuffle(out.begin(), out.end(), random);
        return out;
    }
};

struct Ends {
    BulkLink alice{key(1), key(2), start(), 1};
    BulkLink bob{key(2), key(1), start(), 2};
    std::uint64_t queued = 0;
    std::vector<wire::Bytes> received;
    int droppedAtBob = 0;
    int droppedAtAlice = 0;
};

std::vector<wire::Bytes> drain(BulkLink& link, MonoTime now)
{
    std::vector<wire::Bytes> out;
    for (int i = 0; i < 4096; ++i) {
        std::optional<wire::Bytes> frame = link.poll(now);
        if (!frame) break;
        out.push_back(std::move(*frame));
    }
    return out;
}

// Runs both ends 1 ms per step until alice has everything acknowledged (or the step budget ends).
void run(Ends& ends, Path& path, MonoTime& now, int maxSteps = 20000)
{
    std::vector<wire::Bytes> ignored;
    for (int step = 0; step < maxSteps && !ends.alice.idle(); ++step) {
        for (wire::Bytes datagram : path.carry(drain(ends.alice, now))) {
            const BulkLink::Verdict verdict = ends.bob.onDatagram(datagram, now, ends.received);
            REQUIRE(verdict != BulkLink::Verdict::Abuse);
            if (verdict == BulkLink::Verdict::Dropped) ++ends.droppedAtBob;
        }
        for (wire::Bytes datagram : path.carry(drain(ends.bob, now))) {
            const BulkLink::Verdict verdict = ends.alice.onDatagram(datagram, now, ignored);
            REQUIRE(verdict != BulkLink::Verdict::Abuse);
            if (verdict == BulkLink::Verdict::Dropped) ++ends.droppedAtAlice;
        }
        now += 1ms;
    }
}

} // namespace

TEST_CASE("bulk link: frames arrive whole and in order, and queued falls to zero once acknowledged")
{
    Ends ends;
    Path path;
    MonoTime now = start();
    std::vector<wire::Bytes> sent;
    for (std::uint8_t i = 0; i < 6; ++i) {
        sent.push_back(frameOf(300'000 + i * 1000u, i));
        REQUIRE(ends.alice.queue(sent.back(), &ends.queued));
    }
    std::uint64_t total = 0;
    for (const wire::Bytes& frame : sent)
        total += frame.size();
    CHECK(ends.queued >= total); // queued counts until acknowledged, not until sent
    CHECK_FALSE(ends.alice.idle());
    run(ends, path, now);
    CHECK(ends.alice.idle());
    CHECK(ends.queued == 0);
    CHECK(ends.received == sent);
    CHECK_FALSE(ends.alice.nextWake(now).has_value()); // idle: the loop may sleep
}

TEST_CASE(
    "bulk link: loss, duplication, reordering and corruption neither break the stream nor count as abuse")
{
    Ends ends;
    Path path;
    path.loss = 0.05;
    path.duplicate = 0.05;
    path.corrupt = 0.03;
    path.reorder = true;
    MonoTime now = start();
    std::vector<wire::Bytes> sent;
    for (std::uint8_t i = 0; i < 8; ++i) {
        sent.push_back(frameOf(100'000 + i, i));
        REQUIRE(ends.alice.queue(sent.back(), &ends.queued));
    }
    run(ends, path, now);
    CHECK(ends.alice.idle());
    CHECK(ends.received == sent);
    CHECK(path.dropped > 0);
    CHECK(path.damaged > 0);
    CHECK(ends.droppedAtBob + ends.droppedAtAlice == path.damaged);
    CHECK(ends.bob.stats().droppedDatagrams + ends.alice.stats().droppedDatagrams ==
          static_cast<std::uint64_t>(path.damaged));
    CHECK(ends.alice.stats().packetsLost > 0);
    CHECK(ends.bob.stats().duplicatesReceived > 0);
}

TEST_CASE("bulk link: a replayed authentic datagram is accepted as a duplicate, never abuse")
{
    Ends ends;
    MonoTime now = start();
    REQUIRE(ends.alice.queue(frameOf(5000, 3), &ends.queued));
    std::vector<wire::Bytes> datagrams;
    for (int step = 0; step < 50; ++step, now += 1ms) // pacing spreads even a few datagrams out
        for (wire::Bytes& datagram : drain(ends.alice, now))
            datagrams.push_back(std::move(datagram));
    REQUIRE(datagrams.size() >= 5); // 5004 stream bytes in slices of at most 1200
    for (int round = 0; round < 3; ++round)
        for (wire::Bytes datagram : datagrams) // a copy: opening overwrites it in place
            CHECK(ends.bob.onDatagram(datagram, now, ends.received) == BulkLink::Verdict::Accepted);
    REQUIRE(ends.received.size() == 1);
    CHECK(ends.received[0] == frameOf(5000, 3));
}

TEST_CASE("bulk link: garbage and datagrams sealed under another key are dropped")
{
    Ends ends;
    MonoTime now = start();
    BulkLink stranger{key(9), key(8), start(), 3};
    REQUIRE(stranger.queue(frameOf(2000, 1), nullptr));
    for (wire::Bytes datagram : drain(stranger, now))
        CHECK(ends.bob.onDatagram(datagram, now, ends.received) == BulkLink::Verdict::Dropped);
    wire::Bytes garbage = frameOf(64, 200);
    CHECK(ends.bob.onDatagram(garbage, now, ends.received) == BulkLink::Verdict::Dropped);
    CHECK(ends.bob.onDatagram({}, now, ends.received) == BulkLink::Verdict::Dropped);
    CHECK(ends.received.empty());
}

TEST_CASE("bulk link: an authentic acknowledgement of packets never sent is abuse")
{
    // Someone holding the session keys (a broken peer) acknowledges data alice never sent: an impostor
    // of alice's sending side feeds a receiver sealing with bob's key, whose acks then reach alice.
    Ends ends;
    MonoTime now = start();
    flow::BulkSession impostor{key(1), key(7), start(), 4};
    flow::BulkSession fakeBob{key(2), key(1), start(), 5};
    REQUIRE(impostor.queue(frameOf(20'000, 2)));
    std::vector<wire::Bytes> ignored;
    for (int i = 0; i < 64; ++i) {
        std::optional<wire::Bytes> frame = impostor.poll(now);
        if (!frame) break;
        REQUIRE(fakeBob.onFrame(*frame, now, ignored) == flow::BulkSession::Input::Accepted);
    }
    std::optional<wire::Bytes> ack = fakeBob.poll(now + 5ms);
    REQUIRE(ack.has_value());
    CHECK(ends.alice.onDatagram(*ack, now + 5ms, ignored) == BulkLink::Verdict::Abuse);
}

TEST_CASE("bulk link: frames beyond the sender buffer wait in order, oversized ones are refused")
{
    Ends ends;
    MonoTime now = start();
    CHECK_FALSE(ends.alice.queue(frameOf(flow::kMaxBulkMessage + 1, 0), &ends.queued));
    CHECK_FALSE(ends.alice.queue({}, &ends.queued));
    CHECK(ends.queued == 0);
    std::vector<wire::Bytes> sent;
    for (std::uint8_t i = 0; i < 12; ++i) { // 12 MB: more than the 8 MiB the sender buffers
        sent.push_back(frameOf(1'000'000, i));
        REQUIRE(ends.alice.queue(sent.back(), &ends.queued));
    }
    CHECK(ends.queued >= 12'000'000);
    Path path;
    run(ends, path, now);
    CHECK(ends.received == sent);
    CHECK(ends.queued == 0);
}

TEST_CASE("bulk link: the wake-up is the exact time the next datagram may go, not a rounded one")
{
    Ends ends;
    MonoTime now = start();
    REQUIRE(ends.alice.queue(frameOf(400'000, 5), &ends.queued));
    drain(ends.alice, now); // the window or pacing stops it
    const std::optional<MonoTime> wake = ends.alice.nextWake(now);
    REQUIRE(wake.has_value());
    REQUIRE(*wake > now);
    // The net loop sleeps until exactly this time (NetLoop::waitForPacing): a microsecond earlier
    // there is nothing to send, at the time there is.
    CHECK_FALSE(ends.alice.poll(*wake - 1us).has_value());
    CHECK(ends.alice.poll(*wake).has_value());
}

} // namespace duet::net

namespace duet::net {

TEST_CASE("bulk link: stats show the congestion controller's window and what is in flight")
{
    BulkLink link(key(1), key(2), start(), 0);
    const BulkLinkStats idle = link.stats();
    CHECK(idle.cwnd >= 4 * 1200);
    CHECK(idle.bytesInFlight == 0);
    CHECK(idle.bufferedBytes == 0);

    std::uint64_t queued = 0;
    REQUIRE(link.queue(frameOf(20'000, 3), &queued));
    int sent = 0;
    while (sent < 64 && link.poll(start()).has_value())
        ++sent;
    REQUIRE(sent > 0);
    const BulkLinkStats busy = link.stats();
    CHECK(busy.packetsSent == static_cast<std::uint64_t>(sent));
    CHECK(busy.bytesInFlight > 0);
    CHECK(busy.bytesInFlight <= busy.cwnd);
    CHECK(busy.bufferedBytes == queued); // nothing acknowledged yet: all of it is still the sender's
    CHECK(busy.bytesAcknowledged == 0);
    CHECK(busy.mode == 0); // start-up
    // Without DUET_BULK_TRACE=1 in the environment there is never a trace line.
    CHECK_FALSE(link.traceLine(start() + 1s).has_value());
}

} // namespace duet::net
