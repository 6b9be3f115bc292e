#pragma once
// Brings a ScriptedPeer to a verified session with `bob` (who auto-confirms): handshake, Hello with
// `capabilities`, both confirmations. Returns bob's id for the link; fails the test otherwise.
#include "ScriptedPeer.hpp"

#include <doctest/doctest.h>

namespace duet::test {

inline PeerId verifyScriptedPeer(ScriptedPeer& peer, TestPeer& bob, const std::string& name,
                                 std::uint32_t capabilities = 0)
{
    REQUIRE(peer.connect(bob.port()));
    REQUIRE(peer.handshake());
    peer.sendApp(0, wire::Hello{name, capabilities});
    REQUIRE(peer.receiveApp()); // Hello
    REQUIRE(peer.receiveApp()); // PeerConfirmed: bob auto-confirms
    peer.sendApp(0, wire::PeerConfirmed{});
    auto verified = bob.waitFor<event::PeerVerified>();
    REQUIRE(verified);
    return verified->peer;
}

} // namespace duet::test
