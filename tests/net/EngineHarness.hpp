#pragma once
// Test helpers: an Engine with a temporary profile and an event log that tests wait on with deadlines,
// and a raw ENet client for traffic no Duet peer would send. Everything binds to 127.0.0.0/8 only.
#include "duet/net/Engine.hpp"

#include <chrono>
#include <deque>
#include <enet/enet.h>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace duet::test {

using namespace std::chrono_literals;

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

struct PeerOptions {
    std::string name = "peer";
    bool autoConfirm = true;
    bool accepting = true;
    std::uint16_t port = 0;
    std::filesystem::path profileDir; // empty: a fresh temporary profile
    std::uint16_t discoveryPort = 0;  // non-zero: LAN discovery on, loopback (127.255.255.255) included;
                                      // every interface too unless the profile allows only "lo"

    PeerOptions& manualConfirm() { return autoConfirm = false, *this; }
    PeerOptions& notAccepting() { return accepting = false, *this; }
    PeerOptions& onPort(std::uint16_t p) { return port = p, *this; }
    PeerOptions& inProfile(std::filesystem::path dir) { return profileDir = std::move(dir), *this; }
    PeerOptions& discoveringOn(std::uint16_t p) { return discoveryPort = p, *this; }
};
inline PeerOptions named(std::string name)
{
    PeerOptions options;
    options.name = std::move(name);
    return options;
}

// One engine and everything it emitted. Waits are bounded; on timeout they return std::nullopt.
class TestPeer {
public:
    explicit TestPeer(PeerOptions options = {});
    ~TestPeer();

    net::Engine& engine() { return *m_engine; }
    void post(Command command) { m_engine->post(std::move(command)); }
    std::uint16_t port() const { return m_port; }
    const std::string& fingerprint() const { return m_fingerprint; }
    const std::filesystem::path& profileDir() const { return m_profileDir; }
    const std::filesystem::path& downloadDir() const { return m_downloads.path(); }
    bool listening() const { return m_port != 0; }

    // The first not yet consumed event of type T that satisfies `match`; consumes it.
    template <typename T>
    std::optional<T> waitFor(std::function<bool(const T&)> match, std::chrono::milliseconds timeout = 5s)
    {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            for (auto it = m_unconsumed.begin(); it != m_unconsumed.end(); ++it) {
                if (const T* e = std::get_if<T>(&*it); e != nullptr && match(*e)) {
                    T found = *e;
                    m_unconsumed.erase(it);
                    return found;
                }
            }
            const auto now = std::chrono::steady_clock::now();
            if (now >= deadline) return std::nullopt;
            pump(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
        }
    }
    template <typename T>
    std::optional<T> waitFor(std::chrono::milliseconds timeout = 5s)
    {
        return waitFor<T>([](const T&) { return true; }, timeout);
    }
    // Collects events for `duration`, so tests can assert something did NOT happen.
    void idle(std::chrono::milliseconds duration);
    // How many events of type T arrived so far (consumed or not).
    template <typename T>
    std::size_t count() const
    {
        std::size_t n = 0;
        for (const Event& e : m_history)
            n += std::holds_alternative<T>(e) ? 1 : 0;
        return n;
    }

private:
    void pump(std::chrono::milliseconds timeout);

    std::optional<TempDir> m_ownProfile;
    std::filesystem::path m_profileDir;
    TempDir m_downloads;
    std::unique_ptr<net::Engine> m_engine;
    std::deque<Event> m_unconsumed;
    std::vector<Event> m_history;
    std::uint16_t m_port = 0;
    std::string m_fingerprint;
};

// Connects `from` to `to` and waits until both report PeerConnected. Returns (id at from, id at to).
struct Link {
    PeerId atInitiator;
    PeerId atResponder;
};
std::optional<Link> connectPeers(TestPeer& from, TestPeer& to, std::chrono::milliseconds timeout = 5s);
// connectPeers, then waits for PeerVerified on both sides (both must auto-confirm or be pinned).
std::optional<Link> connectVerified(TestPeer& from, TestPeer& to, std::chrono::milliseconds timeout = 5s);

// A bare ENet host on 127.0.0.x that connects to an engine and sends whatever a test wants.
class RawClient {
public:
    // `channels`: 3 acts like an early build (no bulk or chat echo channel); net::kChannelCount like this
    // one.
    explicit RawClient(const char* bindIp = "127.0.0.1", std::size_t channels = 3);
    ~RawClient();
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    bool ok() const { return m_host != nullptr; }
    // Starts an ENet connection; connectWait() services until it is established.
    bool beginConnect(std::uint16_t port);
    bool connectWait(std::chrono::milliseconds timeout = 3s);
    bool connect(std::uint16_t port, std::chrono::milliseconds timeout = 3s);
    void send(std::uint8_t channel, const std::vector<std::uint8_t>& bytes);
    // Services the host for up to `timeout`, collecting received packets; true once disconnected.
    bool waitDisconnect(std::chrono::milliseconds timeout);
    // Services until a packet arrives (returned) or the timeout passes.
    std::optional<std::vector<std::uint8_t>> receive(std::chrono::milliseconds timeout,
                                                     std::uint8_t* channel = nullptr);
    bool connected() const { return m_connected; }
    void service(std::chrono::milliseconds duration);

private:
    std::size_t m_channels = 3;
    void handle(ENetEvent& event);

    ENetHost* m_host = nullptr;
    ENetPeer* m_peer = nullptr;
    bool m_connected = false;
    bool m_disconnected = false;
    std::deque<std::pair<std::uint8_t, std::vector<std::uint8_t>>> m_received;
};

// Plain UDP datagram to 127.0.0.1:port (not ENet at all).
void sendRawDatagram(std::uint16_t port, const std::vector<std::uint8_t>& bytes);
std::vector<std::uint8_t> randomBytes(std::size_t size, std::uint32_t seed);

} // namespace duet::test
