#include "duet/crypto/Identity.hpp"

#include "duet/crypto/Hashing.hpp"
#include "duet/crypto/Internal.hpp"

namespace duet::crypto {
namespace {

constexpr std::string_view kFingerprintLabel = "duet-fp-v1";
constexpr std::size_t kFingerprintBytes = 20; // 160 bits: exactly 32 base32 characters
constexpr std::size_t kFingerprintGroup = 4;

std::string base32(ByteSpan bytes)
{
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"; // RFC 4648 section 6
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const std::uint8_t b : bytes) {
        buffer = (buffer << 8) | b;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out.push_back(kAlphabet[(buffer >> bits) & 0x1f]);
        }
    }
    if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 0x1f]);
    return out;
}

} // namespace

std::string fingerprintOf(const Key32& identityPublicKey)
{
    const Hash32 hash = blake2b256({detail::asBytes(kFingerprintLabel), identityPublicKey});
    const std::string digits = base32(ByteSpan(hash).first(kFingerprintBytes));
    std::string grouped;
    for (std::size_t i = 0; i < digits.size(); i += kFingerprintGroup) {
        if (i > 0) grouped.push_back('-');
        grouped.append(digits, i, kFingerprintGroup);
    }
    return grouped;
}

Identity Identity::fromSeed(const std::array<std::uint8_t, 32>& seed)
{
    initialize();
    static_assert(crypto_sign_SEEDBYTES == 32 && crypto_sign_PUBLICKEYBYTES == 32 &&
                  crypto_sign_SECRETKEYBYTES == 64);
    Identity identity;
    crypto_sign_seed_keypair(identity.m_public.data(), identity.m_secret.data(), seed.data());
    return identity;
}

Identity Identity::generate(Random& random)
{
    std::array<std::uint8_t, 32> seed{};
    random.fill(seed);
    Identity identity = fromSeed(seed);
    detail::wipe(seed);
    return identity;
}

Identity::~Identity()
{
    detail::wipe(m_secret);
}

Signature Identity::sign(ByteSpan message) const
{
    static_assert(crypto_sign_BYTES == std::tuple_size_v<Signature>);
    Signature signature{};
    crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), m_secret.data());
    return signature;
}

bool verifySignature(const Key32& publicKey, ByteSpan message, const Signature& signature)
{
    initialize();
    return crypto_sign_verify_detached(signature.data(), message.data(), message.size(), publicKey.data()) ==
           0;
}

} // namespace duet::crypto
