#include "duet/crypto/Hashing.hpp"

#include "duet/crypto/Internal.hpp"

#include <stdexcept>

namespace duet::crypto {

struct Hasher::State {
    crypto_generichash_state hash{};
    bool finished = false;
};

Hasher::Hasher() : m_state(std::make_shared<State>())
{
    initialize();
    crypto_generichash_init(&m_state->hash, nullptr, 0, std::tuple_size_v<Hash32>);
}

void Hasher::update(ByteSpan data)
{
    if (m_state->finished) throw std::logic_error("Hasher::update after finish");
    crypto_generichash_update(&m_state->hash, data.data(), data.size());
}

Hash32 Hasher::finish()
{
    if (m_state->finished) throw std::logic_error("Hasher::finish called twice");
    m_state->finished = true;
    Hash32 out{};
    crypto_generichash_final(&m_state->hash, out.data(), out.size());
    return out;
}

Hash32 blake2b256(std::initializer_list<ByteSpan> parts)
{
    Hasher hasher;
    for (const ByteSpan part : parts)
        hasher.update(part);
    return hasher.finish();
}

Hash32 labelledKey(std::string_view label, const Hash32& key)
{
    return blake2b256({ByteSpan(reinterpret_cast<const std::uint8_t*>(label.data()), label.size()), key});
}

std::string toHex(ByteSpan bytes)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const std::uint8_t b : bytes) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 0x0f]);
    }
    return out;
}

} // namespace duet::crypto
