// discovery_probe: runs one DiscoveryService the way the engine thread would and prints what happens as JSON
// lines on stdout (found / updated / lost hints, each announce and answer sent, periodic counters). Used by
// netns_discovery_test.py. SIGTERM or SIGINT: sends a Leaving and exits 0. Times are CLOCK_MONOTONIC ms,
// which every process on the machine shares, so the test can compare them across namespaces.
//
//   discovery_probe --name N --enet-port P --fingerprint HEX40 [--port 55556] [--interval-ms 2000]
//                   [--interface NAME]... [--loopback] [--invisible] [--stats-ms 500]
#include "duet/discovery/DiscoveryService.hpp"

#include <csignal>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <string>
#include <sys/signalfd.h>
#include <unistd.h>

using namespace duet;
using namespace duet::discovery;
using nlohmann::json;

namespace {

struct Options {
    std::string name;
    std::uint16_t enetPort = 0;
    FingerprintHint fingerprint{};
    DiscoveryConfig config;
    bool invisible = false;
    Millis statsEvery{500};
};

std::int64_t monoMillis(MonoTime t)
{
    return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
}

std::string hex(std::span<const std::uint8_t> bytes)
{
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (std::uint8_t b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 0xF];
    }
    return out;
}

std::string hexId(std::uint64_t id)
{
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(id));
    return text;
}

bool parseFingerprint(const std::string& text, FingerprintHint& out)
{
    if (text.size() != out.size() * 2) return false;
    for (std::size_t i = 0; i < out.size(); ++i) {
        unsigned value = 0;
        if (std::sscanf(text.c_str() + 2 * i, "%2x", &value) != 1) return false;
        out[i] = static_cast<std::uint8_t>(value);
    }
    return true;
}

bool parseOptions(int argc, char** argv, Options& options, std::string& error)
{
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
            return argv[++i];
        };
        try {
            if (arg == "--name")
                options.name = value();
            else if (arg == "--enet-port")
                options.enetPort = static_cast<std::uint16_t>(std::stoul(value()));
            else if (arg == "--port")
                options.config.port = static_cast<std::uint16_t>(std::stoul(value()));
            else if (arg == "--interval-ms")
                options.config.announceInterval = Millis(std::stol(value()));
            else if (arg == "--stats-ms")
                options.statsEvery = Millis(std::stol(value()));
            else if (arg == "--interface")
                options.config.interfaceAllowList.push_back(value());
            else if (arg == "--loopback")
                options.config.includeLoopback = true;
            else if (arg == "--invisible")
                options.invisible = true;
            else if (arg == "--fingerprint") {
                if (!parseFingerprint(value(), options.fingerprint))
                    throw std::invalid_argument("bad --fingerprint");
            } else {
                throw std::invalid_argument("unknown option " + arg);
            }
        } catch (const std::exception& e) {
            error = e.what();
            return false;
        }
    }
    if (options.name.empty() || options.enetPort == 0) {
        error = "--name and --enet-port are required";
        return false;
    }
    return true;
}

void emit(json line, MonoTime now)
{
    line["mono_ms"] = monoMillis(now);
    std::cout << line.dump() << std::endl;
}

json describe(const PeerHint& hint)
{
    json endpoints = json::array();
    for (const HintEndpoint& endpoint : hint.endpoints)
        endpoints.push_back({{"address", endpoint.sourceAddress.toString()},
                             {"interface", endpoint.interfaceName},
                             {"port", endpoint.claimedEnetPort}});
    return {{"instance", hexId(hint.key.claimedInstanceId)},
            {"fingerprint", hex(hint.key.claimedFingerprint)},
            {"name", hint.claimedName},
            {"endpoints", endpoints}};
}

const char* kindName(ChangeKind kind)
{
    switch (kind) {
    case ChangeKind::Found:
        return "found";
    case ChangeKind::Updated:
        return "updated";
    case ChangeKind::Lost:
        return "lost";
    }
    return "?";
}

