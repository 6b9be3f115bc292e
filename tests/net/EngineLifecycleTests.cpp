// Start-up failures, the wake-up path, and connection attempts that cannot succeed.
#include "EngineHarness.hpp"
#include "duet/net/EngineErrors.hpp"

#include <doctest/doctest.h>
#include <fstream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace duet;
using namespace duet::test;

namespace {

// A UDP socket bound to 0.0.0.0 on an ephemeral port; the port stays taken while it lives.
class TakenPort {
public:
    TakenPort()
    {
        m_fd = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        socklen_t length = sizeof address;
        ::bind(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
        ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&address), &length);
        m_port = ntohs(address.sin_port);
    }
    ~TakenPort() { ::close(m_fd); }
    std::uint16_t port() const { return m_port; }

private:
    int m_fd = -1;
    std::uint16_t m_port = 0;
};

} // namespace

TEST_CASE("a command wakes the net thread at once, far below its idle wait")
{
    TestPeer alice(named("alice"));
    REQUIRE(alice.listening());
    alice.idle(300ms); // let the net thread settle into its 1 s idle wait
    std::chrono::microseconds worst{0};
    for (int i = 0; i < 20; ++i) {
        const bool accepting = i % 2 == 0;
        const auto sent = std::chrono::steady_clock::now();
        alice.post(command::SetHosting{accepting});
        auto changed = alice.waitFor<event::HostingChanged>(
            [accepting](const auto& e) { return e.accepting == accepting; }, 2s);
        REQUIRE(changed);
        worst = std::max(worst, std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::steady_clock::now() - sent));
        std::this_thread::sleep_for(50ms); // each command finds the thread blocked again
    }
    MESSAGE("worst command latency: " << worst.count() << " us");
    CHECK(worst < 100ms);
}

TEST_CASE("a busy port is reported as 'cannot listen'")
{
    TakenPort taken;
    TestPeer alice(named("alice").onPort(taken.port()));
    CHECK_FALSE(alice.listening());
    auto error = alice.waitFor<event::Error>(0ms);
    REQUIRE(error);
    CHECK(net::classifyStartupError(error->reason) == net::StartupFailure::CannotListen);
    CHECK(error->reason.find(std::to_string(taken.port())) != std::string::npos);
}

TEST_CASE("an unusable profile is reported as such")
{
    TempDir home;
    const auto notADirectory = home.path() / "file";
    std::ofstream(notADirectory) << "x";
    TestPeer alice(named("alice").inProfile(notADirectory));
    CHECK_FALSE(alice.listening());
    auto error = alice.waitFor<event::Error>(0ms);
    REQUIRE(error);
    CHECK(net::classifyStartupError(error->reason) == net::StartupFailure::ProfileUnusable);
}

TEST_CASE("the display name is saved in the profile and used when none is given")
{
    TempDir home;
    {
        TestPeer first(named("first name").inProfile(home.path()));
        first.post(command::SetDisplayName{"renamed"});
        first.post(command::SetDisplayName{""});
        auto invalid = first.waitFor<event::Error>();
        REQUIRE(invalid);
        CHECK(invalid->reason.find("invalid display name") != std::string::npos);
    }
    TestPeer again(named("").inProfile(home.path()));
    TestPeer bob(named("bob"));
    bob.post(command::Connect{"127.0.0.1", again.port()});
    auto connected = bob.waitFor<event::PeerConnected>();
    REQUIRE(connected);
    CHECK(connected->name == "renamed");
}

TEST_CASE("connecting where nobody listens ends with a reason, and commands name unknown peers")
{
    TakenPort closed; // bound but silent: ENet retries and gives up
    TestPeer alice(named("alice"));
    alice.post(command::Connect{"127.0.0.1", closed.port()});
    auto connecting = alice.waitFor<event::PeerConnecting>();
    REQUIRE(connecting);
    alice.post(command::ConfirmPeer{connecting->peer});
    auto notYet = alice.waitFor<event::Error>();
    REQUIRE(notYet);
    CHECK(notYet->reason == "not connected yet");
    const auto started = std::chrono::steady_clock::now();
    auto gone = alice.waitFor<event::PeerDisconnected>(12s);
    REQUIRE(gone);
    CHECK(std::chrono::steady_clock::now() - started < 9500ms); // the 8 s connect limit, not ENet's 15.5 s
    CHECK(gone->peer == connecting->peer);
    CHECK(gone->reason == "could not reach 127.0.0.1:" + std::to_string(closed.port()));

    alice.post(command::Disconnect{connecting->peer});
    auto unknown = alice.waitFor<event::Error>();
    REQUIRE(unknown);
    CHECK(unknown->reason == "no such peer");
    alice.post(command::Connect{"no-such-host.invalid", 1234});
    auto unresolved = alice.waitFor<event::Error>(10s);
    REQUIRE(unresolved);
    CHECK(unresolved->reason.find("cannot resolve") != std::string::npos);
}
