#include "Headless.hpp"

#include "CommandLine.hpp"
#include "duet/net/Engine.hpp"
#include "duet/net/EngineErrors.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <random>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace duet::app {
namespace headless {

std::string messageIdText(std::uint64_t id)
{
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(id));
    return text;
}

std::optional<std::string> toJson(const Event& event)
{
    using nlohmann::json;
    if (auto transfer = transferEventJson(event)) return transfer;
    if (auto nat = natEventJson(event)) return nat;
    if (const auto* state = std::get_if<event::ChatStateChanged>(&event)) return chatJson(*state);
    if (const auto* page = std::get_if<event::HistoryPage>(&event)) return chatJson(*page);
    if (auto chat = chatEventJson(event)) return chat;
    std::optional<json> line = std::visit(
        [](const auto& e) -> std::optional<json> {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, event::Listening>) {
                return json{{"event", "listening"},
                            {"port", e.port},
                            {"fingerprint", e.fingerprint},
                            {"addresses", e.addresses}};
            } else if constexpr (std::is_same_v<T, event::HostingChanged>) {
                return json{{"event", "hosting"}, {"accepting", e.accepting}};
            } else if constexpr (std::is_same_v<T, event::PeerConnecting>) {
                return json{{"event", "connecting"},
                            {"peer", e.peer.value},
                            {"address", e.address},
                            {"outgoing", e.outgoing}};
            } else if constexpr (std::is_same_v<T, event::PeerConnected>) {
                return json{{"event", "connected"},
                            {"peer", e.peer.value},
                            {"name", e.name},
                            {"address", e.address},
                            {"fingerprint", e.fingerprint},
                            {"code", e.code},
                            {"verified", e.trust == Trust::Verified}};
            } else if constexpr (std::is_same_v<T, event::PeerVerified>) {
                return json{{"event", "verified"}, {"peer", e.peer.value}};
            } else if constexpr (std::is_same_v<T, event::PeerKeyChanged>) {
                return json{{"event", "key_changed"},
                            {"peer", e.peer.value},
                            {"name", e.name},
                            {"address", e.address},
                            {"pinned_fingerprint", e.pinnedFingerprint},
                            {"presented_fingerprint", e.presentedFingerprint}};
            } else if constexpr (std::is_same_v<T, event::PeerDisconnected>) {
                return json{{"event", "disconnected"}, {"peer", e.peer.value}, {"reason", e.reason}};
            } else if constexpr (std::is_same_v<T, event::ChatSent>) {
                return json{{"event", "sent"},
                            {"peer", e.peer.value},
                            {"id", messageIdText(e.messageId)},
                            {"time", e.timeMs}};
            } else if constexpr (std::is_same_v<T, event::ChatReceived>) {
                return json{{"event", "message"},
                            {"peer", e.peer.value},
                            {"id", messageIdText(e.messageId)},
                            {"from", e.from},
                            {"text", e.text},
                            {"time", e.sentAtMs},
                            {"fingerprint", e.fingerprint}};
            } else if constexpr (std::is_same_v<T, event::ChatDelivered>) {
                return json{
                    {"event", "delivered"}, {"peer", e.peer.value}, {"id", messageIdText(e.messageId)}};
            } else if constexpr (std::is_same_v<T, event::LinkStats>) {
                return json{{"event", "stats"},          {"peer", e.peer.value},
                            {"rtt_ms", e.rttMs},         {"loss", e.lossRatio},
                            {"in_bps", e.bytesInPerSec}, {"out_bps", e.bytesOutPerSec}};
            } else if constexpr (std::is_same_v<T, event::LanPeerFound>) {
                const std::string newest = e.addresses.empty() ? std::string() : e.addresses.front();
                return json{{"event", "peer_found"},
                            {"key", e.key},
                            {"name", e.name},
                            {"address", newest},
                            {"addresses", e.addresses},
                            {"port", e.port},
                            {"fingerprint", e.fingerprintHint},
                            {"known", e.matchesPinnedPeer}};
            } else if constexpr (std::is_same_v<T, event::LanPeerLost>) {
                return json{{"event", "peer_lost"}, {"key", e.key},   {"name", e.name},
                            {"address", e.address}, {"port", e.port}, {"fingerprint", e.fingerprintHint},
                            {"reason", e.reason}};
            } else if constexpr (std::is_same_v<T, event::DiscoveryState>) {
                return json{{"event", "discovery"},
                            {"available", e.available},
                            {"visible", e.visible},
                            {"interfaces", e.interfaces},
                            {"machine_interfaces", e.machineInterfaces}};
            } else if constexpr (std::is_same_v<T, event::Error>) {
                json error{{"event", "error"}, {"reason", e.reason}};
                if (e.peer) error["peer"] = e.peer.value;
                return error;
            } else {
                return std::nullopt;
            }
        },
        event);
    if (!line) return std::nullopt;
    // Peer-chosen text is validated UTF-8 already; replacing is a second line of defence, never a throw.
    return line->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace headless

