#pragma once
// The hostile sender of `duet-hostile-sender`: a ScriptedPeer that becomes a verified peer of a real
// receiver (which must confirm keys by itself, e.g. `duet --headless --yes`), then sends offers, chunks
// and transfer messages with any field set to anything. It keeps every message the receiver sends, so a
// scenario can wait for one kind without losing the others, and writes what it did and saw as JSON lines.
// Single thread; every wait is bounded by its timeout.
#include "ScriptedPeer.hpp"

#include <deque>
#include <nlohmann/json.hpp>
#include <ostream>

namespace duet::test {

class HostileSender {
public:
    HostileSender(std::uint64_t seed, std::ostream& log);

    // Handshake, Hello, and both PeerConfirmed; false (logged) if the receiver did not verify us.
    bool connectAndVerify(std::uint16_t port);
    std::string fingerprint() const { return m_peer.fingerprint(); }

    void send(const wire::AppMessage& message) { m_peer.sendApp(0, message); }
    // One Chunk frame on the data channel, sealed under our real file key (so it authenticates).
    void sendChunk(std::uint64_t fileId, std::uint64_t index, const wire::Bytes& plaintext);
    // The same chunk in clear (StreamChunk), straight on an ENet channel: valid only inside the sealed
    // bulk stream, so a receiver must never take it from here.
    void sendClearChunk(std::uint8_t channel, std::uint64_t fileId, std::uint64_t index,
                        const wire::Bytes& plaintext)
    {
        m_peer.sendFrame(channel, wire::encodeStreamChunk(fileId, index, plaintext));
    }
    // Services the connection for `duration`, collecting what the receiver sends.
    void pump(std::chrono::milliseconds duration);
    bool connected() { return m_peer.client().connected(); }
    // The connection closed with a Close frame: its reason text, else empty.
    std::string closeDetail() const;

    // The first collected message of type T that satisfies `match`, waiting up to `timeout`; consumed.
    template <typename T, typename Match>
    std::optional<T> waitFor(Match match, std::chrono::milliseconds timeout = 3s)
    {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (int turn = 0; turn < 10'000; ++turn) {
            for (auto it = m_inbox.begin(); it != m_inbox.end(); ++it) {
                if (const T* found = std::get_if<T>(&*it); found != nullptr && match(*found)) {
                    T copy = *found;
                    m_inbox.erase(it);
                    return copy;
                }
            }
            if (std::chrono::steady_clock::now() >= deadline || !connected()) return std::nullopt;
            collect(10ms);
        }
        return std::nullopt;
    }
    std::optional<wire::OfferReply> reply(std::uint64_t offerId, std::chrono::milliseconds timeout = 3s);
    std::optional<wire::FileRequest> request(std::uint64_t fileId, std::chrono::milliseconds timeout = 3s);
    std::optional<wire::FileResult> result(std::uint64_t fileId, std::chrono::milliseconds timeout = 3s);

    // Writes one JSON line to the log.
    void note(const nlohmann::json& line);
    // Records a check of what the receiver sent us; a false one makes the run fail (exit status 1).
    bool expect(bool condition, const std::string& what);
    bool failed() const { return m_failed; }

private:
    void collect(std::chrono::milliseconds timeout);

    ScriptedPeer m_peer;
    std::ostream& m_log;
    std::deque<wire::AppMessage> m_inbox;
    std::uint64_t m_seed;
    bool m_failed = false;
};

// Test data helpers for the scenarios.
wire::Bytes patternBytes(std::size_t size, std::uint32_t seed);
std::array<std::uint8_t, 32> wholeFileHash(std::initializer_list<const wire::Bytes*> pieces);
std::string hex64(std::uint64_t value);

} // namespace duet::test
