// Fuzzes the handshake state machine. Input: mode u8, then
//   mode 0: frames (type u8 | length u16 LE | body) fed to a responder;
//   mode 1: the same, fed to an initiator after start();
//   mode 2: mutations (frame index u8 | body offset u16 LE | xor u8) applied to an honest run's frames.
// Invariants: nothing crashes; a failed handshake stays failed and sends nothing; an honest run completes
// with equal codes on both sides; a run with any frame changed never completes on both sides.
#include "duet/crypto/Crypto.hpp"

#include <algorithm>
#include <cstdlib>

using namespace duet;
using namespace duet::crypto;
using Role = Handshake::Role;

namespace {

constexpr std::size_t kMaxFrames = 8;

const Identity& initiatorIdentity()
{
    static const Identity identity = Identity::fromSeed({1});
    return identity;
}

const Identity& responderIdentity()
{
    static const Identity identity = Identity::fromSeed({2});
    return identity;
}

void require(bool condition)
{
    if (!condition) std::abort();
}

void feedFrames(Handshake& handshake, wire::ByteReader& in)
{
    for (std::size_t i = 0; i < kMaxFrames; ++i) {
        std::uint8_t type = 0;
        std::uint16_t length = 0;
        if (!in.u8(type) || !in.u16(length)) return;
        const ByteSpan rest = in.rest();
        const ByteSpan body = rest.first(std::min<std::size_t>(length, rest.size()));
        in = wire::ByteReader(rest.subspan(body.size()));
        const bool wasFailed = handshake.failed();
        const Handshake::Step step = handshake.onFrame(static_cast<wire::FrameType>(type), body);
        require(step.failed == handshake.failed());
        if (wasFailed) require(step.failed && step.send.empty());
        if (step.failed) require(!step.error.empty() && !handshake.complete());
    }
}

struct Mutation {
    std::uint8_t frame = 0;
    std::uint16_t offset = 0;
    std::uint8_t mask = 0;
};

void mutatedRun(wire::ByteReader& in)
{
    std::vector<Mutation> mutations;
    for (std::size_t i = 0; i < kMaxFrames; ++i) {
        Mutation m;
        if (!in.u8(m.frame) || !in.u16(m.offset) || !in.u8(m.mask)) break;
        mutations.push_back(m);
    }
    SeededRandom randomI(11);
    SeededRandom randomR(12);
    Handshake initiator(Role::Initiator, initiatorIdentity(), randomI);
    Handshake responder(Role::Responder, responderIdentity(), randomR);

    bool mutated = false;
    std::vector<Bytes> pending = initiator.start().send;
    bool toResponder = true;
    for (std::size_t index = 0; index < 4 && pending.size() == 1; ++index) {
        const wire::Result<wire::FrameView> frame = wire::decodeFrame(pending[0]);
        require(frame.ok());
        Bytes body(frame->body.begin(), frame->body.end());
        for (const Mutation& m : mutations)
            if (m.frame % 4 == index && !body.empty()) body[m.offset % body.size()] ^= m.mask;
        // Compared, not flagged per mutation: two mutations may cancel out and leave the frame honest.
        if (!std::equal(body.begin(), body.end(), frame->body.begin(), frame->body.end())) mutated = true;
        Handshake& receiver = toResponder ? responder : initiator;
        pending = receiver.onFrame(frame->type, body).send;
        toResponder = !toResponder;
    }
    if (!mutated) {
        require(initiator.complete() && responder.complete());
        require(initiator.verificationCode() == responder.verificationCode());
        require(initiator.keys().send.control == responder.keys().receive.control);
    } else {
        // Every byte of every handshake frame is bound by the commitment, the transcript or an AEAD tag.
        require(!(initiator.complete() && responder.complete()));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    wire::ByteReader in(ByteSpan(data, size));
    std::uint8_t mode = 0;
    if (!in.u8(mode)) return 0;
    switch (mode % 3) {
    case 0: {
        SeededRandom random(1);
        Handshake responder(Role::Responder, responderIdentity(), random);
        responder.start();
        feedFrames(responder, in);
        break;
    }
    case 1: {
        SeededRandom random(2);
        Handshake initiator(Role::Initiator, initiatorIdentity(), random);
        initiator.start();
        feedFrames(initiator, in);
        break;
    }
    default:
        mutatedRun(in);
        break;
    }
    return 0;
}
