#include "duet/crypto/Handshake.hpp"

#include "duet/crypto/Hashing.hpp"
#include "duet/crypto/Internal.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <stdexcept>

namespace duet::crypto {
namespace {

using wire::FrameType;

constexpr std::string_view kCommitLabel = "duet-commit-v1";
constexpr std::string_view kTranscriptLabel = "duet-hs-v1";
constexpr std::string_view kInitiatorSignatureLabel = "duet-sig-I";
constexpr std::string_view kResponderSignatureLabel = "duet-sig-R";
constexpr std::string_view kCodeLabel = "duet-sas-v1";

constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "DuetKdf1";
enum SubkeyId : std::uint64_t {
    kIdentitySealSubkey = 1,
    kControlSubkey = 2,
    kChatSubkey = 3,
    kFileSubkey = 4,
};

// The sealed identity is the identity key and a signature: 32 + 64 bytes plus the AEAD tag.
constexpr std::size_t kIdentityPayloadSize = 32 + 64;
static_assert(kIdentityPayloadSize + crypto_aead_xchacha20poly1305_ietf_ABYTES == wire::kSealedIdentitySize);
static_assert(crypto_kx_PUBLICKEYBYTES == 32 && crypto_kx_SECRETKEYBYTES == 32 && crypto_kx_SEEDBYTES == 32 &&
              crypto_kx_SESSIONKEYBYTES == 32);

// Named for the handshake frames; others (whose set grows with the wire format) by number.
std::string frameName(FrameType type)
{
    switch (type) {
    case FrameType::HandshakeInit:
        return "HandshakeInit";
    case FrameType::HandshakeReply:
        return "HandshakeReply";
    case FrameType::HandshakeReveal:
        return "HandshakeReveal";
    case FrameType::HandshakeFinish:
        return "HandshakeFinish";
    default:
        break;
    }
    char text[24];
    std::snprintf(text, sizeof text, "type 0x%02x", static_cast<unsigned>(type));
    return text;
}

Key32 deriveSubkey(const Key32& directionKey, SubkeyId id)
{
    Key32 subkey{};
    crypto_kdf_derive_from_key(subkey.data(), subkey.size(), id, kKdfContext, directionKey.data());
    return subkey;
}

DirectionKeys deriveDirection(const Key32& directionKey)
{
    return {deriveSubkey(directionKey, kControlSubkey), deriveSubkey(directionKey, kChatSubkey),
            deriveSubkey(directionKey, kFileSubkey)};
}

Hash32 commitmentTo(const Key32& initiatorEphemeral)
{
    return blake2b256({detail::asBytes(kCommitLabel), initiatorEphemeral});
}

Hash32 transcriptOf(const Hash32& commitment, const Key32& responderEphemeral,
                    const Key32& initiatorEphemeral)
{
    return blake2b256(
        {detail::asBytes(kTranscriptLabel), commitment, responderEphemeral, initiatorEphemeral});
}

Bytes concat(std::initializer_list<ByteSpan> parts)
{
    Bytes out;
    for (const ByteSpan part : parts)
        out.insert(out.end(), part.begin(), part.end());
    return out;
}

// Each seal key is used exactly once, so the all-zero nonce never repeats under a key.
wire::SealedIdentity sealIdentity(const Key32& key, const Hash32& transcript, const Key32& identity,
                                  const Signature& signature)
{
    std::array<std::uint8_t, kIdentityPayloadSize> payload{};
    std::copy(identity.begin(), identity.end(), payload.begin());
    std::copy(signature.begin(), signature.end(), payload.begin() + identity.size());
    const std::array<std::uint8_t, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce{};
    wire::SealedIdentity sealed{};
    crypto_aead_xchacha20poly1305_ietf_encrypt(sealed.data(), nullptr, payload.data(), payload.size(),
                                               transcript.data(), transcript.size(), nullptr, nonce.data(),
                                               key.data());
    return sealed;
}

struct OpenedIdentity {
    Key32 identity{};
    Signature signature{};
};

std::optional<OpenedIdentity> openIdentity(const Key32& key, const Hash32& transcript,
                                           const wire::SealedIdentity& sealed)
{
    std::array<std::uint8_t, kIdentityPayloadSize> payload{};
    const std::array<std::uint8_t, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce{};
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(payload.data(), nullptr, nullptr, sealed.data(),
                                                   sealed.size(), transcript.data(), transcript.size(),
                                                   nonce.data(), key.data()) != 0)
        return std::nullopt;
    OpenedIdentity opened;
    std::copy_n(payload.begin(), opened.identity.size(), opened.identity.begin());
    std::copy_n(payload.begin() + opened.identity.size(), opened.signature.size(), opened.signature.begin());
    return opened;
}

} // namespace

struct Handshake::State {
    enum class Phase { NotStarted, AwaitInit, AwaitReply, AwaitReveal, AwaitFinish, Complete, Failed };

