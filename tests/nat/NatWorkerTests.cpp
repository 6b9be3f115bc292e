// NatWorker with a scripted router and virtual time: a mapping is obtained, renewed at half its lease,
// retried after a failure, removed on shutdown, and the destructor joins a router call in flight.
#include "duet/nat/NatWorker.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <doctest/doctest.h>
#include <future>
#include <mutex>
#include <thread>

using namespace duet::nat;
using namespace std::chrono_literals;

namespace {

constexpr std::uint16_t kInternalPort = 40000;
constexpr auto kWaitLimit = 5s;

// What the fake routers saw and will answer. Shared by the test thread and the worker thread.
class FakeRouters {
public:
    struct Call {
        std::string what; // "find-upnp", "find-natpmp", "map", "unmap"
        MappingMethod method = MappingMethod::None;
        std::uint16_t internalPort = 0;
        std::uint32_t lifetime = 0;
    };

    void setPresent(bool upnp, bool natPmp)
    {
        std::lock_guard lock(m_mutex);
        m_upnpPresent = upnp;
        m_natPmpPresent = natPmp;
    }
    // Answers for the next map() calls of `method`, in order; when none is queued the router grants
    // `kMappingLeaseSeconds`.
    void queue(MappingMethod method, MappingResult answer)
    {
        std::lock_guard lock(m_mutex);
        m_answers[method == MappingMethod::Upnp ? 0 : 1].push_back(std::move(answer));
    }
    // map() blocks until release() while held.
    void holdMaps()
    {
        std::lock_guard lock(m_mutex);
        m_held = true;
    }
    void release()
    {
        {
            std::lock_guard lock(m_mutex);
            m_held = false;
        }
        m_signal.notify_all();
    }
    bool waitForHeldMap()
    {
        std::unique_lock lock(m_mutex);
        return m_signal.wait_for(lock, kWaitLimit, [this] { return m_waitingInMap; });
    }

    std::vector<Call> calls()
    {
        std::lock_guard lock(m_mutex);
        return m_calls;
    }
    std::size_t count(const std::string& what)
    {
        std::lock_guard lock(m_mutex);
        std::size_t n = 0;
        for (const Call& call : m_calls)
            n += call.what == what ? 1 : 0;
        return n;
    }

    NatWorkerHooks hooks(std::shared_ptr<NatWorkerSleeper> sleeper);

