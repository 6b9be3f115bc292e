// Plays one side of the handshake with raw libsodium calls written from the protocol text alone, against
// the library's other side. If these pass, the implementation follows HANDSHAKE-SECTION.md byte for byte.
#include "HandshakeHelpers.hpp"

#include <algorithm>
#include <cstdio>
#include <sodium.h>
#include <string_view>

using namespace duet::crypto;
using namespace duet::crypto::testing;
using duet::wire::FrameType;
using Role = Handshake::Role;

namespace {

Bytes cat(std::initializer_list<ByteSpan> parts)
{
    Bytes out;
    for (const ByteSpan p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

ByteSpan text(std::string_view s)
{
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

Hash32 blake(const Bytes& data)
{
    Hash32 out{};
    crypto_generichash(out.data(), out.size(), data.data(), data.size(), nullptr, 0);
    return out;
}

Key32 subkey(const Key32& key, std::uint64_t id)
{
    Key32 out{};
    crypto_kdf_derive_from_key(out.data(), out.size(), id, "DuetKdf1", key.data());
    return out;
}

std::string codeOf(const Hash32& transcript)
{
    const Hash32 h = blake(cat({text("duet-sas-v1"), transcript}));
    std::uint64_t v = 0;
    for (int b = 7; b >= 0; --b)
        v = (v << 8) | h[static_cast<std::size_t>(b)];
    v %= 1000000;
    char out[8];
    std::snprintf(out, sizeof out, "%03u %03u", static_cast<unsigned>(v / 1000),
                  static_cast<unsigned>(v % 1000));
    return out;
}

duet::wire::SealedIdentity seal(const Key32& key, const Hash32& ad, const Key32& id, const Bytes& signature)
{
    const Bytes plain = cat({id, signature});
    duet::wire::SealedIdentity out{};
    const std::array<std::uint8_t, 24> zeroNonce{};
    crypto_aead_xchacha20poly1305_ietf_encrypt(out.data(), nullptr, plain.data(), plain.size(), ad.data(),
                                               ad.size(), nullptr, zeroNonce.data(), key.data());
    return out;
}

std::optional<Bytes> unseal(const Key32& key, const Hash32& ad, const duet::wire::SealedIdentity& sealed)
{
    Bytes plain(96);
    const std::array<std::uint8_t, 24> zeroNonce{};
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), nullptr, nullptr, sealed.data(),
                                                   sealed.size(), ad.data(), ad.size(), zeroNonce.data(),
                                                   key.data()) != 0)
        return std::nullopt;
    return plain;
}

struct RawKeys {
    Key32 publicKey{};
    std::array<std::uint8_t, 64> secretKey{};
    Bytes sign(const Bytes& message) const
    {
        Bytes sig(64);
        crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secretKey.data());
        return sig;
    }
};

RawKeys rawIdentity()
{
    RawKeys keys;
    crypto_sign_keypair(keys.publicKey.data(), keys.secretKey.data());
    return keys;
}

void checkDirection(const DirectionKeys& keys, const Key32& kxKey)
{
    CHECK(keys.control == subkey(kxKey, 2));
    CHECK(keys.chat == subkey(kxKey, 3));
    CHECK(keys.file == subkey(kxKey, 4));
}

// A responder written from the specification, run against the library's initiator.
struct SpecResponder {
    RawKeys identity = rawIdentity();
    Key32 ePublic{};
    Key32 eSecret{};
    Hash32 commitment{};
    Hash32 transcript{};
    Key32 rx{};
    Key32 tx{};
    Key32 initiatorIdentity{};

    Bytes reply(const Bytes& initFrame)
    {
        const Bytes body = bodyOf(initFrame);
        REQUIRE(body.size() == 33);
        CHECK(body[0] == 1); // suite
        std::copy(body.begin() + 1, body.end(), commitment.begin());
        crypto_kx_keypair(ePublic.data(), eSecret.data());
        return duet::wire::encode(duet::wire::HandshakeReply{ePublic});
    }

    // Checks the Reveal as the specification says and keeps the transcript and keys.
    void openReveal(const Bytes& revealFrame)
    {
        const auto reveal = duet::wire::decodeHandshakeReveal(bodyOf(revealFrame));
        REQUIRE(reveal.ok());
        CHECK(blake(cat({text("duet-commit-v1"), reveal->ephemeral})) == commitment);
        transcript = blake(cat({text("duet-hs-v1"), commitment, ePublic, reveal->ephemeral}));
        REQUIRE(crypto_kx_server_session_keys(rx.data(), tx.data(), ePublic.data(), eSecret.data(),
                                              reveal->ephemeral.data()) == 0);
        const auto plain = unseal(subkey(rx, 1), transcript, reveal->identity);
        REQUIRE(plain.has_value());
        std::copy_n(plain->begin(), 32, initiatorIdentity.begin());
        const Bytes signed_ = cat({text("duet-sig-I"), transcript, initiatorIdentity});
        CHECK(crypto_sign_verify_detached(plain->data() + 32, signed_.data(), signed_.size(),
                                          initiatorIdentity.data()) == 0);
    }

    Bytes finish(std::string_view label, const Key32& claimed, const RawKeys& signer)
    {
        const Bytes signature = signer.sign(cat({text(label), transcript, initiatorIdentity, claimed}));
        return duet::wire::encode(
            duet::wire::HandshakeFinish{seal(subkey(tx, 1), transcript, claimed, signature)});
    }
};