    State(Role r, const Identity& id, Random& rng)
        : role(r), identity(id), random(rng),
          phase(r == Role::Initiator ? Phase::NotStarted : Phase::AwaitInit)
    {
    }
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    ~State() { wipeSecrets(); }

    Role role;
    Identity identity;
    Random& random;
    Phase phase;
    std::string error;

    Key32 ephemeralPublic{};
    Key32 ephemeralSecret{};
    Hash32 commitment{};
    Hash32 transcript{};
    Key32 sendSealKey{};
    Key32 receiveSealKey{};
    Key32 peerIdentity{};
    SessionKeys keys{};

    void makeEphemeral()
    {
        std::array<std::uint8_t, crypto_kx_SEEDBYTES> seed{};
        random.fill(seed);
        crypto_kx_seed_keypair(ephemeralPublic.data(), ephemeralSecret.data(), seed.data());
        detail::wipe(seed);
    }

    // crypto_kx (the initiator is the client), then the session keys and the single-use identity seal
    // keys. False if the peer's ephemeral key is a low-order point.
    bool exchangeKeys(const Key32& peerEphemeral)
    {
        Key32 receiveKey{};
        Key32 sendKey{};
        const int result =
            role == Role::Initiator
                ? crypto_kx_client_session_keys(receiveKey.data(), sendKey.data(), ephemeralPublic.data(),
                                                ephemeralSecret.data(), peerEphemeral.data())
                : crypto_kx_server_session_keys(receiveKey.data(), sendKey.data(), ephemeralPublic.data(),
                                                ephemeralSecret.data(), peerEphemeral.data());
        detail::wipe(ephemeralSecret);
        if (result == 0) {
            keys.send = deriveDirection(sendKey);
            keys.receive = deriveDirection(receiveKey);
            sendSealKey = deriveSubkey(sendKey, kIdentitySealSubkey);
            receiveSealKey = deriveSubkey(receiveKey, kIdentitySealSubkey);
        }
        detail::wipe(receiveKey);
        detail::wipe(sendKey);
        return result == 0;
    }

    void wipeSecrets()
    {
        detail::wipe(ephemeralSecret);
        detail::wipe(sendSealKey);
        detail::wipe(receiveSealKey);
        detail::wipe(keys);
    }

    Step fail(std::string reason)
    {
        wipeSecrets();
        phase = Phase::Failed;
        error = std::move(reason);
        return Step{{}, true, error};
    }

    Step succeed(Bytes frame)
    {
        Step step;
        step.send.push_back(std::move(frame));
        return step;
    }

    // The identity checks both sides make on the peer's opened identity.
    std::optional<std::string> checkPeer(const OpenedIdentity& peer, ByteSpan signedMessage) const
    {
        if (!verifySignature(peer.identity, signedMessage, peer.signature))
            return "the peer's identity signature is invalid";
        if (peer.identity == identity.publicKey())
            return "the peer presents our own identity (connected to ourselves?)";
        return std::nullopt;
    }

    Step onInit(ByteSpan body)
    {
        const auto init = wire::decodeHandshakeInit(body);
        if (!init) return fail("malformed HandshakeInit: " + std::string(wire::describe(init.error())));
        commitment = init->commitment;
        makeEphemeral();
        phase = Phase::AwaitReveal;
        return succeed(wire::encode(wire::HandshakeReply{ephemeralPublic}));
    }

    Step onReply(ByteSpan body)
    {
        const auto reply = wire::decodeHandshakeReply(body);
        if (!reply) return fail("malformed HandshakeReply: " + std::string(wire::describe(reply.error())));
        transcript = transcriptOf(commitment, reply->ephemeral, ephemeralPublic);
        if (!exchangeKeys(reply->ephemeral))
            return fail("the peer's ephemeral key is invalid (low-order point)");

        const Key32& own = identity.publicKey();
        const Signature signature =
            identity.sign(concat({detail::asBytes(kInitiatorSignatureLabel), transcript, own}));
        const wire::HandshakeReveal reveal{ephemeralPublic,
                                           sealIdentity(sendSealKey, transcript, own, signature)};
        detail::wipe(sendSealKey);
        phase = Phase::AwaitFinish;
        return succeed(wire::encode(reveal));
    }