namespace {

using namespace headless;

constexpr std::size_t kMaxLineBytes = 1u << 20; // a 64 KiB message fully escaped fits many times over

volatile std::sig_atomic_t g_stopRequested = 0;
int g_wakeFd = -1;

extern "C" void onStopSignal(int)
{
    g_stopRequested = 1;
    const char byte = 's';
    if (g_wakeFd >= 0) (void)!::write(g_wakeFd, &byte, 1);
}

// The engine (from its thread) and signal handlers wake the main loop by writing a byte here.
class WakePipe {
public:
    WakePipe() { m_ok = ::pipe2(m_fds, O_CLOEXEC | O_NONBLOCK) == 0; }
    ~WakePipe()
    {
        if (!m_ok) return;
        ::close(m_fds[0]);
        ::close(m_fds[1]);
    }
    WakePipe(const WakePipe&) = delete;
    WakePipe& operator=(const WakePipe&) = delete;
    bool ok() const { return m_ok; }
    int readFd() const { return m_fds[0]; }
    int writeFd() const { return m_fds[1]; }
    void drain() const
    {
        char buffer[256];
        while (::read(m_fds[0], buffer, sizeof buffer) > 0) {
        }
    }

private:
    int m_fds[2] = {-1, -1};
    bool m_ok = false;
};

// Splits stdin into lines; a line longer than kMaxLineBytes is reported once and skipped.
class LineReader {
public:
    enum class Status { Lines, EndOfInput };
    // Reads what is available (the caller polled first) and appends complete lines to `lines`.
    Status read(std::vector<std::string>& lines, std::vector<std::string>& errors)
    {
        char chunk[65536];
        const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
        if (n < 0) return errno == EINTR || errno == EAGAIN ? Status::Lines : Status::EndOfInput;
        if (n == 0) {
            if (!m_skipping && !m_pending.empty()) lines.push_back(std::move(m_pending));
            return Status::EndOfInput;
        }
        for (ssize_t i = 0; i < n; ++i) {
            if (chunk[i] == '\n') {
                if (!m_skipping) lines.push_back(std::move(m_pending));
                m_pending.clear();
                m_skipping = false;
            } else if (!m_skipping) {
                m_pending += chunk[i];
                if (m_pending.size() > kMaxLineBytes) {
                    errors.push_back("line too long (over " + std::to_string(kMaxLineBytes) +
                                     " bytes), ignored");
                    m_pending.clear();
                    m_skipping = true;
                }
            }
        }
        return Status::Lines;
    }

private:
    std::string m_pending;
    bool m_skipping = false;
};

// Message ids only need to be unique per sender; 64 random bits make collisions negligible.
std::uint64_t randomSeed()
{
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

int exitCodeFor(net::StartupFailure failure)
{
    switch (failure) {
    case net::StartupFailure::CannotListen:
        return kExitCannotListen;
    case net::StartupFailure::ProfileUnusable:
        return kExitProfileUnusable;
    case net::StartupFailure::Internal:
        return kExitInternal;
    }
    return kExitInternal;
}

// Turns lines into engine commands and remembers which peer the short forms mean: `say` talks to the
// most recently verified peer, `confirm` answers the most recent peer still waiting for it.
class HeadlessSession {
public:
    HeadlessSession(net::Engine& engine, std::ostream& out, bool autoConfirm)
        : m_engine(engine), m_out(out), m_autoConfirm(autoConfirm), m_ids(randomSeed())
    {
    }

    bool listening() const { return m_listening; }
    bool outputFailed() const { return !m_out; }
    std::optional<int> startupFailure() const { return m_startupFailure; }

    void onEvent(const Event& event)
    {
        if (auto line = toJson(event)) print(*line);
        m_transfers.onEvent(event);
        std::visit([this](const auto& e) { track(e); }, event);
    }

    // False when the line asks to quit.
    bool onLine(std::string_view text)
    {
        bool keepGoing = true;
        std::visit([this, &keepGoing](auto&& line) { keepGoing = execute(line); }, parseLine(text));
        return keepGoing;
    }

    void printError(const std::string& reason) { print(*toJson(Event{event::Error{PeerId{}, reason}})); }

private:
    void print(const std::string& line)
    {
        m_out << line << '\n';
        m_out.flush();
    }

    template <typename T>
    void track(const T&)
    {
    }
    void track(const event::Listening&) { m_listening = true; }
    void track(const event::Error& e)
    {
        if (m_listening || e.peer) return;
        if (auto failure = net::classifyStartupError(e.reason)) m_startupFailure = exitCodeFor(*failure);
    }
    void track(const event::PeerConnecting& e) { m_connected.push_back(e.peer); }
    void track(const event::PeerConnected& e)
    {
        if (e.trust == Trust::Unverified && !m_autoConfirm) m_awaiting.push_back(e.peer);
        m_fingerprints[e.peer] = e.fingerprint;
    }
    void track(const event::PeerVerified& e)
    {
        m_conversation = m_fingerprints[e.peer];
        forget(m_awaiting, e.peer);
        m_verified.push_back(e.peer);
    }
    void track(const event::PeerDisconnected& e)
    {
        forget(m_connected, e.peer);
        forget(m_awaiting, e.peer);
        forget(m_verified, e.peer);
    }
    static void forget(std::vector<PeerId>& peers, PeerId peer) { std::erase(peers, peer); }
    static std::optional<PeerId> newest(const std::vector<PeerId>& peers)
    {
        return peers.empty() ? std::nullopt : std::optional<PeerId>(peers.back());
    }

    bool execute(const ConnectLine& line)
    {
        m_engine.post(command::Connect{line.host, line.port});
        return true;
    }
    bool execute(const SayLine& line)
    {
        const std::optional<PeerId> peer = newest(m_verified);
        if (!peer && m_conversation.empty()) {
            printError("say: no verified peer yet (connect, then confirm)");
            return true;
        }
        std::uint64_t id = 0;
        while (id == 0)
            id = m_ids();
        // Offline, the message is queued for the last verified identity and sent when it is back.
        // The identity goes along: if the link drops before the engine reads this, it is still queued.
        m_engine.post(command::SendChat{peer.value_or(PeerId{}), id, line.text,
                                        peer ? m_fingerprints[*peer] : m_conversation});
        return true;
    }
    bool execute(const HistoryLine& line)
    {
        const std::optional<PeerId> peer = newest(m_verified);
        if (!peer && m_conversation.empty()) {
            printError("history: no conversation yet (connect to a peer first)");
            return true;
        }
        const std::string fingerprint = peer ? m_fingerprints[*peer] : m_conversation;
        m_engine.post(command::LoadHistory{PeerId{}, fingerprint, line.count, command::kNewestRow});
        return true;
    }
    bool execute(const ChatLine& line)
    {
        const std::optional<PeerId> peer = newest(m_verified);
        const std::string fingerprint = peer ? m_fingerprints[*peer] : m_conversation;
        std::string error;
        if (std::optional<Command> command = chatCommand(line, fingerprint, error))
            m_engine.post(std::move(*command));
        else
            printError(error);
        return true;
    }
    bool execute(const ConfirmLine& line)
    {
        const std::optional<PeerId> peer = line.peer ? line.peer : newest(m_awaiting);
        if (!peer) {
            printError("confirm: no peer is waiting for confirmation");
            return true;
        }
        forget(m_awaiting, *peer);
        m_engine.post(command::ConfirmPeer{*peer});
        return true;
    }
    bool execute(const RejectLine& line)
    {
        std::optional<PeerId> peer = line.peer ? line.peer : newest(m_awaiting);
        if (!peer) peer = newest(m_connected);
        if (!peer) {
            printError("reject: no peer to reject");
            return true;
        }
        forget(m_awaiting, *peer);
        m_engine.post(command::RejectPeer{*peer});
        return true;
    }
    bool execute(const DisconnectLine& line)
    {
        std::optional<PeerId> peer = line.peer ? line.peer : newest(m_verified);
        if (!peer) peer = newest(m_connected);
        if (!peer) {
            printError("disconnect: no peer is connected");
            return true;
        }
        m_engine.post(command::Disconnect{*peer});
        return true;
    }
    bool execute(const HostLine& line)
    {
        m_engine.post(command::SetHosting{line.accepting});
        return true;
    }
    bool execute(const NameLine& line)
    {
        m_engine.post(command::SetDisplayName{line.name});
        return true;
    }
    bool execute(const PeersLine&)
    {
        m_engine.post(command::ListLanPeers{});
        return true;
    }
    bool execute(const VisibleLine& line)
    {
        m_engine.post(command::SetVisible{line.visible});
        return true;
    }
    bool execute(const InterfacesLine& line)
    {
        m_engine.post(command::SetDiscoveryInterfaces{line.names});
        return true;
    }
    bool execute(const TransferLine& line)
    {
        std::string error;
        std::vector<std::string> lines;
        for (Command& command : m_transfers.execute(line, newest(m_verified), error, lines))
            m_engine.post(std::move(command));
        for (const std::string& text : lines)
            print(text);
        if (!error.empty()) printError(error);
        return true;
    }
    bool execute(const NatCodeLine&)
    {
        m_engine.post(command::ShowNatCode{});
        return true;
    }
    bool execute(const ConnectCodeLine& line)
    {
        m_engine.post(command::ConnectNatCode{line.code});
        return true;
    }
    bool execute(const QuitLine&) { return false; }
    bool execute(const BlankLine&) { return true; }
    bool execute(const LineError& line)
    {
        printError(line.reason);
        return true;
    }

    net::Engine& m_engine;
    std::ostream& m_out;
    bool m_autoConfirm;
    std::mt19937_64 m_ids;
    bool m_listening = false;
    std::optional<int> m_startupFailure;
    std::vector<PeerId> m_connected;                        // every announced peer, oldest first
    std::vector<PeerId> m_awaiting;                         // connected, unverified, not yet confirmed by us
    std::vector<PeerId> m_verified;                         // in the order they became verified
    std::unordered_map<PeerId, std::string> m_fingerprints; // every peer that proved its identity
    std::string m_conversation; // the most recently verified identity: where `say` goes while offline
    TransferTracker m_transfers;
};

void installStopHandlers(int wakeFd)
{
    g_wakeFd = wakeFd;
    struct sigaction action {};
    action.sa_handler = onStopSignal;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
    // A closed stdout must surface as a failed write, not kill the process before it says goodbye.
    std::signal(SIGPIPE, SIG_IGN);
}

} // namespace

int runHeadless(const Options& options)
{
    WakePipe wake;
    if (!wake.ok()) {
        std::cerr << "duet: cannot create a pipe\n";
        return kExitInternal;
    }
    installStopHandlers(wake.writeFd());

    net::EngineConfig config;
    config.port = options.port;
    config.displayName = options.name;
    config.profileDir = options.profileDir;
    config.downloadDir = options.downloadDir;
    config.acceptIncoming = true;
    config.autoConfirm = options.yes;
    config.discovery = options.discovery;
    config.autoReconnect = options.reconnect;
    config.discoveryPort = options.discoveryPort;
    config.discoveryLoopback = options.discoveryLoopback;
    config.stunServers = options.stunServers;
    config.portMapping = options.portMapping;

    std::optional<int> exitCode;
    {
        const int wakeFd = wake.writeFd();
        net::Engine engine(std::move(config), [wakeFd] {
            const char byte = 'e';
            (void)!::write(wakeFd, &byte, 1);
        });
        HeadlessSession session(engine, std::cout, options.yes);
        LineReader reader;
        while (!exitCode) {
            // Commands are read only once the engine listens, so a failed start exits with its own code.
            pollfd fds[2] = {{wake.readFd(), POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
            const nfds_t count = session.listening() ? 2 : 1;
            if (::poll(fds, count, -1) < 0) {
                if (errno == EINTR) continue;
                std::cerr << "duet: poll failed\n";
                exitCode = kExitInternal;
                break;
            }
            if (fds[0].revents != 0) {
                wake.drain();
                for (const Event& event : engine.drainEvents())
                    session.onEvent(event);
                if (session.startupFailure()) exitCode = session.startupFailure();
                if (g_stopRequested != 0 || session.outputFailed()) exitCode = kExitOk;
            }
            if (exitCode || count < 2 || fds[1].revents == 0) continue;
            std::vector<std::string> lines;
            std::vector<std::string> errors;
            const LineReader::Status status = reader.read(lines, errors);
            for (const std::string& error : errors)
                session.printError(error);
            for (const std::string& line : lines) {
                if (!session.onLine(line)) {
                    exitCode = kExitOk;
                    break;
                }
            }
            if (status == LineReader::Status::EndOfInput) exitCode = kExitOk;
        }
    } // the engine closes every connection politely (at most ~500 ms) before this returns
    g_wakeFd = -1;
    return *exitCode;
}

} // namespace duet::app
