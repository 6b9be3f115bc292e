#include "duet/state/EventText.hpp"

#include <doctest/doctest.h>

using namespace duet;
using duet::state::describeEvent;
using duet::state::quoteForLog;

TEST_CASE("event text: chat received is one line with the text quoted and escaped")
{
    const std::string line =
        describeEvent(event::ChatReceived{PeerId{2}, 77, "Bob", "hi \"you\"\nthere\\", 1'800'000'000'000});
    CHECK(line == "event ChatReceived peer=2 id=77 from=\"Bob\" text=\"hi \\\"you\\\"\\nthere\\\\\" "
                  "sentAtMs=1800000000000");
    CHECK(line.find('\n') == std::string::npos);
}

TEST_CASE("event text: every event kind has a name and its fields")
{
    CHECK(describeEvent(event::Listening{47001, "FP", {"10.0.0.2", "192.168.1.20"}}) ==
          "event Listening port=47001 fingerprint=\"FP\" addresses=\"10.0.0.2,192.168.1.20\"");
    CHECK(describeEvent(event::HostingChanged{true}) == "event HostingChanged accepting=true");
    CHECK(describeEvent(event::PeerConnecting{PeerId{1}, "1.2.3.4:5", false}) ==
          "event PeerConnecting peer=1 address=\"1.2.3.4:5\" outgoing=false");
    CHECK(describeEvent(event::PeerConnected{PeerId{1}, "A", "addr", "FP", "123456", Trust::Unverified}) ==
          "event PeerConnected peer=1 name=\"A\" address=\"addr\" fingerprint=\"FP\" code=\"123456\" "
          "trust=\"unverified\"");
    CHECK(describeEvent(event::PeerVerified{PeerId{1}}) == "event PeerVerified peer=1");
    CHECK(describeEvent(event::PeerKeyChanged{PeerId{1}, "A", "addr", "OLD", "NEW"}) ==
          "event PeerKeyChanged peer=1 name=\"A\" address=\"addr\" pinned=\"OLD\" presented=\"NEW\"");
    CHECK(describeEvent(event::PeerDisconnected{PeerId{1}, "bye"}) ==
          "event PeerDisconnected peer=1 reason=\"bye\"");
    CHECK(describeEvent(event::ChatSent{PeerId{1}, 5, 9}) == "event ChatSent peer=1 id=5 timeMs=9");
    CHECK(describeEvent(event::ChatDelivered{PeerId{1}, 5}) == "event ChatDelivered peer=1 id=5");
    CHECK(describeEvent(event::LinkStats{PeerId{1}, 12, 0.25, 3, 4}) ==
          "event LinkStats peer=1 rttMs=12 loss=0.2500 inBps=3 outBps=4");
    CHECK(describeEvent(event::Error{PeerId{}, "boom"}) == "event Error peer=0 reason=\"boom\"");
}

TEST_CASE("event text: control bytes are hex-escaped, UTF-8 passes through")
{
    CHECK(quoteForLog(std::string("\x01\x1b\x7f", 3)) == "\"\\x01\\x1B\\x7F\"");
    CHECK(quoteForLog("Zoë") == "\"Zoë\"");
    CHECK(quoteForLog("a\tb\rc") == "\"a\\tb\\rc\"");
}