    MappingResult map(MappingMethod method, std::uint16_t internalPort, std::uint32_t lifetime)
    {
        std::unique_lock lock(m_mutex);
        m_calls.push_back({"map", method, internalPort, lifetime});
        m_waitingInMap = true;
        m_signal.notify_all();
        m_signal.wait(lock, [this] { return !m_held; });
        m_waitingInMap = false;
        std::deque<MappingResult>& answers = m_answers[method == MappingMethod::Upnp ? 0 : 1];
        MappingResult answer;
        if (answers.empty()) {
            answer.ok = true;
            answer.lifetimeSeconds = lifetime;
        } else {
            answer = answers.front();
            answers.pop_front();
        }
        if (answer.ok)
            answer.external = {0xCB007107,
                               method == MappingMethod::Upnp ? std::uint16_t{41000} : std::uint16_t{42000}};
        m_calls.push_back({"mapped", method, internalPort, answer.lifetimeSeconds});
        return answer;
    }
    void unmap(MappingMethod method)
    {
        std::lock_guard lock(m_mutex);
        m_calls.push_back({"unmap", method, 0, 0});
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_signal;
    bool m_upnpPresent = true;
    bool m_natPmpPresent = false;
    bool m_held = false;
    bool m_waitingInMap = false;
    std::deque<MappingResult> m_answers[2];
    std::vector<Call> m_calls;

    friend class FakeMapper;
    bool present(MappingMethod method, const char* what)
    {
        std::lock_guard lock(m_mutex);
        m_calls.push_back({what, method, 0, 0});
        return method == MappingMethod::Upnp ? m_upnpPresent : m_natPmpPresent;
    }
};

class FakeMapper final : public PortMapper {
public:
    FakeMapper(FakeRouters& routers, MappingMethod method) : m_routers(routers), m_method(method) {}
    MappingMethod method() const override { return m_method; }
    MappingResult map(std::uint16_t internalPort, std::uint32_t lifetimeSeconds) override
    {
        return m_routers.map(m_method, internalPort, lifetimeSeconds);
    }
    void unmap() override { m_routers.unmap(m_method); }

private:
    FakeRouters& m_routers;
    MappingMethod m_method;
};

NatWorkerHooks FakeRouters::hooks(std::shared_ptr<NatWorkerSleeper> sleeper)
{
    NatWorkerHooks hooks;
    hooks.findUpnp = [this](std::string& reason) -> std::unique_ptr<PortMapper> {
        if (present(MappingMethod::Upnp, "find-upnp"))
            return std::make_unique<FakeMapper>(*this, MappingMethod::Upnp);
        reason = "no UPnP router answered";
        return nullptr;
    };
    hooks.findNatPmp = [this](const std::function<bool()>&,
                              std::string& reason) -> std::unique_ptr<PortMapper> {
        if (present(MappingMethod::NatPmp, "find-natpmp"))
            return std::make_unique<FakeMapper>(*this, MappingMethod::NatPmp);
        reason = "no default gateway for NAT-PMP";
        return nullptr;
    };
    hooks.sleeper = std::move(sleeper);
    return hooks;
}

// Virtual time: sleep() records what the worker asked for and returns when the test advanced the clock
// past its deadline (or the worker is stopping).
class VirtualSleeper final : public NatWorkerSleeper {
public:
    void sleep(std::chrono::seconds duration) override
    {
        std::unique_lock lock(m_mutex);
        m_requests.push_back(duration);
        const std::chrono::seconds deadline = m_now + duration;
        m_signal.notify_all();
        m_signal.wait(lock, [&] { return m_interrupted || m_now >= deadline; });
    }
    void interrupt() override
    {
        {
            std::lock_guard lock(m_mutex);
            m_interrupted = true;
        }
        m_signal.notify_all();
    }

