#pragma once
// A protocol-speaking peer under the test's control: it runs the real handshake as initiator with its own
// identity, then sends any application message in any state, so tests can break the session rules that
// an honest Duet never breaks (chat before confirmation, a second Hello, replayed records).
#include "EngineHarness.hpp"
#include "duet/crypto/Crypto.hpp"

namespace duet::test {

class ScriptedPeer {
public:
    // `channels` as for RawClient; with net::kChannelCount it can use the chat echo channel.
    explicit ScriptedPeer(std::uint64_t seed, std::size_t channels = 3);

    bool connect(std::uint16_t port) { return m_client.connect(port); }
    // Runs the four handshake frames; false if the engine fails or closes it.
    bool handshake(std::chrono::milliseconds timeout = 3s);
    // The complete Record frame carrying `message` on `channel` (advances the sealer).
    wire::Bytes seal(std::uint8_t channel, const wire::AppMessage& message);
    // A Record frame around an arbitrary plaintext, which need not be a valid message.
    wire::Bytes sealRaw(std::uint8_t channel, const wire::Bytes& plaintext);
    void sendFrame(std::uint8_t channel, const wire::Bytes& frame) { m_client.send(channel, frame); }
    void sendApp(std::uint8_t channel, const wire::AppMessage& message)
    {
        sendFrame(channel, seal(channel, message));
    }
    // The next application message from the engine; a Close frame is stored in lastClose() instead.
    std::optional<wire::AppMessage> receiveApp(std::chrono::milliseconds timeout = 3s,
                                               std::uint8_t* channel = nullptr);
    bool waitDisconnect(std::chrono::milliseconds timeout) { return m_client.waitDisconnect(timeout); }
    const std::optional<wire::Close>& lastClose() const { return m_lastClose; }
    std::string fingerprint() const { return m_identity.fingerprint(); }
    // The session keys, after handshake() succeeded (file chunks are sealed with keys().send.file).
    const crypto::SessionKeys& keys() const { return m_handshake.keys(); }
    RawClient& client() { return m_client; }

private:
    crypto::SeededRandom m_random;
    crypto::Identity m_identity;
    crypto::Handshake m_handshake;
    RawClient m_client;
    std::optional<crypto::StreamSealer> m_sendControl;
    std::optional<crypto::StreamSealer> m_sendChat;
    std::optional<crypto::StreamOpener> m_openControl;
    std::optional<crypto::StreamOpener> m_openChat;
    std::optional<crypto::StreamSealer> m_sendChatEcho;
    std::optional<crypto::StreamOpener> m_openChatEcho;
    std::optional<wire::Close> m_lastClose;
};

// An offer of `entries` with its totals filled in from them (hostile tests then change what they lie about).
wire::Offer offerOf(std::uint64_t offerId, std::vector<wire::OfferEntry> entries);

} // namespace duet::test
