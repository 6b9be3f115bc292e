#pragma once
// Drives two Handshake objects against each other through real wire frames, for the handshake tests.
#include "duet/crypto/Crypto.hpp"

#include <doctest/doctest.h>
#include <utility>

namespace duet::crypto::testing {

struct Party {
    Party(Handshake::Role role, std::uint64_t seed)
        : random(seed), identity(Identity::generate(random)), handshake(role, identity, random)
    {
    }
    Party(Handshake::Role role, std::uint64_t seed, const Identity& id)
        : random(seed), identity(id), handshake(role, identity, random)
    {
    }
    SeededRandom random;
    Identity identity;
    Handshake handshake;
};

inline wire::FrameView viewOf(const Bytes& frame)
{
    const auto decoded = wire::decodeFrame(frame);
    REQUIRE(decoded.ok());
    return decoded.value();
}

inline Bytes bodyOf(const Bytes& frame)
{
    const ByteSpan body = viewOf(frame).body;
    return Bytes(body.begin(), body.end());
}

inline Handshake::Step deliver(Handshake& to, const Bytes& frame)
{
    const wire::FrameView view = viewOf(frame);
    return to.onFrame(view.type, view.body);
}

// Runs the exchange until nobody has anything to send; returns every frame in the order sent.
inline std::vector<Bytes> runHandshake(Handshake& initiator, Handshake& responder)
{
    std::vector<std::pair<bool, Bytes>> queue; // (addressed to the responder, frame)
    CHECK(responder.start().send.empty());
    for (Bytes& frame : initiator.start().send)
        queue.emplace_back(true, std::move(frame));
    std::vector<Bytes> sent;
    for (std::size_t i = 0; i < queue.size() && i < 16; ++i) {
        const bool toResponder = queue[i].first;
        const Bytes frame = queue[i].second;
        sent.push_back(frame);
        Handshake::Step step = deliver(toResponder ? responder : initiator, frame);
        for (Bytes& reply : step.send)
            queue.emplace_back(!toResponder, std::move(reply));
    }
    return sent;
}

inline bool isCodeFormat(const std::string& code)
{
    if (code.size() != 7 || code[3] != ' ') return false;
    for (std::size_t i = 0; i < code.size(); ++i)
        if (i != 3 && (code[i] < '0' || code[i] > '9')) return false;
    return true;
}

} // namespace duet::crypto::testing
