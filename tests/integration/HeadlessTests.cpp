// The headless front end's pure parts: the command-line grammar, escapes and the JSON event lines.
#include "Headless.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace duet;
using namespace duet::app::headless;
using nlohmann::json;

namespace {

template <typename T>
T expect(const Line& line)
{
    REQUIRE(std::holds_alternative<T>(line));
    return std::get<T>(line);
}

json parsed(const Event& event)
{
    auto line = toJson(event);
    REQUIRE(line);
    CHECK(line->find('\n') == std::string::npos); // one event, one line
    return json::parse(*line);
}

} // namespace

TEST_CASE("escapes: only backslash-n and a doubled backslash exist")
{
    std::string error;
    CHECK(unescape("a\\nb\\\\c", error) == std::optional<std::string>("a\nb\\c"));
    CHECK(unescape("\\\\n", error) == std::optional<std::string>("\\n"));
    CHECK(unescape("plain \u00e9", error) == std::optional<std::string>("plain \u00e9"));
    CHECK_FALSE(unescape("tab\\t", error));
    CHECK(error.find("unknown escape \\t") != std::string::npos);
    CHECK_FALSE(unescape("dangling\\", error));
}

TEST_CASE("command lines")
{
    CHECK(expect<ConnectLine>(parseLine("connect 10.0.0.2")).port == kDefaultPort);
    auto connect = expect<ConnectLine>(parseLine("connect example.org:4000\r"));
    CHECK(connect.host == "example.org");
    CHECK(connect.port == 4000);
    expect<LineError>(parseLine("connect 10.0.0.2:0"));
    expect<LineError>(parseLine("connect 10.0.0.2:70000"));
    expect<LineError>(parseLine("connect :5"));
    expect<LineError>(parseLine("connect"));

    CHECK(expect<SayLine>(parseLine("say  two spaces\\nand more")).text == " two spaces\nand more");
    expect<LineError>(parseLine("say"));
    expect<LineError>(parseLine("say bad \\x"));
    CHECK(expect<NameLine>(parseLine("name Ren\u00e9e")).name == "Ren\u00e9e");

    CHECK_FALSE(expect<ConfirmLine>(parseLine("confirm")).peer);
    CHECK(expect<ConfirmLine>(parseLine("confirm 12")).peer == PeerId{12});
    expect<LineError>(parseLine("confirm 0"));
    expect<LineError>(parseLine("confirm twelve"));
    CHECK(expect<RejectLine>(parseLine("reject 3")).peer == PeerId{3});
    CHECK_FALSE(expect<DisconnectLine>(parseLine("disconnect")).peer);
    CHECK(expect<HostLine>(parseLine("host off")).accepting == false);
    CHECK(expect<HostLine>(parseLine("host on")).accepting == true);
    expect<LineError>(parseLine("host maybe"));
    expect<QuitLine>(parseLine("quit"));
    expect<BlankLine>(parseLine(""));
    expect<BlankLine>(parseLine("   "));
    auto unknown = expect<LineError>(parseLine("frobnicate x"));
    CHECK(unknown.reason == "unknown command: frobnicate");
}

TEST_CASE("events become one JSON object per line with the documented fields")
{
    CHECK(parsed(event::Listening{4000, "AAAA-BBBB", {"192.168.1.10", "10.8.0.3"}}) ==
          json{{"event", "listening"},
               {"port", 4000},
               {"fingerprint", "AAAA-BBBB"},
               {"addresses", {"192.168.1.10", "10.8.0.3"}}});
    CHECK(parsed(event::PeerConnected{PeerId{7}, "bob", "1.2.3.4:5", "FP", "123 456", Trust::Verified}) ==
          json{{"event", "connected"},
               {"peer", 7},
               {"name", "bob"},
               {"address", "1.2.3.4:5"},
               {"fingerprint", "FP"},
               {"code", "123 456"},
               {"verified", true}});
    CHECK(parsed(event::ChatSent{PeerId{7}, 0xABCDEF, 1700000000000}) ==
          json{{"event", "sent"}, {"peer", 7}, {"id", "0000000000abcdef"}, {"time", 1700000000000}});
    const json message = parsed(event::ChatReceived{PeerId{7}, ~0ull, "bob", "a\nb \x1b[31m \u4f60", 5});
    CHECK(message["event"] == "message");
    CHECK(message["id"] == "ffffffffffffffff");
    CHECK(message["text"] == "a\nb \x1b[31m \u4f60");
    CHECK(message["from"] == "bob");
    CHECK(toJson(event::ChatReceived{PeerId{7}, 1, "x", "\x1b", 5})->find('\x1b') == std::string::npos);
    CHECK(parsed(event::PeerKeyChanged{PeerId{2}, "alice", "a:1", "OLD", "NEW"}) ==
          json{{"event", "key_changed"},
               {"peer", 2},
               {"name", "alice"},
               {"address", "a:1"},
               {"pinned_fingerprint", "OLD"},
               {"presented_fingerprint", "NEW"}});
    CHECK(parsed(event::LinkStats{PeerId{2}, 12, 0.25, 100, 200}) == json{{"event", "stats"},
                                                                          {"peer", 2},
                                                                          {"rtt_ms", 12},
                                                                          {"loss", 0.25},
                                                                          {"in_bps", 100},
                                                                          {"out_bps", 200}});
    CHECK(parsed(event::Error{PeerId{}, "oops"}) == json{{"event", "error"}, {"reason", "oops"}});
    CHECK(parsed(event::Error{PeerId{3}, "oops"}) ==
          json{{"event", "error"}, {"reason", "oops"}, {"peer", 3}});
    CHECK(parsed(event::PeerDisconnected{PeerId{3}, "gone"}) ==
          json{{"event", "disconnected"}, {"peer", 3}, {"reason", "gone"}});
    // Invalid UTF-8 never reaches stdout raw and never throws.
    auto broken = toJson(event::ChatReceived{PeerId{1}, 1, "x", "\xff\xfe", 0});
    REQUIRE(broken);
    CHECK(json::parse(*broken)["text"].is_string());
}
