// The punch logic of NatService on two real ENet sockets on 127.0.0.1 under a fake clock: given each
// other's codes, both sides punch, exactly one (the same one by both sides' reckoning) dials, and the
// handshake's identity check closes the attempt. No STUN servers and no port mapping: nothing leaves
// 127.0.0.1.
#include "duet/core/Clock.hpp"
#include "duet/nat/ConnectionCode.hpp"
#include "duet/net/NatService.hpp"
#include "duet/net/Waker.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <thread>

using namespace duet;
using namespace std::chrono_literals;

namespace {

constexpr Millis kStep{50};
constexpr int kMaxSteps = 80; // 4 s of virtual time, well past the 2 s blind-dial and 3 s fallback
constexpr std::uint32_t kLoopback = 0x7F000001;

std::string fingerprintOf(std::uint8_t fill)
{
    std::array<std::uint8_t, nat::kFingerprintSize> bytes{};
    bytes.fill(fill);
    bytes[0] = static_cast<std::uint8_t>(fill ^ 0x5A);
    return nat::fingerprintText(bytes);
}

struct Side {
    std::string fingerprint;
    FakeClock& clock;
    ENetHost* host = nullptr;
    std::uint16_t port = 0;
    net::Waker waker;
    std::vector<Event> events;
    std::unique_ptr<net::NatService> service;
    std::vector<net::NatService::Dial> dials;

    Side(std::string fp, FakeClock& sharedClock) : fingerprint(std::move(fp)), clock(sharedClock)
    {
        ENetAddress bind{};
        bind.host = htonl(kLoopback);
        bind.port = 0;
        host = enet_host_create(&bind, 4, 2, 0, 0);
        REQUIRE(host != nullptr);
        ENetAddress bound{};
        REQUIRE(enet_socket_get_address(host->socket, &bound) == 0);
        port = bound.port;
        net::NatServiceConfig config;
        config.fingerprint = fingerprint;
        service = std::make_unique<net::NatService>(
            config, host, port, clock, waker, [this](Event event) { events.push_back(std::move(event)); });
    }
    ~Side()
    {
        service.reset();
        enet_host_destroy(host);
    }
    Side(const Side&) = delete;
    Side& operator=(const Side&) = delete;

    // A code as the other side would receive it: our identity and our loopback endpoint.
    std::string code(nat::EndpointKind kind = nat::EndpointKind::Public) const
    {
        nat::ConnectionCode code;
        code.fingerprint = *nat::fingerprintBytes(fingerprint);
        code.natType = nat::NatType::Cone;
        code.endpoints.push_back({kind, {kLoopback, port}});
        return nat::encodeCode(code);
    }

    // Hands every datagram waiting on the socket to the service, as ENet's intercept hook would.
    void receive()
    {
        // Bounded: a socket holds few datagrams here (punches every 200 ms of virtual time).
        for (int i = 0; i < 64; ++i) {
            std::uint8_t data[1500];
            ENetBuffer buffer{data, sizeof data};
            ENetAddress from{};
            const int got = enet_socket_receive(host->socket, &from, &buffer, 1);
            if (got <= 0) return;
            CHECK(service->onDatagram(data, static_cast<std::size_t>(got), from));
        }
    }

    void step(PeerId dialPeer)
    {
        receive();
        for (const net::NatService::Dial& dial : service->poll(clock.now())) {
            dials.push_back(dial);
            service->dialed(dialPeer);
        }
    }

    std::vector<event::NatProgress> progress(const std::string& stage) const
    {
        std::vector<event::NatProgress> out;
        for (const Event& event : events)
            if (const auto* p = std::get_if<event::NatProgress>(&event); p != nullptr && p->stage == stage)
                out.push_back(*p);
        return out;
    }
};

void run(Side& a, Side& b, FakeClock& clock)
{
    for (int i = 0; i < kMaxSteps; ++i) {
        a.step(PeerId{11});
        b.step(PeerId{22});
        clock.advance(kStep);
        // Loopback delivery is immediate; this only yields to the kernel between steps.
        std::this_thread::sleep_for(1ms);
    }
}

bool saysWeDial(const Side& side)
{
    const auto punching = side.progress("punching");
    REQUIRE(!punching.empty());
    return punching.front().detail.find("this side will connect") != std::string::npos;
}

} // namespace

