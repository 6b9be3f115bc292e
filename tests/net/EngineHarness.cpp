#include "EngineHarness.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <random>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace duet::test {

TempDir::TempDir()
{
    std::string pattern = (std::filesystem::temp_directory_path() / "duet-net-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    m_path = pattern;
}

TempDir::~TempDir()
{
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
}

TestPeer::TestPeer(PeerOptions options)
{
    if (options.profileDir.empty()) {
        m_ownProfile.emplace();
        m_profileDir = m_ownProfile->path() / "profile";
    } else {
        m_profileDir = options.profileDir;
    }
    net::EngineConfig config;
    config.port = options.port;
    config.displayName = options.name;
    config.profileDir = m_profileDir;
    config.downloadDir = m_downloads.path();
    config.acceptIncoming = options.accepting;
    config.autoConfirm = options.autoConfirm;
    config.discovery = options.discoveryPort != 0;
    config.discoveryPort = options.discoveryPort;
    config.discoveryLoopback = options.discoveryPort != 0;
    m_engine = std::make_unique<net::Engine>(std::move(config), [] {});
    // Either Listening or a startup Error comes first; a failed start leaves the Error unconsumed.
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (count<event::Listening>() == 0 && count<event::Error>() == 0 &&
           std::chrono::steady_clock::now() < deadline)
        pump(100ms);
    if (auto listening = waitFor<event::Listening>(0ms)) {
        m_port = listening->port;
        m_fingerprint = listening->fingerprint;
    }
}

TestPeer::~TestPeer() = default;

void TestPeer::pump(std::chrono::milliseconds timeout)
{
    for (Event& e : m_engine->waitEvents(timeout)) {
        m_history.push_back(e);
        m_unconsumed.push_back(std::move(e));
    }
}

void TestPeer::idle(std::chrono::milliseconds duration)
{
    const auto deadline = std::chrono::steady_clock::now() + duration;
    for (auto now = std::chrono::steady_clock::now(); now < deadline; now = std::chrono::steady_clock::now())
        pump(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
}

std::optional<Link> connectPeers(TestPeer& from, TestPeer& to, std::chrono::milliseconds timeout)
{
    from.post(command::Connect{"127.0.0.1", to.port()});
    auto atFrom = from.waitFor<event::PeerConnected>(timeout);
    auto atTo = to.waitFor<event::PeerConnected>(timeout);
    if (!atFrom || !atTo) return std::nullopt;
    return Link{atFrom->peer, atTo->peer};
}

std::optional<Link> connectVerified(TestPeer& from, TestPeer& to, std::chrono::milliseconds timeout)
{
    auto link = connectPeers(from, to, timeout);
    if (!link) return std::nullopt;
    const PeerId a = link->atInitiator;
    const PeerId b = link->atResponder;
    if (!from.waitFor<event::PeerVerified>([a](const auto& e) { return e.peer == a; }, timeout))
        return std::nullopt;
    if (!to.waitFor<event::PeerVerified>([b](const auto& e) { return e.peer == b; }, timeout))
        return std::nullopt;
    return link;
}

RawClient::RawClient(const char* bindIp, std::size_t channels) : m_channels(channels)
{
    enet_initialize();
    ENetAddress address{};
    enet_address_set_host_ip(&address, bindIp);
    address.port = 0;
    m_host = enet_host_create(&address, 1, m_channels, 0, 0);
}

RawClient::~RawClient()
{
    if (m_host == nullptr) return;
    if (m_peer != nullptr && m_connected && !m_disconnected) {
        enet_peer_disconnect_now(m_peer, 0);
        enet_host_flush(m_host);
    }
    enet_host_destroy(m_host);
}

bool RawClient::beginConnect(std::uint16_t port)
{
    ENetAddress address{};
    enet_address_set_host_ip(&address, "127.0.0.1");
    address.port = port;
    m_peer = enet_host_connect(m_host, &address, m_channels, 0);
    return m_peer != nullptr;
}

bool RawClient::connectWait(std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!m_connected && !m_disconnected && std::chrono::steady_clock::now() < deadline)
        service(10ms);
    return m_connected;
}

bool RawClient::connect(std::uint16_t port, std::chrono::milliseconds timeout)
{
    return beginConnect(port) && connectWait(timeout);
}

void RawClient::send(std::uint8_t channel, const std::vector<std::uint8_t>& bytes)
{
    ENetPacket* packet = enet_packet_create(bytes.data(), bytes.size(), ENET_PACKET_FLAG_RELIABLE);
    if (enet_peer_send(m_peer, channel, packet) != 0) enet_packet_destroy(packet);
    enet_host_flush(m_host);
}

void RawClient::handle(ENetEvent& event)
{
    switch (event.type) {
    case ENET_EVENT_TYPE_CONNECT:
        m_connected = true;
        break;
    case ENET_EVENT_TYPE_DISCONNECT:
        m_disconnected = true;
        break;
    case ENET_EVENT_TYPE_RECEIVE:
        m_received.emplace_back(
            event.channelID,
            std::vector<std::uint8_t>(event.packet->data, event.packet->data + event.packet->dataLength));
        enet_packet_destroy(event.packet);
        break;
    case ENET_EVENT_TYPE_NONE:
        break;
    }
}

void RawClient::service(std::chrono::milliseconds duration)
{
    const auto deadline = std::chrono::steady_clock::now() + duration;
    ENetEvent event;
    for (auto now = std::chrono::steady_clock::now(); now < deadline;
         now = std::chrono::steady_clock::now()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
        if (enet_host_service(m_host, &event, static_cast<enet_uint32>(left.count())) > 0) handle(event);
    }
}

bool RawClient::waitDisconnect(std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!m_disconnected && std::chrono::steady_clock::now() < deadline)
        service(10ms);
    return m_disconnected;
}

std::optional<std::vector<std::uint8_t>> RawClient::receive(std::chrono::milliseconds timeout,
                                                            std::uint8_t* channel)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (m_received.empty() && !m_disconnected && std::chrono::steady_clock::now() < deadline)
        service(5ms);
    if (m_received.empty()) return std::nullopt;
    auto [ch, bytes] = std::move(m_received.front());
    m_received.pop_front();
    if (channel != nullptr) *channel = ch;
    return bytes;
}

void sendRawDatagram(std::uint16_t port, const std::vector<std::uint8_t>& bytes)
{
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return;
    sockaddr_in target{};
    target.sin_family = AF_INET;
    target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    target.sin_port = htons(port);
    (void)::sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&target),
                   sizeof target);
    ::close(fd);
}

std::vector<std::uint8_t> randomBytes(std::size_t size, std::uint32_t seed)
{
    std::mt19937 generator(seed);
    std::vector<std::uint8_t> out(size);
    for (auto& b : out)
        b = static_cast<std::uint8_t>(generator());
    return out;
}

} // namespace duet::test
