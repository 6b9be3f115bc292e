// enet_baseline: the throughput of one stock ENet 1.3.17 reliable connection, for side-by-side benchmarks.
//
//   enet_baseline receive --bind ADDR --port P [--max-seconds S]
//   enet_baseline send --connect ADDR:PORT --bytes N [--packet B] [--queue Q] [--max-seconds S]
//
// The sender keeps at most Q reliable packets of B bytes (default 16 x 64 KiB) unacknowledged, which is how
// ENet is fastest (recipes.md §4: a deep queue inside ENet only adds rescans). Nothing is tuned: default
// throttle, MTU, buffers and window. Each side prints one JSON line on stdout; the receiver's is the
// measurement (bytes that arrived in order, from the connect event to the last byte). Exit 0 when every byte
// arrived, 2 when the time cap cut the run short, 1 on errors, 64 on usage errors. Single-threaded; every
// wait is bounded.
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <enet/enet.h>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kExitComplete = 0;
constexpr int kExitError = 1;
constexpr int kExitTimedOut = 2;
constexpr int kExitUsage = 64;
constexpr std::size_t kHeaderBytes = 8; // each packet starts with its index, to check order
constexpr std::uint32_t kServiceWaitMs = 1;
constexpr double kConnectTimeoutSeconds = 10.0;
constexpr double kLingerSeconds = 5.0; // after the last byte: wait for acknowledgements and the disconnect

struct Options {
    std::string mode;
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::uint64_t bytes = 64ull << 20;
    std::size_t packetBytes = 64 * 1024;
    std::size_t queuePackets = 16;
    double maxSeconds = 60.0;
};

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::optional<std::uint64_t> parseNumber(std::string_view text)
{
    if (text.empty() || text.size() > 19) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return value;
}

bool parseEndpoint(std::string_view text, Options& options)
{
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return false;
    const auto port = parseNumber(text.substr(colon + 1));
    if (!port || *port == 0 || *port > 65535) return false;
    options.host = std::string(text.substr(0, colon));
    options.port = static_cast<std::uint16_t>(*port);
    return true;
}

std::optional<Options> parseOptions(int argc, char** argv)
{
    if (argc < 2) return std::nullopt;
    Options options;
    options.mode = argv[1];
    if (options.mode != "send" && options.mode != "receive") return std::nullopt;
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string_view flag = argv[i];
        const std::string_view value = argv[i + 1];
        const auto number = parseNumber(value);
        if (flag == "--bind") {
            options.host = std::string(value);
        } else if (flag == "--connect") {
            if (!parseEndpoint(value, options)) return std::nullopt;
        } else if (flag == "--port" && number && *number > 0 && *number <= 65535) {
            options.port = static_cast<std::uint16_t>(*number);
        } else if (flag == "--bytes" && number) {
            options.bytes = *number;
        } else if (flag == "--packet" && number && *number >= kHeaderBytes && *number <= (16u << 20)) {
            options.packetBytes = static_cast<std::size_t>(*number);
        } else if (flag == "--queue" && number && *number >= 1 && *number <= 4096) {
            options.queuePackets = static_cast<std::size_t>(*number);
        } else if (flag == "--max-seconds") {
            options.maxSeconds = std::strtod(argv[i + 1], nullptr);
            if (!(options.maxSeconds > 0)) return std::nullopt;
        } else {
            return std::nullopt;
        }
    }
    if ((argc - 2) % 2 != 0 || options.port == 0) return std::nullopt;
    return options;
}

void printResult(const char* role, std::uint64_t bytes, double seconds, bool complete,
                 std::uint64_t outOfOrder)
{
    const double megabytesPerSecond = seconds > 0 ? static_cast<double>(bytes) / 1e6 / seconds : 0.0;
    std::printf("{\"role\":\"%s\",\"bytes\":%" PRIu64 ",\"seconds\":%.6f,\"mb_s\":%.3f,\"complete\":%s,"
                "\"out_of_order\":%" PRIu64 "}\n",
                role, bytes, seconds, megabytesPerSecond, complete ? "true" : "false", outOfOrder);
    std::fflush(stdout);
}

struct HostGuard {
    ENetHost* host = nullptr;
    ~HostGuard()
    {
        if (host != nullptr) enet_host_destroy(host);
    }
};

bool resolve(const Options& options, ENetAddress& address)
{
    address.port = options.port;
    if (enet_address_set_host(&address, options.host.c_str()) != 0) {
        std::fprintf(stderr, "enet_baseline: cannot resolve %s\n", options.host.c_str());
        return false;
    }
    return true;
}