TEST_CASE("dialsFirst: exactly one side of two different fingerprints dials")
{
    const std::string low = fingerprintOf(0x11);
    const std::string high = fingerprintOf(0xEE);
    CHECK(net::dialsFirst(low, high) != net::dialsFirst(high, low));
    CHECK_FALSE(net::dialsFirst(low, low));
    // Formatting does not change the answer: without dashes the text is the same fingerprint.
    std::string undashed = low;
    std::erase(undashed, '-');
    CHECK(net::dialsFirst(undashed, high) == net::dialsFirst(low, high));
    CHECK(net::dialsFirst(high, undashed) == net::dialsFirst(high, low));
    for (int fill = 0; fill < 256; fill += 17) {
        const std::string other = fingerprintOf(static_cast<std::uint8_t>(fill));
        if (other == low) continue;
        CHECK(net::dialsFirst(low, other) != net::dialsFirst(other, low));
    }
}

TEST_CASE("NatService: both sides paste each other's code, exactly one dials and both agree which")
{
    REQUIRE(enet_initialize() == 0);
    for (const bool swapped : {false, true}) {
        CAPTURE(swapped);
        FakeClock clock;
        Side a(fingerprintOf(swapped ? 0xEE : 0x11), clock);
        Side b(fingerprintOf(swapped ? 0x11 : 0xEE), clock);
        a.service->connectCode(b.code());
        b.service->connectCode(a.code());
        run(a, b, clock);

        // Same answer on both sides, from the fingerprints alone.
        const bool aDials = net::dialsFirst(a.fingerprint, b.fingerprint);
        CHECK(saysWeDial(a) == aDials);
        CHECK(saysWeDial(b) == !aDials);
        Side& dialler = aDials ? a : b;
        Side& other = aDials ? b : a;
        // Each side heard the other's punches, from the port in the code.
        CHECK(!a.progress("punching").empty());
        for (Side* side : {&a, &b}) {
            bool heard = false;
            for (const auto& p : side->progress("punching"))
                heard =
                    heard || p.detail.find("heard from the other side at 127.0.0.1:") != std::string::npos;
            CHECK(heard);
        }
        // One dial, once, to where the other side's punches came from; none from the other side.
        REQUIRE(dialler.dials.size() == 1);
        CHECK(dialler.dials[0].host == "127.0.0.1");
        CHECK(dialler.dials[0].port == other.port);
        CHECK(other.dials.empty());
        CHECK(dialler.progress("connecting").size() == 1);
        CHECK(other.progress("connecting").empty());

        // The handshake completes: the dialler's outgoing and the other's incoming connection both match.
        const PeerId dialled = *dialler.service->pendingDial();
        CHECK(dialler.service->onAuthenticated(dialled, true, other.fingerprint) ==
              net::NatService::Verdict::Match);
        CHECK(other.service->onAuthenticated(PeerId{99}, false, dialler.fingerprint) ==
              net::NatService::Verdict::Match);
        CHECK(dialler.progress("connected").size() == 1);
        CHECK(other.progress("connected").size() == 1);
        CHECK(a.progress("failed").empty());
        CHECK(b.progress("failed").empty());
    }
}

TEST_CASE("NatService: one code with a mapped port is enough, and still only one side dials")
{
    REQUIRE(enet_initialize() == 0);
    for (const bool pasterDials : {false, true}) {
        CAPTURE(pasterDials);
        FakeClock clock;
        // `paster` pastes `owner`'s code; the owner never pastes anything (its router forwards the port).
        Side paster(fingerprintOf(pasterDials ? 0xEE : 0x11), clock);
        Side owner(fingerprintOf(pasterDials ? 0x11 : 0xEE), clock);
        REQUIRE(net::dialsFirst(paster.fingerprint, owner.fingerprint) == pasterDials);
        paster.service->connectCode(owner.code(nat::EndpointKind::Mapped));
        run(paster, owner, clock);
        REQUIRE(paster.dials.size() == 1);
        CHECK(paster.dials[0].port == owner.port);
        CHECK(owner.dials.empty());
        CHECK(owner.progress("punching").empty());
    }
}

TEST_CASE("NatService: a different identity answering at the code's address is refused")
{
    REQUIRE(enet_initialize() == 0);
    FakeClock clock;
    Side a(fingerprintOf(0xEE), clock);
    Side b(fingerprintOf(0x11), clock);
    REQUIRE(net::dialsFirst(a.fingerprint, b.fingerprint));
    a.service->connectCode(b.code());
    b.service->connectCode(a.code());
    run(a, b, clock);
    REQUIRE(a.dials.size() == 1);
    const PeerId dialled = *a.service->pendingDial();
    CHECK(a.service->onAuthenticated(dialled, true, fingerprintOf(0x33)) ==
          net::NatService::Verdict::Mismatch);
    const auto failed = a.progress("failed");
    REQUIRE(failed.size() == 1);
    CHECK(failed[0].detail.find("not the owner of the code") != std::string::npos);
}
