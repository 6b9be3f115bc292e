// Pure pieces of durable chat and reconnection under a FakeClock: outbox, pacing, backoff.
#include "duet/core/Clock.hpp"
#include "duet/net/ChatOutbox.hpp"
#include "duet/net/ReconnectBackoff.hpp"
#include "duet/net/Reconnector.hpp"
#include "duet/net/TokenBucket.hpp"

#include <doctest/doctest.h>

using namespace duet;
using namespace duet::net;

namespace {

OutboxMessage message(std::uint64_t id)
{
    return OutboxMessage{id, "m" + std::to_string(id), 1000 + static_cast<std::int64_t>(id)};
}

std::vector<std::uint64_t> drain(ChatOutbox& outbox, MonoTime now, std::size_t bound = 10000)
{
    std::vector<std::uint64_t> ids;
    while (ids.size() < bound) {
        std::optional<OutboxMessage> next = outbox.next(now);
        if (!next) break;
        ids.push_back(next->id);
    }
    return ids;
}

} // namespace

TEST_CASE("outbox: nothing leaves while offline, link up sends the stored outbox in order")
{
    FakeClock clock;
    ChatOutbox outbox(clock.now());
    outbox.add(message(1)); // a message written while offline is not held twice once the link is up
    CHECK(!outbox.next(clock.now()));
    CHECK(!outbox.nextWake(clock.now()));
    outbox.linkUp({message(1), message(2), message(3)});
    CHECK(outbox.size() == 3);
    CHECK(drain(outbox, clock.now()) == std::vector<std::uint64_t>{1, 2, 3});
    CHECK(outbox.inFlight() == 3);
    outbox.add(message(4));
    CHECK(drain(outbox, clock.now()) == std::vector<std::uint64_t>{4});
}

TEST_CASE("outbox: acknowledged messages leave, a lost link re-sends the rest from the oldest")
{
    FakeClock clock;
    ChatOutbox outbox(clock.now());
    outbox.linkUp({message(1), message(2), message(3), message(4)});
    CHECK(drain(outbox, clock.now()).size() == 4);
    CHECK(outbox.acknowledge(1));
    CHECK(!outbox.acknowledge(1)); // a duplicate acknowledgement changes nothing
    CHECK(outbox.acknowledge(2));
    CHECK(!outbox.acknowledge(99));
    CHECK(outbox.inFlight() == 2);
    outbox.linkDown();
    CHECK(!outbox.online());
    CHECK(outbox.inFlight() == 0);
    CHECK(!outbox.next(clock.now()));
    // The database still holds 3 and 4 as undelivered, plus 5 written while offline.
    outbox.linkUp({message(3), message(4), message(5)});
    CHECK(drain(outbox, clock.now()) == std::vector<std::uint64_t>{3, 4, 5});
}

TEST_CASE("outbox: an acknowledgement for a message not yet re-sent removes it without disturbing order")
{
    FakeClock clock;
    ChatOutbox outbox(clock.now());
    outbox.linkUp({message(1), message(2), message(3)});
    CHECK(drain(outbox, clock.now(), 1) == std::vector<std::uint64_t>{1});
    CHECK(outbox.acknowledge(2)); // late ack of an earlier link's send
    CHECK(outbox.inFlight() == 1);
    CHECK(drain(outbox, clock.now()) == std::vector<std::uint64_t>{3});
}

TEST_CASE("outbox: at most kWindow unacknowledged, each acknowledgement lets one more out")
{
    FakeClock clock;
    ChatOutbox outbox(clock.now());
    std::vector<OutboxMessage> many;
    for (std::uint64_t id = 1; id <= ChatOutbox::kWindow + 50; ++id)
        many.push_back(message(id));
    outbox.linkUp(many);
    clock.advance(Millis{10000}); // pacing is not the limit here
    const std::vector<std::uint64_t> first = drain(outbox, clock.now());
    REQUIRE(first.size() <= ChatOutbox::kWindow);
    CHECK(first.front() == 1);
    CHECK(!outbox.nextWake(clock.now())); // only an acknowledgement can help now
    if (first.size() == ChatOutbox::kWindow) {
        CHECK(outbox.acknowledge(1));
        clock.advance(Millis{10}); // the burst of kWindow emptied the pacing bucket too
        const std::vector<std::uint64_t> more = drain(outbox, clock.now());
        REQUIRE(more.size() == 1);
        CHECK(more.front() == ChatOutbox::kWindow + 1);
    }
}