// An initiator written from the specification, run against the library's responder.
struct SpecInitiator {
    RawKeys identity = rawIdentity();
    Key32 ePublic{};
    Key32 eSecret{};
    Hash32 commitment{};
    Hash32 transcript{};
    Key32 rx{};
    Key32 tx{};

    Bytes init()
    {
        crypto_kx_keypair(ePublic.data(), eSecret.data());
        commitment = blake(cat({text("duet-commit-v1"), ePublic}));
        return duet::wire::encode(duet::wire::HandshakeInit{1, commitment});
    }

    Bytes reveal(const Bytes& replyFrame)
    {
        const auto reply = duet::wire::decodeHandshakeReply(bodyOf(replyFrame));
        REQUIRE(reply.ok());
        transcript = blake(cat({text("duet-hs-v1"), commitment, reply->ephemeral, ePublic}));
        REQUIRE(crypto_kx_client_session_keys(rx.data(), tx.data(), ePublic.data(), eSecret.data(),
                                              reply->ephemeral.data()) == 0);
        const Bytes signature = identity.sign(cat({text("duet-sig-I"), transcript, identity.publicKey}));
        return duet::wire::encode(duet::wire::HandshakeReveal{
            ePublic, seal(subkey(tx, 1), transcript, identity.publicKey, signature)});
    }
};

} // namespace

TEST_CASE("the library's initiator follows the specification")
{
    Party i(Role::Initiator, 1);
    SpecResponder r;
    const Bytes init = i.handshake.start().send.at(0);
    const Bytes reveal = i.handshake.onFrame(FrameType::HandshakeReply, bodyOf(r.reply(init))).send.at(0);
    r.openReveal(reveal);
    CHECK(r.initiatorIdentity == i.identity.publicKey());

    const Handshake::Step done =
        deliver(i.handshake, r.finish("duet-sig-R", r.identity.publicKey, r.identity));
    CHECK_FALSE(done.failed);
    CHECK(done.send.empty());
    REQUIRE(i.handshake.complete());
    CHECK(i.handshake.peerIdentity() == r.identity.publicKey);
    CHECK(i.handshake.verificationCode() == codeOf(r.transcript));
    // The initiator is the crypto_kx client: its send keys come from the server's rx key.
    checkDirection(i.handshake.keys().send, r.rx);
    checkDirection(i.handshake.keys().receive, r.tx);
}

TEST_CASE("the library's responder follows the specification")
{
    Party r(Role::Responder, 2);
    SpecInitiator i;
    const Bytes reply = deliver(r.handshake, i.init()).send.at(0);
    const Bytes finishFrame = deliver(r.handshake, i.reveal(reply)).send.at(0);
    REQUIRE(r.handshake.complete());
    CHECK(r.handshake.peerIdentity() == i.identity.publicKey);
    CHECK(r.handshake.verificationCode() == codeOf(i.transcript));
    checkDirection(r.handshake.keys().send, i.rx);
    checkDirection(r.handshake.keys().receive, i.tx);

    const auto finish = duet::wire::decodeHandshakeFinish(bodyOf(finishFrame));
    REQUIRE(finish.ok());
    const auto plain = unseal(subkey(i.rx, 1), i.transcript, finish->identity);
    REQUIRE(plain.has_value());
    CHECK(std::equal(plain->begin(), plain->begin() + 32, r.identity.publicKey().begin()));
    const Bytes signed_ =
        cat({text("duet-sig-R"), i.transcript, i.identity.publicKey, r.identity.publicKey()});
    CHECK(crypto_sign_verify_detached(plain->data() + 32, signed_.data(), signed_.size(),
                                      r.identity.publicKey().data()) == 0);
}

TEST_CASE("the initiator refuses a Finish whose signature does not prove the sealed identity")
{
    struct Case {
        std::string_view name;
        std::string_view label;
        bool signWithOtherKey;
        std::string_view error;
    };
    const Case cases[] = {
        {"initiator's label", "duet-sig-I", false, "signature is invalid"},
        {"someone else's key", "duet-sig-R", true, "signature is invalid"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        Party i(Role::Initiator, 1);
        SpecResponder r;
        const Bytes init = i.handshake.start().send.at(0);
        r.openReveal(deliver(i.handshake, r.reply(init)).send.at(0));
        const RawKeys other = rawIdentity();
        const Handshake::Step step = deliver(
            i.handshake, r.finish(c.label, r.identity.publicKey, c.signWithOtherKey ? other : r.identity));
        CHECK(step.failed);
        CHECK(step.error.find(c.error) != std::string::npos);
    }
}

TEST_CASE("the initiator refuses a responder that presents the initiator's own identity")
{
    SeededRandom seeds(9);
    const Identity self = Identity::generate(seeds);
    Party i(Role::Initiator, 1, self);
    SpecResponder r;
    r.openReveal(deliver(i.handshake, r.reply(i.handshake.start().send.at(0))).send.at(0));
    // A responder holding the same identity seed signs as itself, which is also the initiator.
    RawKeys sameKeys;
    std::array<std::uint8_t, 32> seed{};
    SeededRandom again(9);
    again.fill(seed);
    crypto_sign_seed_keypair(sameKeys.publicKey.data(), sameKeys.secretKey.data(), seed.data());
    REQUIRE(sameKeys.publicKey == self.publicKey());
    const Handshake::Step step = deliver(i.handshake, r.finish("duet-sig-R", sameKeys.publicKey, sameKeys));
    CHECK(step.failed);
    CHECK(step.error.find("our own identity") != std::string::npos);
}