// The receiver: one connection, counts payload bytes and checks that packet indexes arrive in order.
int runReceiver(const Options& options)
{
    ENetAddress address{};
    if (!resolve(options, address)) return kExitError;
    HostGuard guard{enet_host_create(&address, 1, 1, 0, 0)};
    if (guard.host == nullptr) {
        std::fprintf(stderr, "enet_baseline: cannot listen on %s:%u\n", options.host.c_str(), options.port);
        return kExitError;
    }
    std::fprintf(stderr, "enet_baseline: listening on %s:%u\n", options.host.c_str(), options.port);
    const auto started = Clock::now();
    // From the connection, not the first byte: a lost first fragment delays in-order delivery by a whole
    // retransmission timeout, after which the data received meanwhile comes out in one burst.
    std::optional<Clock::time_point> connectedAt;
    Clock::time_point lastByte = started;
    std::uint64_t received = 0;
    std::uint64_t nextIndex = 0;
    std::uint64_t outOfOrder = 0;
    bool finished = false;
    // The cap counts from start-up; the sender's own cap is what normally ends a long run.
    const double capSeconds = options.maxSeconds + kConnectTimeoutSeconds + kLingerSeconds;
    while (!finished && secondsSince(started) < capSeconds) {
        ENetEvent event;
        const int serviced = enet_host_service(guard.host, &event, 10);
        if (serviced <= 0) continue; // -1 is not fatal (an oversized datagram, recipes.md §4)
        if (event.type == ENET_EVENT_TYPE_CONNECT) {
            connectedAt = Clock::now();
        } else if (event.type == ENET_EVENT_TYPE_RECEIVE) {
            lastByte = Clock::now();
            received += event.packet->dataLength;
            std::uint64_t index = 0;
            if (event.packet->dataLength >= kHeaderBytes)
                std::memcpy(&index, event.packet->data, kHeaderBytes);
            if (index != nextIndex) ++outOfOrder;
            nextIndex = index + 1;
            enet_packet_destroy(event.packet);
        } else if (event.type == ENET_EVENT_TYPE_DISCONNECT) {
            finished = connectedAt.has_value();
        }
    }
    const double seconds =
        connectedAt && received > 0 ? std::chrono::duration<double>(lastByte - *connectedAt).count() : 0.0;
    const bool complete = finished && received >= options.bytes;
    printResult("receive", received, seconds, complete, outOfOrder);
    return complete ? kExitComplete : kExitTimedOut;
}

struct SendWindow {
    std::size_t unacknowledged = 0;
};

// ENet destroys a reliable packet once every fragment is acknowledged; that is our acknowledgement signal.
void onPacketAcknowledged(ENetPacket* packet)
{
    static_cast<SendWindow*>(packet->userData)->unacknowledged -= 1;
}

ENetPeer* connectTo(ENetHost* host, const Options& options)
{
    ENetAddress address{};
    if (!resolve(options, address)) return nullptr;
    ENetPeer* peer = enet_host_connect(host, &address, 1, 0);
    if (peer == nullptr) return nullptr;
    const auto started = Clock::now();
    while (secondsSince(started) < kConnectTimeoutSeconds) {
        ENetEvent event;
        if (enet_host_service(host, &event, 50) > 0 && event.type == ENET_EVENT_TYPE_CONNECT) return peer;
    }
    std::fprintf(stderr, "enet_baseline: no connection to %s:%u\n", options.host.c_str(), options.port);
    return nullptr;
}

int runSender(const Options& options)
{
    // Declared before the host: destroying the host frees queued packets, whose callbacks touch the window.
    SendWindow window;
    HostGuard guard{enet_host_create(nullptr, 1, 1, 0, 0)};
    if (guard.host == nullptr) return kExitError;
    ENetPeer* peer = connectTo(guard.host, options);
    if (peer == nullptr) return kExitError;

    std::vector<unsigned char> payload(options.packetBytes, 0x5a);
    std::uint64_t sent = 0;
    std::uint64_t index = 0;
    bool lost = false;
    const auto started = Clock::now();
    while (!lost && secondsSince(started) < options.maxSeconds &&
           (sent < options.bytes || window.unacknowledged)) {
        while (sent < options.bytes && window.unacknowledged < options.queuePackets) {
            const auto length = static_cast<std::size_t>(std::min<std::uint64_t>(
                options.packetBytes, std::max<std::uint64_t>(options.bytes - sent, 8)));
            std::memcpy(payload.data(), &index, kHeaderBytes);
            ENetPacket* packet = enet_packet_create(payload.data(), length, ENET_PACKET_FLAG_RELIABLE);
            if (packet == nullptr) return kExitError;
            packet->userData = &window;
            packet->freeCallback = onPacketAcknowledged;
            window.unacknowledged += 1;
            if (enet_peer_send(peer, 0, packet) != 0) {
                enet_packet_destroy(packet); // runs the callback, which undoes the count
                lost = true;
                break;
            }
            sent += length;
            ++index;
        }
        ENetEvent event;
        if (enet_host_service(guard.host, &event, kServiceWaitMs) > 0) {
            if (event.type == ENET_EVENT_TYPE_DISCONNECT) lost = true;
            if (event.type == ENET_EVENT_TYPE_RECEIVE) enet_packet_destroy(event.packet);
        }
    }
    const double seconds = secondsSince(started);
    const bool complete = !lost && sent >= options.bytes && window.unacknowledged == 0;
    // Reset instead of a polite disconnect when cut short: queued packets would otherwise keep flowing.
    if (complete) {
        enet_peer_disconnect(peer, 0);
        const auto closing = Clock::now();
        bool closed = false;
        while (!closed && secondsSince(closing) < kLingerSeconds) {
            ENetEvent event;
            if (enet_host_service(guard.host, &event, 10) > 0 && event.type == ENET_EVENT_TYPE_DISCONNECT)
                closed = true;
        }
        if (!closed) enet_peer_reset(peer);
    } else if (!lost) {
        enet_peer_disconnect_now(peer, 0);
        enet_host_flush(guard.host);
    }
    printResult("send", sent, seconds, complete, 0);
    return complete ? kExitComplete : (lost ? kExitError : kExitTimedOut);
}

} // namespace

int main(int argc, char** argv)
{
    const auto options = parseOptions(argc, argv);
    if (!options) {
        std::fprintf(stderr,
                     "usage: enet_baseline receive --bind ADDR --port P [--bytes N] [--max-seconds S]\n"
                     "       enet_baseline send --connect ADDR:PORT --bytes N [--packet B] [--queue Q]"
                     " [--max-seconds S]\n");
        return kExitUsage;
    }
    if (enet_initialize() != 0) {
        std::fprintf(stderr, "enet_baseline: enet_initialize failed\n");
        return kExitError;
    }
    const int code = options->mode == "send" ? runSender(*options) : runReceiver(*options);
    enet_deinitialize();
    return code;
}