    Step onReveal(ByteSpan body)
    {
        const auto reveal = wire::decodeHandshakeReveal(body);
        if (!reveal) return fail("malformed HandshakeReveal: " + std::string(wire::describe(reveal.error())));
        if (commitmentTo(reveal->ephemeral) != commitment)
            return fail(
                "commitment mismatch: the revealed ephemeral key is not the one HandshakeInit committed to");
        transcript = transcriptOf(commitment, ephemeralPublic, reveal->ephemeral);
        if (!exchangeKeys(reveal->ephemeral))
            return fail("the peer's ephemeral key is invalid (low-order point)");

        const auto peer = openIdentity(receiveSealKey, transcript, reveal->identity);
        detail::wipe(receiveSealKey);
        if (!peer) return fail("cannot open the peer's identity in HandshakeReveal (tampered or wrong keys)");
        const Bytes signedByPeer =
            concat({detail::asBytes(kInitiatorSignatureLabel), transcript, peer->identity});
        if (auto problem = checkPeer(*peer, signedByPeer)) return fail(std::move(*problem));
        peerIdentity = peer->identity;

        const Key32& own = identity.publicKey();
        const Signature signature =
            identity.sign(concat({detail::asBytes(kResponderSignatureLabel), transcript, peerIdentity, own}));
        const wire::HandshakeFinish finish{sealIdentity(sendSealKey, transcript, own, signature)};
        detail::wipe(sendSealKey);
        phase = Phase::Complete;
        return succeed(wire::encode(finish));
    }

    Step onFinish(ByteSpan body)
    {
        const auto finish = wire::decodeHandshakeFinish(body);
        if (!finish) return fail("malformed HandshakeFinish: " + std::string(wire::describe(finish.error())));
        const auto peer = openIdentity(receiveSealKey, transcript, finish->identity);
        detail::wipe(receiveSealKey);
        if (!peer) return fail("cannot open the peer's identity in HandshakeFinish (tampered or wrong keys)");
        const Bytes signedByPeer = concat(
            {detail::asBytes(kResponderSignatureLabel), transcript, identity.publicKey(), peer->identity});
        if (auto problem = checkPeer(*peer, signedByPeer)) return fail(std::move(*problem));
        peerIdentity = peer->identity;
        phase = Phase::Complete;
        return {};
    }

    std::string_view waitingFor() const
    {
        switch (phase) {
        case Phase::NotStarted:
            return "before start()";
        case Phase::AwaitInit:
            return "while waiting for HandshakeInit";
        case Phase::AwaitReply:
            return "while waiting for HandshakeReply";
        case Phase::AwaitReveal:
            return "while waiting for HandshakeReveal";
        case Phase::AwaitFinish:
            return "while waiting for HandshakeFinish";
        case Phase::Complete:
            return "after the handshake completed";
        case Phase::Failed:
            return "after the handshake failed";
        }
        return "";
    }
};

Handshake::Handshake(Role role, const Identity& identity, Random& random)
    : m_state(std::make_shared<State>(role, identity, random))
{
    initialize();
}

Handshake::Step Handshake::start()
{
    State& s = *m_state;
    if (s.role == Role::Responder) return {};
    if (s.phase != State::Phase::NotStarted) throw std::logic_error("Handshake::start called twice");
    s.makeEphemeral();
    s.commitment = commitmentTo(s.ephemeralPublic);
    s.phase = State::Phase::AwaitReply;
    return s.succeed(wire::encode(wire::HandshakeInit{wire::kSuiteX25519Ed25519XChaCha, s.commitment}));
}

Handshake::Step Handshake::onFrame(wire::FrameType type, ByteSpan body)
{
    State& s = *m_state;
    using Phase = State::Phase;
    if (s.phase == Phase::Failed) return Step{{}, true, s.error};
    const bool initiator = s.role == Role::Initiator;
    if (type == FrameType::HandshakeInit && !initiator && s.phase == Phase::AwaitInit) return s.onInit(body);
    if (type == FrameType::HandshakeReply && initiator && s.phase == Phase::AwaitReply)
        return s.onReply(body);
    if (type == FrameType::HandshakeReveal && !initiator && s.phase == Phase::AwaitReveal)
        return s.onReveal(body);
    if (type == FrameType::HandshakeFinish && initiator && s.phase == Phase::AwaitFinish)
        return s.onFinish(body);
    return s.fail("unexpected " + frameName(type) + " frame " + std::string(s.waitingFor()));
}

bool Handshake::complete() const
{
    return m_state->phase == State::Phase::Complete;
}

bool Handshake::failed() const
{
    return m_state->phase == State::Phase::Failed;
}

const std::string& Handshake::error() const
{
    return m_state->error;
}

const Key32& Handshake::peerIdentity() const
{
    if (!complete()) throw std::logic_error("Handshake::peerIdentity before completion");
    return m_state->peerIdentity;
}

std::string Handshake::verificationCode() const
{
    if (!complete()) throw std::logic_error("Handshake::verificationCode before completion");
    const Hash32 hash = blake2b256({detail::asBytes(kCodeLabel), m_state->transcript});
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < 8; ++i)
        value |= std::uint64_t{hash[i]} << (8 * i);
    // 2^64 mod 10^6 is tiny compared to 2^64, so the reduction bias is about 1e-13: negligible.
    const auto code = static_cast<unsigned>(value % 1'000'000);
    char text[8];
    std::snprintf(text, sizeof text, "%03u %03u", code / 1000, code % 1000);
    return text;
}

const SessionKeys& Handshake::keys() const
{
    if (!complete()) throw std::logic_error("Handshake::keys before completion");
    return m_state->keys;
}

} // namespace duet::crypto
