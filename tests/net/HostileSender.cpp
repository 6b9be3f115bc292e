#include "HostileSender.hpp"

#include "duet/crypto/Hashing.hpp"
#include "duet/net/Limits.hpp"
#include "duet/wire/Chunk.hpp"

#include <random>

namespace duet::test {

HostileSender::HostileSender(std::uint64_t seed, std::ostream& log) : m_peer(seed), m_log(log), m_seed(seed)
{
}

bool HostileSender::connectAndVerify(std::uint16_t port)
{
    if (!m_peer.connect(port)) {
        note({{"step", "connect"}, {"ok", false}});
        return false;
    }
    if (!m_peer.handshake()) {
        note({{"step", "handshake"}, {"ok", false}, {"close", closeDetail()}});
        return false;
    }
    // A name of its own per identity: the receiver refuses a known name with another key (key mismatch).
    send(wire::Hello{"hostile-" + std::to_string(m_seed), 0});
    // The receiver answers with its Hello and, confirming keys by itself, its PeerConfirmed.
    const bool hello = waitFor<wire::Hello>([](const wire::Hello&) { return true; }).has_value();
    const bool confirmed =
        hello && waitFor<wire::PeerConfirmed>([](const wire::PeerConfirmed&) { return true; }).has_value();
    if (!confirmed) {
        note({{"step", "verify"}, {"ok", false}, {"hello", hello}, {"close", closeDetail()}});
        return false;
    }
    send(wire::PeerConfirmed{});
    pump(100ms);
    note({{"step", "verified"}, {"fingerprint", fingerprint()}});
    return true;
}

void HostileSender::sendChunk(std::uint64_t fileId, std::uint64_t index, const wire::Bytes& plaintext)
{
    const crypto::ChunkCipher cipher(m_peer.keys().send.file);
    const crypto::NoncePrefix prefix{7, 7, 7};
    const wire::Bytes sealed = cipher.seal(fileId, prefix, index, plaintext);
    m_peer.sendFrame(net::kDataChannel, wire::encodeChunk(fileId, index, prefix, sealed));
}

void HostileSender::pump(std::chrono::milliseconds duration)
{
    const auto deadline = std::chrono::steady_clock::now() + duration;
    for (int turn = 0; turn < 100'000 && std::chrono::steady_clock::now() < deadline && connected(); ++turn)
        collect(5ms);
}

void HostileSender::collect(std::chrono::milliseconds timeout)
{
    // receiveApp services ENet (our queued fragments go out meanwhile) and returns one message at most;
    // take what is already there without waiting again.
    std::optional<wire::AppMessage> message = m_peer.receiveApp(timeout);
    for (int more = 0; message && more < 1000; ++more) {
        m_inbox.push_back(std::move(*message));
        message = m_peer.receiveApp(0ms);
    }
}

std::string HostileSender::closeDetail() const
{
    const std::optional<wire::Close>& close = m_peer.lastClose();
    return close ? close->detail : std::string();
}

std::optional<wire::OfferReply> HostileSender::reply(std::uint64_t offerId, std::chrono::milliseconds timeout)
{
    return waitFor<wire::OfferReply>([offerId](const wire::OfferReply& r) { return r.offerId == offerId; },
                                     timeout);
}

std::optional<wire::FileRequest> HostileSender::request(std::uint64_t fileId,
                                                        std::chrono::milliseconds timeout)
{
    return waitFor<wire::FileRequest>([fileId](const wire::FileRequest& r) { return r.fileId == fileId; },
                                      timeout);
}

std::optional<wire::FileResult> HostileSender::result(std::uint64_t fileId, std::chrono::milliseconds timeout)
{
    return waitFor<wire::FileResult>([fileId](const wire::FileResult& r) { return r.fileId == fileId; },
                                     timeout);
}

void HostileSender::note(const nlohmann::json& line)
{
    m_log << line.dump() << '\n' << std::flush;
}

bool HostileSender::expect(bool condition, const std::string& what)
{
    if (!condition) {
        m_failed = true;
        note({{"step", "check"}, {"ok", false}, {"what", what}});
    }
    return condition;
}

wire::Bytes patternBytes(std::size_t size, std::uint32_t seed)
{
    std::mt19937 generator(seed);
    wire::Bytes bytes(size);
    for (std::uint8_t& b : bytes)
        b = static_cast<std::uint8_t>(generator());
    return bytes;
}

std::array<std::uint8_t, 32> wholeFileHash(std::initializer_list<const wire::Bytes*> pieces)
{
    crypto::Hasher hasher;
    for (const wire::Bytes* piece : pieces)
        hasher.update(*piece);
    return hasher.finish();
}

std::string hex64(std::uint64_t value)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text(16, '0');
    for (int i = 15; i >= 0; --i, value >>= 4)
        text[static_cast<std::size_t>(i)] = kDigits[value & 0xf];
    return text;
}

} // namespace duet::test
