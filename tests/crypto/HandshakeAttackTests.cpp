// Active attacks on the handshake: tampering, commitment games, weak keys, replays and a man in the middle.
#include "HandshakeHelpers.hpp"

#include <string_view>

using namespace duet::crypto;
using namespace duet::crypto::testing;
using duet::wire::FrameType;
using Role = Handshake::Role;

namespace {

bool contains(const std::string& text, std::string_view part)
{
    return text.find(part) != std::string::npos;
}

// The four frames of an honest run between fresh parties with these seeds.
std::vector<Bytes> honestFrames(std::uint64_t seedI, std::uint64_t seedR)
{
    Party i(Role::Initiator, seedI);
    Party r(Role::Responder, seedR);
    std::vector<Bytes> frames = runHandshake(i.handshake, r.handshake);
    REQUIRE(frames.size() == 4);
    return frames;
}

} // namespace

TEST_CASE("a tampered HandshakeReveal fails the responder")
{
    const Bytes reveal = bodyOf(honestFrames(1, 2)[2]);
    // Positions in the ephemeral key (0..31) break the commitment; the rest break the sealed identity.
    for (const std::size_t position : {0u, 31u, 32u, 60u, 127u, 128u, 143u}) {
        CAPTURE(position);
        Party i(Role::Initiator, 1);
        Party r(Role::Responder, 2);
        deliver(r.handshake, i.handshake.start().send.at(0));
        Bytes bent = reveal;
        bent[position] ^= 0x80;
        const Handshake::Step step = r.handshake.onFrame(FrameType::HandshakeReveal, bent);
        CHECK(step.failed);
        CHECK(step.send.empty());
        CHECK(contains(step.error, position < 32 ? "commitment mismatch" : "cannot open"));
    }
}

TEST_CASE("a tampered HandshakeFinish fails the initiator")
{
    for (const std::size_t position : {0u, 50u, 95u, 96u, 111u}) {
        CAPTURE(position);
        Party i(Role::Initiator, 1);
        Party r(Role::Responder, 2);
        const Bytes init = i.handshake.start().send.at(0);
        const Bytes reply = deliver(r.handshake, init).send.at(0);
        const Bytes reveal = deliver(i.handshake, reply).send.at(0);
        Bytes finish = bodyOf(deliver(r.handshake, reveal).send.at(0));
        REQUIRE(r.handshake.complete());
        finish[position] ^= 0x01;
        const Handshake::Step step = i.handshake.onFrame(FrameType::HandshakeFinish, finish);
        CHECK(step.failed);
        CHECK(contains(step.error, "cannot open"));
        CHECK_FALSE(i.handshake.complete());
    }
}

TEST_CASE("a tampered HandshakeReply makes the keys disagree, so the responder fails")
{
    Party i(Role::Initiator, 1);
    Party r(Role::Responder, 2);
    const Bytes reply = deliver(r.handshake, i.handshake.start().send.at(0)).send.at(0);
    Bytes bent = bodyOf(reply);
    bent[5] ^= 0x10;
    const Handshake::Step reveal = i.handshake.onFrame(FrameType::HandshakeReply, bent);
    REQUIRE(reveal.send.size() == 1);
    const Handshake::Step step = deliver(r.handshake, reveal.send[0]);
    CHECK(step.failed);
    CHECK(contains(step.error, "cannot open"));
}

TEST_CASE("a Reveal for another commitment fails with a commitment mismatch")
{
    const std::vector<Bytes> other = honestFrames(7, 8);
    Party i(Role::Initiator, 1);
    Party r(Role::Responder, 2);
    deliver(r.handshake, i.handshake.start().send.at(0));
    const Handshake::Step step = deliver(r.handshake, other[2]);
    CHECK(step.failed);
    CHECK(contains(step.error, "commitment mismatch"));
}

TEST_CASE("a replayed handshake from an earlier session does not complete")
{
    // An eavesdropper recorded a whole session and replays the initiator's frames to the same responder
    // identity: the responder's fresh ephemeral key makes the recorded identity unopenable.
    const std::vector<Bytes> recorded = honestFrames(1, 2);
    Party r(Role::Responder, 99);
    REQUIRE(deliver(r.handshake, recorded[0]).send.size() == 1);
    const Handshake::Step step = deliver(r.handshake, recorded[2]);
    CHECK(step.failed);
    CHECK(contains(step.error, "cannot open"));

    // And the responder's recorded frames replayed to a fresh initiator fail too.
    Party i(Role::Initiator, 98);
    i.handshake.start();
    const Handshake::Step reveal = deliver(i.handshake, recorded[1]);
    REQUIRE(reveal.send.size() == 1);
    CHECK(deliver(i.handshake, recorded[3]).failed);
}