    // True once the worker entered its `count`-th sleep.
    bool waitForSleep(std::size_t count)
    {
        std::unique_lock lock(m_mutex);
        return m_signal.wait_for(lock, kWaitLimit, [&] { return m_requests.size() >= count; });
    }
    void advance(std::chrono::seconds by)
    {
        {
            std::lock_guard lock(m_mutex);
            m_now += by;
        }
        m_signal.notify_all();
    }
    std::vector<std::chrono::seconds> requests()
    {
        std::lock_guard lock(m_mutex);
        return m_requests;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_signal;
    std::chrono::seconds m_now{0};
    bool m_interrupted = false;
    std::vector<std::chrono::seconds> m_requests;
};

NatWorkerConfig mappingConfig()
{
    NatWorkerConfig config;
    config.internalPort = kInternalPort;
    config.portMapping = true;
    return config;
}

// Collects reports until `count` arrived (bounded by kWaitLimit).
std::vector<NatWorkerReport> reportsUntil(NatWorker& worker, std::vector<NatWorkerReport>& seen,
                                          std::size_t count)
{
    const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
    while (seen.size() < count && std::chrono::steady_clock::now() < deadline) {
        for (NatWorkerReport& report : worker.drain())
            seen.push_back(std::move(report));
        if (seen.size() < count) std::this_thread::sleep_for(2ms);
    }
    return seen;
}

std::size_t countKind(const std::vector<NatWorkerReport>& reports, NatWorkerReport::Kind kind)
{
    std::size_t n = 0;
    for (const NatWorkerReport& report : reports)
        n += report.kind == kind ? 1 : 0;
    return n;
}

} // namespace

TEST_CASE("NatWorker: a mapping is obtained, then renewed at half the lease")
{
    FakeRouters routers;
    auto sleeper = std::make_shared<VirtualSleeper>();
    std::atomic<int> wakes{0};
    std::vector<NatWorkerReport> seen;
    {
        NatWorker worker(
            mappingConfig(), [&wakes] { ++wakes; }, routers.hooks(sleeper));
        REQUIRE(sleeper->waitForSleep(1));
        reportsUntil(worker, seen, 2);
        REQUIRE(seen.size() == 2);
        CHECK(seen[0].kind == NatWorkerReport::Kind::StunServers);
        REQUIRE(seen[1].kind == NatWorkerReport::Kind::MappingUp);
        CHECK(seen[1].method == MappingMethod::Upnp);
        CHECK(seen[1].external == Ipv4Endpoint{0xCB007107, 41000});
        CHECK(seen[1].lifetimeSeconds == kMappingLeaseSeconds);
        CHECK(sleeper->requests().at(0) == std::chrono::seconds(kMappingLeaseSeconds / 2));
        CHECK(wakes.load() >= 2);

        // Just short of half the lease: nothing renewed yet.
        sleeper->advance(std::chrono::seconds(kMappingLeaseSeconds / 2 - 1));
        std::this_thread::sleep_for(50ms);
        CHECK(routers.count("map") == 1);
        CHECK(sleeper->requests().size() == 1);

        // At half the lease: one renewal through the same router (no new discovery).
        sleeper->advance(1s);
        REQUIRE(sleeper->waitForSleep(2));
        reportsUntil(worker, seen, 3);
        REQUIRE(seen.size() == 3);
        CHECK(seen[2].kind == NatWorkerReport::Kind::MappingUp);
        CHECK(routers.count("map") == 2);
        CHECK(routers.count("find-upnp") == 1);
        for (const FakeRouters::Call& call : routers.calls())
            if (call.what == "map") {
                CHECK(call.internalPort == kInternalPort);
                CHECK(call.lifetime == kMappingLeaseSeconds);
            }
        CHECK(routers.count("unmap") == 0);
    }
    // The destructor removed the mapping, once.
    CHECK(routers.count("unmap") == 1);
    CHECK(routers.calls().back().what == "unmap");
}

TEST_CASE("NatWorker: the renewal interval follows the lease the router granted")
{
    struct Case {
        std::uint32_t granted;
        std::uint32_t expectedWait;
    };
    for (const Case c : {Case{120, 60}, Case{20, kMinRenewSeconds}, Case{0, kPermanentRecheckSeconds}}) {
        CAPTURE(c.granted);
        FakeRouters routers;
        MappingResult answer;
        answer.ok = true;
        answer.lifetimeSeconds = c.granted;
        routers.queue(MappingMethod::Upnp, answer);
        auto sleeper = std::make_shared<VirtualSleeper>();
        NatWorker worker(mappingConfig(), {}, routers.hooks(sleeper));
        REQUIRE(sleeper->waitForSleep(1));
        CHECK(sleeper->requests().at(0) == std::chrono::seconds(c.expectedWait));
    }
}

TEST_CASE("NatWorker: no router, a retry after kMappingRetrySeconds, then a mapping")
{
    FakeRouters routers;
    routers.setPresent(false, false);
    auto sleeper = std::make_shared<VirtualSleeper>();
    std::vector<NatWorkerReport> seen;
    {
        NatWorker worker(mappingConfig(), {}, routers.hooks(sleeper));
        REQUIRE(sleeper->waitForSleep(1));
        reportsUntil(worker, seen, 2);
        REQUIRE(seen.size() == 2);
        REQUIRE(seen[1].kind == NatWorkerReport::Kind::MappingFailed);
        // The reason names both attempts, so the user sees what was tried.
        CHECK(seen[1].reason == "no UPnP router answered; no default gateway for NAT-PMP");
        CHECK(sleeper->requests().at(0) == std::chrono::seconds(kMappingRetrySeconds));
        CHECK(routers.count("find-upnp") == 1);
        CHECK(routers.count("find-natpmp") == 1);

        // The router comes up (rebooted, UPnP switched on); the next pass finds it.
        routers.setPresent(true, false);
        sleeper->advance(std::chrono::seconds(kMappingRetrySeconds));
        REQUIRE(sleeper->waitForSleep(2));
        reportsUntil(worker, seen, 3);
        REQUIRE(seen.size() == 3);
        CHECK(seen[2].kind == NatWorkerReport::Kind::MappingUp);
        CHECK(seen[2].method == MappingMethod::Upnp);
        CHECK(routers.count("find-upnp") == 2);
        CHECK(sleeper->requests().at(1) == std::chrono::seconds(kMappingLeaseSeconds / 2));
    }
    CHECK(routers.count("unmap") == 1);
}

TEST_CASE("NatWorker: a failed renewal is reported, retried from discovery, and recovers")
{
    FakeRouters routers;
    MappingResult granted;
    granted.ok = true;
    granted.lifetimeSeconds = kMappingLeaseSeconds;
    MappingResult refused;
    refused.reason = "the UPnP router refused the mapping: ConflictInMappingEntry";
    routers.queue(MappingMethod::Upnp, granted);
    routers.queue(MappingMethod::Upnp, refused);
    auto sleeper = std::make_shared<VirtualSleeper>();
    std::vector<NatWorkerReport> seen;
    NatWorker worker(mappingConfig(), {}, routers.hooks(sleeper));
    REQUIRE(sleeper->waitForSleep(1));
    sleeper->advance(std::chrono::seconds(kMappingLeaseSeconds / 2));
    REQUIRE(sleeper->waitForSleep(2));
    reportsUntil(worker, seen, 3);
    REQUIRE(seen.size() == 3);
    REQUIRE(seen[2].kind == NatWorkerReport::Kind::MappingFailed);
    CHECK(seen[2].reason.find("ConflictInMappingEntry") != std::string::npos);
    CHECK(sleeper->requests().at(1) == std::chrono::seconds(kMappingRetrySeconds));
    // NAT-PMP was tried as the fallback.
    CHECK(routers.count("find-natpmp") == 1);

    sleeper->advance(std::chrono::seconds(kMappingRetrySeconds));
    REQUIRE(sleeper->waitForSleep(3));
    reportsUntil(worker, seen, 4);
    REQUIRE(seen.size() == 4);
    CHECK(seen[3].kind == NatWorkerReport::Kind::MappingUp);
    CHECK(routers.count("find-upnp") == 2);
}

TEST_CASE("NatWorker: UPnP refuses, NAT-PMP maps, and renewals stay with NAT-PMP")
{
    FakeRouters routers;
    routers.setPresent(true, true);
    MappingResult refused;
    refused.reason = "the UPnP router refused the mapping";
    routers.queue(MappingMethod::Upnp, refused);
    auto sleeper = std::make_shared<VirtualSleeper>();
    std::vector<NatWorkerReport> seen;
    {
        NatWorker worker(mappingConfig(), {}, routers.hooks(sleeper));
        REQUIRE(sleeper->waitForSleep(1));
        reportsUntil(worker, seen, 2);
        REQUIRE(seen.size() == 2);
        REQUIRE(seen[1].kind == NatWorkerReport::Kind::MappingUp);
        CHECK(seen[1].method == MappingMethod::NatPmp);
        CHECK(seen[1].external == Ipv4Endpoint{0xCB007107, 42000});
        sleeper->advance(std::chrono::seconds(kMappingLeaseSeconds / 2));
        REQUIRE(sleeper->waitForSleep(2));
        reportsUntil(worker, seen, 3);
        REQUIRE(seen.size() == 3);
        CHECK(seen[2].method == MappingMethod::NatPmp);
        CHECK(routers.count("find-upnp") == 1);
        CHECK(routers.count("find-natpmp") == 1);
    }
    const std::vector<FakeRouters::Call> calls = routers.calls();
    REQUIRE(!calls.empty());
    CHECK(calls.back().what == "unmap");
    CHECK(calls.back().method == MappingMethod::NatPmp);
    CHECK(routers.count("unmap") == 1);
}

TEST_CASE("NatWorker: shutdown interrupts a long wait at once and removes the mapping")
{
    FakeRouters routers;
    MappingResult permanent;
    permanent.ok = true;
    permanent.lifetimeSeconds = 0;
    routers.queue(MappingMethod::Upnp, permanent);
    auto sleeper = std::make_shared<VirtualSleeper>();
    auto worker = std::make_unique<NatWorker>(
        mappingConfig(), [] {}, routers.hooks(sleeper));
    REQUIRE(sleeper->waitForSleep(1));
    CHECK(sleeper->requests().at(0) == std::chrono::seconds(kPermanentRecheckSeconds));
    const auto started = std::chrono::steady_clock::now();
    worker.reset();
    CHECK(std::chrono::steady_clock::now() - started < 1s);
    CHECK(routers.count("unmap") == 1);
    CHECK(routers.count("map") == 1);
}

TEST_CASE("NatWorker: shutdown joins a router call in flight, then removes what it mapped")
{
    FakeRouters routers;
    routers.holdMaps();
    auto sleeper = std::make_shared<VirtualSleeper>();
    std::atomic<int> wakes{0};
    auto worker = std::make_unique<NatWorker>(
        mappingConfig(), [&wakes] { ++wakes; }, routers.hooks(sleeper));
    REQUIRE(routers.waitForHeldMap());
    // Release the router call from another thread while the destructor waits for the worker.
    auto releaser = std::async(std::launch::async, [&routers] {
        std::this_thread::sleep_for(200ms);
        routers.release();
    });
    const auto started = std::chrono::steady_clock::now();
    worker.reset();
    const auto took = std::chrono::steady_clock::now() - started;
    releaser.get();
    CHECK(took >= 150ms); // it did wait for the call instead of abandoning the thread
    CHECK(took < 3s);
    const std::vector<FakeRouters::Call> calls = routers.calls();
    REQUIRE(calls.size() >= 3);
    CHECK(calls[calls.size() - 2].what == "mapped");
    CHECK(calls.back().what == "unmap");
    // Nothing runs after the destructor returned.
    const int wakesAfter = wakes.load();
    std::this_thread::sleep_for(50ms);
    CHECK(wakes.load() == wakesAfter);
    CHECK(routers.calls().size() == calls.size());
}

TEST_CASE("NatWorker: with port mapping off only the STUN servers are reported")
{
    FakeRouters routers;
    auto sleeper = std::make_shared<VirtualSleeper>();
    NatWorkerConfig config;
    config.stunServers = {"127.0.0.1:3478", "127.0.0.2"};
    config.portMapping = false;
    std::vector<NatWorkerReport> seen;
    {
        NatWorker worker(config, {}, routers.hooks(sleeper));
        reportsUntil(worker, seen, 1);
        std::this_thread::sleep_for(50ms);
        for (NatWorkerReport& report : worker.drain())
            seen.push_back(std::move(report));
    }
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].kind == NatWorkerReport::Kind::StunServers);
    CHECK(seen[0].servers == std::vector<Ipv4Endpoint>{{0x7F000001, 3478}, {0x7F000002, 3478}});
    CHECK(countKind(seen, NatWorkerReport::Kind::MappingUp) == 0);
    CHECK(routers.calls().empty());
    CHECK(sleeper->requests().empty());
}

TEST_CASE("resolveStunServers: ports, defaults, duplicates and refusals")
{
    std::string failures;
    const std::vector<Ipv4Endpoint> servers = resolveStunServers(
        {"127.0.0.1:19302", "127.0.0.1:19302", "127.0.0.3", "127.0.0.1:0", "127.0.0.1:70000", ":3478"},
        failures);
    CHECK(servers == std::vector<Ipv4Endpoint>{{0x7F000001, 19302}, {0x7F000003, 3478}});
    CHECK(failures == "127.0.0.1:0 (bad port), 127.0.0.1:70000 (bad port), :3478 (cannot resolve)");
}