TEST_CASE("outbox: sending is paced, and nextWake says when the next one may go")
{
    FakeClock clock;
    ChatOutbox outbox(clock.now());
    std::vector<OutboxMessage> many;
    for (std::uint64_t id = 1; id <= 1000; ++id)
        many.push_back(message(id));
    outbox.linkUp(many);
    std::size_t sent = 0;
    std::uint64_t expected = 1;
    // Acknowledge at once so only pacing limits: 1000 messages need about (1000 - burst) / rate seconds.
    for (int step = 0; step < 10000 && sent < 1000; ++step) {
        while (std::optional<OutboxMessage> next = outbox.next(clock.now())) {
            CHECK(next->id == expected);
            ++expected;
            ++sent;
            outbox.acknowledge(next->id);
        }
        const std::optional<MonoTime> wake = outbox.nextWake(clock.now());
        if (!wake) break;
        CHECK(*wake > clock.now());
        clock.advance(std::chrono::duration_cast<Millis>(*wake - clock.now()));
    }
    CHECK(sent == 1000);
    CHECK(outbox.size() == 0);
}

TEST_CASE("token bucket: burst, then the rate")
{
    FakeClock clock;
    TokenBucket bucket(100, 10, clock.now());
    int taken = 0;
    for (int i = 0; i < 100; ++i)
        taken += bucket.tryTake(clock.now()) ? 1 : 0;
    CHECK(taken == 10);
    CHECK(bucket.waitFor(clock.now()) > Millis{0});
    clock.advance(Millis{100}); // 10 more tokens
    taken = 0;
    for (int i = 0; i < 100; ++i)
        taken += bucket.tryTake(clock.now()) ? 1 : 0;
    CHECK(taken == 10);
    clock.advance(Millis{100000});
    CHECK(bucket.tryTake(clock.now(), 10));
    CHECK(!bucket.tryTake(clock.now(), 1)); // never more than the burst
}

TEST_CASE("reconnect backoff: 1 s doubling to 60 s, jittered by at most 20 %, reset after success")
{
    ReconnectBackoff backoff;
    CHECK(backoff.nextDelay(0.5) == Millis{1000});
    CHECK(backoff.nextDelay(0.5) == Millis{2000});
    CHECK(backoff.nextDelay(0.0) == Millis{3200}); // 4 s - 20 %
    CHECK(backoff.nextDelay(0.999).count() <= 9600);
    for (int i = 0; i < 20; ++i)
        CHECK(backoff.nextDelay(0.5) <= Millis{60000});
    CHECK(backoff.base() == ReconnectBackoff::kLongest);
    backoff.reset();
    CHECK(backoff.nextDelay(0.5) == Millis{1000});
}

TEST_CASE("splitHostPort accepts ip:port and refuses the rest")
{
    auto parsed = splitHostPort("127.0.0.1:55555");
    REQUIRE(parsed);
    CHECK(parsed->first == "127.0.0.1");
    CHECK(parsed->second == 55555);
    CHECK(splitHostPort("[fe80::1]:4000")->first == "fe80::1");
    CHECK(!splitHostPort("127.0.0.1"));
    CHECK(!splitHostPort("127.0.0.1:"));
    CHECK(!splitHostPort("127.0.0.1:0"));
    CHECK(!splitHostPort("127.0.0.1:70000"));
    CHECK(!splitHostPort("127.0.0.1:12x"));
    CHECK(!splitHostPort(""));
}