const char* reasonName(LostReason reason)
{
    switch (reason) {
    case LostReason::None:
        return "";
    case LostReason::Expired:
        return "expired";
    case LostReason::Left:
        return "left";
    case LostReason::Evicted:
        return "evicted";
    case LostReason::InterfaceGone:
        return "interface-gone";
    }
    return "?";
}

json statsLine(const DiscoveryService& service)
{
    const DiscoveryCounters& c = service.counters();
    return {{"event", "stats"},
            {"peers", service.peers().size()},
            {"received", c.datagramsReceived},
            {"accepted", c.beaconsAccepted},
            {"own", c.ownBeacons},
            {"malformed", c.droppedMalformed},
            {"oversized", c.droppedOversized},
            {"wrong_interface", c.droppedInterface},
            {"unicast", c.droppedUnicast},
            {"low_port", c.droppedLowPort},
            {"evicted", c.hintsEvicted},
            {"queries", c.queriesReceived},
            {"answers", c.queryAnswersSent},
            {"rounds", c.announceRounds},
            {"sent", c.datagramsSent},
            {"send_errors", c.sendErrors},
            {"join_errors", c.multicastJoinErrors},
            {"receive_errors", c.receiveErrors}};
}

} // namespace

int main(int argc, char** argv)
{
    Options options;
    std::string error;
    if (!parseOptions(argc, argv, options, error)) {
        std::cerr << "discovery_probe: " << error << "\n";
        return 2;
    }
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    sigprocmask(SIG_BLOCK, &stopSignals, nullptr);
    const int signalFd = signalfd(-1, &stopSignals, SFD_CLOEXEC);

    auto service = DiscoveryService::open(options.config, error);
    if (!service) {
        std::cerr << "discovery_probe: " << error << "\n";
        return 1;
    }
    if (!service->setIdentity(options.name, options.enetPort, options.fingerprint)) {
        std::cerr << "discovery_probe: identity refused\n";
        return 2;
    }
    if (options.invisible) service->setVisible(false);

    const SystemClock clock;
    MonoTime now = clock.now();
    json interfaces = json::array();
    for (const NetInterface& iface : service->interfaces())
        interfaces.push_back({{"name", iface.name},
                              {"address", iface.address.toString()},
                              {"broadcast", iface.broadcast ? iface.broadcast->toString() : ""}});
    emit({{"event", "ready"}, {"instance", hexId(service->instanceId())}, {"interfaces", interfaces}}, now);
    service->start(now);

    std::uint64_t rounds = 0;
    std::uint64_t answers = 0;
    MonoTime nextStats = now + options.statsEvery;
    bool stop = false;
    while (!stop) {
        now = clock.now();
        MonoTime wakeAt = std::min(nextStats, service->nextDeadline().value_or(nextStats));
        const auto wait = std::clamp(std::chrono::ceil<Millis>(wakeAt - now), Millis(0), Millis(1000));
        pollfd fds[2] = {{service->fd(), POLLIN, 0}, {signalFd, POLLIN, 0}};
        poll(fds, 2, static_cast<int>(wait.count()));
        now = clock.now();
        if (fds[1].revents & POLLIN) stop = true;
        if (fds[0].revents & POLLIN) service->onReadable(now);
        if (const auto deadline = service->nextDeadline(); deadline && *deadline <= now) service->tick(now);

        for (const DiscoveryChange& change : service->takeChanges()) {
            json line = describe(change.hint);
            line["event"] = kindName(change.kind);
            if (change.kind == ChangeKind::Lost) line["reason"] = reasonName(change.reason);
            emit(line, now);
        }
        const DiscoveryCounters& counters = service->counters();
        if (counters.announceRounds != rounds) {
            rounds = counters.announceRounds;
            emit({{"event", "announce"}, {"rounds", rounds}}, now);
        }
        if (counters.queryAnswersSent != answers) {
            answers = counters.queryAnswersSent;
            emit({{"event", "answer"}, {"answers", answers}}, now);
        }
        if (now >= nextStats) {
            emit(statsLine(*service), now);
            nextStats = now + options.statsEvery;
        }
    }
    service->sendLeaving();
    emit(statsLine(*service), clock.now());
    emit({{"event", "exit"}}, clock.now());
    return 0;
}
