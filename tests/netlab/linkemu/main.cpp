// duet-linkemu: a seeded userspace link emulator between two TUN devices (see tests/netlab/README.md).
#include "Config.hpp"
#include "Counters.hpp"
#include "Forwarder.hpp"
#include "LinkDirection.hpp"
#include "NatRebinder.hpp"
#include "Tun.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <pthread.h>
#include <sched.h>
#include <string>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using namespace duet::netlab;

void printCounters(const char* label, std::int64_t sinceStartNs, const DirectionCounters& ab,
                   const DirectionCounters& ba)
{
    const double seconds = static_cast<double>(sinceStartNs) / 1e9;
    std::printf("linkemu %s t=%.3f a->b %s\n", label, seconds, formatCounters(ab).c_str());
    std::printf("linkemu %s t=%.3f b->a %s\n", label, seconds, formatCounters(ba).c_str());
    std::fflush(stdout);
}

int runEmulator(const EmulatorConfig& config)
{
    // Precise wake-ups: the default 50 us timer slack would add to every emulated delay.
    ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    // A lab script killed with SIGKILL must not leave an emulator behind.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM, 0UL, 0UL, 0UL);

    TunDevice deviceA, deviceB;
    try {
        deviceA = openTunInNamespace(config.netnsA, config.deviceA);
        deviceB = openTunInNamespace(config.netnsB, config.deviceB);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "duet-linkemu: %s\n", error.what());
        return 1;
    }

    // Signals are taken synchronously by the main thread only; the forwarding threads inherit the mask.
    sigset_t signals;
    sigemptyset(&signals);
    for (int signal : {SIGINT, SIGTERM, SIGHUP, SIGUSR1})
        sigaddset(&signals, signal);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    const int wakeFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wakeFd < 0) {
        std::perror("duet-linkemu: eventfd");
        return 1;
    }

    LinkDirection aToB(config.aToB, config.seed, 0);
    LinkDirection bToA(config.bToA, config.seed, 1);
    DirectionCounters countersAB, countersBA;
    std::unique_ptr<NatRebinder> nat;
    if (config.nat.enabled()) nat = std::make_unique<NatRebinder>(config.nat, config.seed);

    const std::int64_t startNs = monotonicNowNs();
    const std::size_t slotBytes = static_cast<std::size_t>(std::max({deviceA.mtu, deviceB.mtu, 1500})) + 64;
    auto setupFor = [&](int input, int output, Side from) {
        ForwarderSetup setup;
        setup.inputFd = input;
        setup.outputFd = output;
        setup.wakeFd = wakeFd;
        setup.slotBytes = slotBytes;
        setup.startNs = startNs;
        setup.nat = nat.get();
        if (nat) setup.natRole = from == config.nat.side ? NatRole::Outbound : NatRole::Inbound;
        return setup;
    };
    Forwarder forwardAB(setupFor(deviceA.fd, deviceB.fd, Side::A), aToB, countersAB);
    Forwarder forwardBA(setupFor(deviceB.fd, deviceA.fd, Side::B), bToA, countersBA);

    std::atomic<bool> stop{false};
    std::atomic<bool> deviceFailed{false};
    auto runForwarder = [&](Forwarder& forwarder, const char* name) {
        ::pthread_setname_np(::pthread_self(), name);
        if (config.realtimePriority > 0) {
            // A loaded machine otherwise adds its run-queue wait to every emulated delay. Linux's RT
            // throttling still leaves other tasks 5% of each CPU should a flood keep us busy.
            sched_param param{};
            param.sched_priority = config.realtimePriority;
            if (const int error = ::pthread_setschedparam(::pthread_self(), SCHED_FIFO, &param); error != 0)
                std::fprintf(stderr, "duet-linkemu: SCHED_FIFO not available (%s); timing may suffer\n",
                             std::strerror(error));
        }
        if (!forwarder.run(stop)) {
            deviceFailed = true;
            ::kill(::getpid(), SIGTERM); // wake the main thread
        }
    };
    std::thread threadAB(runForwarder, std::ref(forwardAB), "linkemu-ab");
    std::thread threadBA(runForwarder, std::ref(forwardBA), "linkemu-ba");

    std::printf("linkemu ready seed=%llu mtu_a=%d mtu_b=%d\n", static_cast<unsigned long long>(config.seed),
                deviceA.mtu, deviceB.mtu);
    std::fflush(stdout);

    std::int64_t nextStatsNs = config.statsIntervalNs > 0 ? startNs + config.statsIntervalNs : -1;
    const std::int64_t deadlineNs = config.maxRuntimeNs > 0 ? startNs + config.maxRuntimeNs : -1;
    const char* reason = "signal";
    for (;;) {
        const std::int64_t now = monotonicNowNs();
        if (deadlineNs >= 0 && now >= deadlineNs) {
            reason = "max-runtime";
            break;
        }
        if (nextStatsNs >= 0 && now >= nextStatsNs) {
            printCounters("stats", now - startNs, countersAB, countersBA);
            nextStatsNs += config.statsIntervalNs;
            continue;
        }
        std::int64_t waitNs = 500'000'000;
        if (nextStatsNs >= 0) waitNs = std::min(waitNs, nextStatsNs - now);
        if (deadlineNs >= 0) waitNs = std::min(waitNs, deadlineNs - now);
        const timespec timeout{static_cast<time_t>(waitNs / kNanosPerSecond),
                               static_cast<long>(waitNs % kNanosPerSecond)};
        const int signal = ::sigtimedwait(&signals, nullptr, &timeout);
        if (signal == SIGUSR1) {
            printCounters("stats", monotonicNowNs() - startNs, countersAB, countersBA);
        } else if (signal > 0) {
            reason = deviceFailed ? "device-failed" : "signal";
            break;
        }
    }

    stop = true;
    const std::uint64_t one = 1;
    if (::write(wakeFd, &one, sizeof one) != sizeof one) std::perror("duet-linkemu: eventfd write");
    threadAB.join();
    threadBA.join();
    printCounters("final", monotonicNowNs() - startNs, countersAB, countersBA);
    std::printf("linkemu exit reason=%s\n", reason);
    std::fflush(stdout);
    ::close(wakeFd);
    ::close(deviceA.fd);
    ::close(deviceB.fd);
    return deviceFailed ? 1 : 0;
}

} // namespace

int main(int argc, char** argv)
{
    EmulatorConfig config;
    const std::vector<std::string> args(argv + 1, argv + argc);
    const ParseOutcome parsed = parseCommandLine(args, config);
    if (parsed.helpRequested) {
        std::fputs(usageText(), stdout);
        return 0;
    }
    if (!parsed.ok) {
        std::fprintf(stderr, "duet-linkemu: %s\n\n%s", parsed.error.c_str(), usageText());
        return 2;
    }
    return runEmulator(config);
}
