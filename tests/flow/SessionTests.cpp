// BulkSession: two sealed ends exchanging real frames, and what a forger, a replayer or a broken peer gets.
#include "duet/flow/BulkSession.hpp"
#include "duet/wire/Frame.hpp"

#include <doctest/doctest.h>

namespace duet::flow {
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

struct Pair {
    explicit Pair(crypto::PacketAead aead = crypto::PacketAead::XChaCha20Poly1305) : alice(aead), bob(aead) {}
    Pair(crypto::PacketAead aliceAead, crypto::PacketAead bobAead) : alice(aliceAead), bob(bobAead) {}
    struct Alice : BulkSession {
        explicit Alice(crypto::PacketAead aead) : BulkSession(key(1), key(2), start(), 1, aead) {}
    };
    struct Bob : BulkSession {
        explicit Bob(crypto::PacketAead aead) : BulkSession(key(2), key(1), start(), 2, aead) {}
    };
    // Alice's send key is Bob's receive key and the other way round, as after a handshake.
    Alice alice;
    Bob bob;
};

// Both AEADs where this CPU has AES-256-GCM, else XChaCha20-Poly1305 alone.
std::vector<crypto::PacketAead> aeads()
{
    std::vector<crypto::PacketAead> all{crypto::PacketAead::XChaCha20Poly1305};
    if (crypto::aesGcmAvailable()) all.push_back(crypto::PacketAead::Aes256Gcm);
    return all;
}

// Moves frames both ways, 1 ms per step, until nothing moves; returns what Bob received.
std::vector<wire::Bytes> exchange(Pair& pair, MonoTime& now, int maxSteps = 2000)
{
    std::vector<wire::Bytes> received;
    std::vector<wire::Bytes> ignored;
    for (int step = 0; step < maxSteps; ++step) {
        bool moved = false;
        for (int i = 0; i < 1000; ++i) {
            std::optional<wire::Bytes> frame = pair.alice.poll(now);
            if (!frame) break;
            moved = true;
            REQUIRE(pair.bob.onFrame(*frame, now, received) == BulkSession::Input::Accepted);
        }
        for (int i = 0; i < 1000; ++i) {
            std::optional<wire::Bytes> frame = pair.bob.poll(now);
            if (!frame) break;
            moved = true;
            REQUIRE(pair.alice.onFrame(*frame, now, ignored) == BulkSession::Input::Accepted);
        }
        if (!moved && pair.alice.idle() && !pair.bob.nextWake(now)) break;
        now += 1ms;
    }
    return received;
}

} // namespace

TEST_CASE("flow session: sealed frames carry messages from one end to the other")
{
    for (const crypto::PacketAead aead : aeads()) {
        CAPTURE(static_cast<int>(aead));
        Pair pair(aead);
        std::vector<wire::Bytes> messages;
        for (std::uint8_t m = 0; m < 4; ++m)
            messages.push_back(wire::Bytes(100'000 + m, m));
        for (const wire::Bytes& message : messages)
            REQUIRE(pair.alice.queue(message));
        MonoTime now = start();
        const std::vector<wire::Bytes> received = exchange(pair, now);
        CHECK(received == messages);
        CHECK(pair.alice.idle());
        CHECK(pair.alice.sender().stats().bytesRetransmitted == 0);
    }
}

TEST_CASE("flow session: forged, tampered, misdirected and foreign frames are dropped")
{
    for (const crypto::PacketAead aead : aeads()) {
        CAPTURE(static_cast<int>(aead));
        Pair pair(aead);
        REQUIRE(pair.alice.queue(wire::Bytes(5000, 9)));
        const MonoTime now = start();
        const std::optional<wire::Bytes> frame = pair.alice.poll(now);
        REQUIRE(frame.has_value());
        std::vector<wire::Bytes> out;

        wire::Bytes tampered = *frame;
        tampered.back() ^= 1;
        CHECK(pair.bob.onFrame(tampered, now, out) == BulkSession::Input::Dropped);
        wire::Bytes renumbered = *frame; // the sequence is the nonce: another number does not open
        renumbered[wire::kFrameHeaderSize] ^= 1;
        CHECK(pair.bob.onFrame(renumbered, now, out) == BulkSession::Input::Dropped);
        // A data frame relabelled as an ack opens under neither prefix nor type.
        wire::Bytes relabelled = *frame;
        relabelled[3] = static_cast<std::uint8_t>(wire::FrameType::BulkAck);
        CHECK(pair.bob.onFrame(relabelled, now, out) == BulkSession::Input::Dropped);
        // Our own frame sent back to us: the directions have different keys.
        CHECK(pair.alice.onFrame(*frame, now, out) == BulkSession::Input::Dropped);
        CHECK(pair.bob.onFrame(wire::encodeFrame(wire::FrameType::Record, wire::Bytes(40, 1)), now, out) ==
              BulkSession::Input::Dropped);
        CHECK(pair.bob.onFrame(wire::Bytes{1, 2, 3}, now, out) == BulkSession::Input::Dropped);

        CHECK(pair.bob.onFrame(*frame, now, out) == BulkSession::Input::Accepted);
        // A replay is authentic but only a duplicate.
        CHECK(pair.bob.onFrame(*frame, now, out) == BulkSession::Input::Accepted);
        CHECK(pair.bob.receiver().duplicates() == 1);
    }
}

TEST_CASE("flow session: ends that chose different AEADs open nothing of each other")
{
    if (!crypto::aesGcmAvailable()) return; // nothing to mix on this CPU
    Pair pair(crypto::PacketAead::XChaCha20Poly1305, crypto::PacketAead::Aes256Gcm);
    REQUIRE(pair.alice.queue(wire::Bytes(3000, 4)));
    MonoTime now = start();
    std::vector<wire::Bytes> out;
    int frames = 0;
    for (int step = 0; step < 100 && frames < 3; ++step, now += 5ms) {
        const std::optional<wire::Bytes> frame = pair.alice.poll(now);
        if (!frame) continue; // paced
        ++frames;
        CHECK(pair.bob.onFrame(*frame, now, out) == BulkSession::Input::Dropped);
    }
    CHECK(frames == 3);
    CHECK(out.empty());
}

TEST_CASE("flow session: an authentic ack of a packet never sent is abuse")
{
    // Bob's sender has sent nothing; an ack Alice builds for her received packets names Bob's packet 0.
    Pair pair;
    REQUIRE(pair.bob.queue(wire::Bytes(10, 1)));
    MonoTime now = start();
    const std::optional<wire::Bytes> data = pair.bob.poll(now);
    REQUIRE(data.has_value());
    std::vector<wire::Bytes> out;
    REQUIRE(pair.alice.onFrame(*data, now, out) == BulkSession::Input::Accepted);
    now += 10ms;
    const std::optional<wire::Bytes> ack = pair.alice.poll(now);
    REQUIRE(ack.has_value());
    REQUIRE(wire::decodeFrame(*ack)->type == wire::FrameType::BulkAck);
    BulkSession fresh{key(2), key(1), start(), 3}; // same keys as Bob, but it never sent packet 0
    CHECK(fresh.onFrame(*ack, now, out) == BulkSession::Input::Abuse);
    CHECK(pair.bob.onFrame(*ack, now, out) == BulkSession::Input::Accepted);
    CHECK(pair.bob.idle());
}

} // namespace duet::flow