TEST_CASE("all-zero (low-order) ephemeral keys are refused by both sides")
{
    const Key32 zero{};
    Party i(Role::Initiator, 1);
    i.handshake.start();
    const Handshake::Step reply = i.handshake.onFrame(FrameType::HandshakeReply, zero);
    CHECK(reply.failed);
    CHECK(contains(reply.error, "low-order"));

    // A Reveal of the zero key with a matching commitment reaches the key exchange and fails there.
    const Hash32 commitment =
        blake2b256({ByteSpan(reinterpret_cast<const std::uint8_t*>("duet-commit-v1"), 14), zero});
    Party r(Role::Responder, 2);
    REQUIRE(deliver(r.handshake, duet::wire::encode(duet::wire::HandshakeInit{1, commitment})).send.size() ==
            1);
    const Handshake::Step reveal = deliver(
        r.handshake, duet::wire::encode(duet::wire::HandshakeReveal{zero, duet::wire::SealedIdentity{}}));
    CHECK(reveal.failed);
    CHECK(contains(reveal.error, "low-order"));
}

TEST_CASE("connecting to yourself fails with a clear error")
{
    SeededRandom seeds(4);
    const Identity self = Identity::generate(seeds);
    Party i(Role::Initiator, 1, self);
    Party r(Role::Responder, 2, self);
    runHandshake(i.handshake, r.handshake);
    CHECK(r.handshake.failed());
    CHECK(contains(r.handshake.error(), "our own identity"));
    CHECK_FALSE(i.handshake.complete());
}

TEST_CASE("a relaying man in the middle with its own identity gets different codes on the two sides")
{
    // M answers I as a responder and calls R as an initiator, with its own identity in both handshakes.
    int compared = 0;
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
        CAPTURE(seed);
        Party i(Role::Initiator, seed * 10 + 1);
        Party r(Role::Responder, seed * 10 + 2);
        SeededRandom mRandom(seed * 10 + 3);
        const Identity mIdentity = Identity::generate(mRandom);
        Party mToI(Role::Responder, seed * 10 + 4, mIdentity);
        Party mToR(Role::Initiator, seed * 10 + 5, mIdentity);

        // M opens its side towards R as soon as I's Init arrives, to choose its moves knowing as much as it
        // can.
        const Bytes init = i.handshake.start().send.at(0);
        const Bytes mInit = mToR.handshake.start().send.at(0);
        const Bytes rReply = deliver(r.handshake, mInit).send.at(0);
        const Bytes mReveal = deliver(mToR.handshake, rReply).send.at(0);
        const Bytes rFinish = deliver(r.handshake, mReveal).send.at(0);
        deliver(mToR.handshake, rFinish);
        const Bytes mReply = deliver(mToI.handshake, init).send.at(0);
        const Bytes iReveal = deliver(i.handshake, mReply).send.at(0);
        const Bytes mFinish = deliver(mToI.handshake, iReveal).send.at(0);
        deliver(i.handshake, mFinish);

        REQUIRE(i.handshake.complete());
        REQUIRE(r.handshake.complete());
        // Both victims see M's key, not each other's: pinning catches M on later connections...
        CHECK(i.handshake.peerIdentity() == mIdentity.publicKey());
        CHECK(r.handshake.peerIdentity() == mIdentity.publicKey());
        // ...and on first contact the codes the two users read out differ.
        CHECK(i.handshake.verificationCode() != r.handshake.verificationCode());
        ++compared;
    }
    CHECK(compared == 30);
}

TEST_CASE("a man in the middle forwarding I's commitment to R cannot complete with R")
{
    Party i(Role::Initiator, 1);
    Party r(Role::Responder, 2);
    Party mToI(Role::Responder, 3);
    const Bytes init = i.handshake.start().send.at(0);
    REQUIRE(deliver(r.handshake, init).send.size() == 1); // R now expects I's committed key
    const Bytes mReply = deliver(mToI.handshake, init).send.at(0);
    const Bytes iReveal = deliver(i.handshake, mReply).send.at(0);
    // M forwards I's revealed key (which matches the commitment) but can only seal for its own keys.
    const Handshake::Step step = deliver(r.handshake, iReveal);
    CHECK(step.failed);
    CHECK(contains(step.error, "cannot open"));
}
