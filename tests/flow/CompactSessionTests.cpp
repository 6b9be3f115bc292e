// BulkSession in the compact data format (PROTOCOL.md §11.10): messages cross both ways with data in
// compact datagrams and acks as frames, and no sealed bytes of one format pass as the other.
#include "duet/flow/BulkSession.hpp"

#include <doctest/doctest.h>

namespace duet::flow {
namespace {

using namespace std::chrono_literals;

const MonoTime kStart{std::chrono::hours(1000)};

crypto::Key32 filledKey(std::uint8_t fill)
{
    crypto::Key32 k{};
    k.fill(fill);
    return k;
}

crypto::PacketAead fastestAead()
{
    return crypto::aesGcmAvailable() ? crypto::PacketAead::Aes256Gcm : crypto::PacketAead::XChaCha20Poly1305;
}

// Alice's send key is Bob's receive key and the other way round, as after a handshake.
BulkSession makeEnd(bool alice, bool compact)
{
    return BulkSession(filledKey(alice ? 1 : 2), filledKey(alice ? 2 : 1), kStart, alice ? 1 : 2,
                       fastestAead(), {}, compact);
}

struct Delivery {
    BulkSession::Input input = BulkSession::Input::Dropped;
    bool compact = false;
};

// Polls one datagram from `from` and hands it to `to` the way the net loop does: by its marker.
std::optional<Delivery> moveOne(BulkSession& from, BulkSession& to, MonoTime now,
                                std::vector<wire::Bytes>& out)
{
    std::vector<std::uint8_t> buffer(BulkSession::kMaxFrame);
    const std::size_t size = from.pollInto(now, buffer);
    if (size == 0) return std::nullopt;
    const std::span<std::uint8_t> datagram(buffer.data(), size);
    Delivery delivery;
    delivery.compact = from.lastWasCompact();
    delivery.input = delivery.compact ? to.onCompactDataInPlace(datagram, now, out)
                                      : to.onFrameInPlace(datagram, now, out);
    return delivery;
}

} // namespace

TEST_CASE("flow session: compact data carries messages, acks stay frames")
{
    BulkSession alice = makeEnd(true, true);
    BulkSession bob = makeEnd(false, true);
    std::vector<wire::Bytes> messages;
    for (std::uint8_t m = 0; m < 4; ++m) {
        messages.push_back(wire::Bytes(100'000 + m, m));
        REQUIRE(alice.queue(messages.back()));
    }
    std::vector<wire::Bytes> received;
    std::vector<wire::Bytes> ignored;
    std::size_t compactDatagrams = 0;
    std::size_t ackFrames = 0;
    MonoTime now = kStart;
    for (int step = 0; step < 2000 && !(alice.idle() && !bob.nextWake(now)); ++step) {
        while (const std::optional<Delivery> delivery = moveOne(alice, bob, now, received)) {
            REQUIRE(delivery->input == BulkSession::Input::Accepted);
            CHECK(delivery->compact);
            ++compactDatagrams;
        }
        while (const std::optional<Delivery> delivery = moveOne(bob, alice, now, ignored)) {
            REQUIRE(delivery->input == BulkSession::Input::Accepted);
            CHECK_FALSE(delivery->compact);
            ++ackFrames;
        }
        now += 1ms;
    }
    CHECK(alice.idle());
    CHECK(received == messages);
    CHECK(compactDatagrams >= 400'000 / wire::kMaxBulkSlice);
    CHECK(ackFrames > 0);
}

TEST_CASE("flow session: compact and full-frame data never pass for each other")
{
    std::vector<wire::Bytes> out;
    std::vector<std::uint8_t> buffer(BulkSession::kMaxFrame);

    // A compact datagram to an end that did not agree on the format, and a full data frame to one that did.
    BulkSession compactAlice = makeEnd(true, true);
    BulkSession fullBob = makeEnd(false, false);
    REQUIRE(compactAlice.queue(wire::Bytes(3000, 7)));
    std::size_t size = compactAlice.pollInto(kStart, buffer);
    REQUIRE(compactAlice.lastWasCompact());
    const std::vector<std::uint8_t> compactDatagram(buffer.begin(), buffer.begin() + size);
    std::vector<std::uint8_t> copy = compactDatagram;
    CHECK(fullBob.onCompactDataInPlace(copy, kStart, out) == BulkSession::Input::Dropped);

    BulkSession fullAlice = makeEnd(true, false);
    BulkSession compactBob = makeEnd(false, true);
    REQUIRE(fullAlice.queue(wire::Bytes(3000, 7)));
    size = fullAlice.pollInto(kStart, buffer);
    REQUIRE_FALSE(fullAlice.lastWasCompact());
    const std::vector<std::uint8_t> fullFrame(buffer.begin(), buffer.begin() + size);
    copy = fullFrame;
    CHECK(compactBob.onFrameInPlace(copy, kStart, out) == BulkSession::Input::Dropped);

    // The full frame's sealed bytes re-wrapped as compact data (same keys, same packet number 0): the
    // compact format is sealed as another type, so they do not open.
    const std::size_t sealedAt = wire::kFrameHeaderSize + wire::kBulkEnvelopeHeader;
    std::vector<std::uint8_t> rewrapped{0, 0, 0, 0};
    rewrapped.insert(rewrapped.end(), fullFrame.begin() + static_cast<std::ptrdiff_t>(sealedAt),
                     fullFrame.end());
    CHECK(compactBob.onCompactDataInPlace(rewrapped, kStart, out) == BulkSession::Input::Dropped);

    // Tampered bytes and a wrong packet number fail too; the untouched datagram still opens after them.
    BulkSession bob = makeEnd(false, true);
    copy = compactDatagram;
    copy[copy.size() / 2] ^= 0x01;
    CHECK(bob.onCompactDataInPlace(copy, kStart, out) == BulkSession::Input::Dropped);
    copy = compactDatagram;
    copy[0] ^= 0x01;
    CHECK(bob.onCompactDataInPlace(copy, kStart, out) == BulkSession::Input::Dropped);
    copy.assign(compactDatagram.begin(), compactDatagram.begin() + 20);
    CHECK(bob.onCompactDataInPlace(copy, kStart, out) == BulkSession::Input::Dropped);
    copy = compactDatagram;
    CHECK(bob.onCompactDataInPlace(copy, kStart, out) == BulkSession::Input::Accepted);
    CHECK(bob.receiver().largestPacket() == 0);
}

} // namespace duet::flow
