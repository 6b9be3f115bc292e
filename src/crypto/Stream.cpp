#include "duet/crypto/Internal.hpp"
#include "duet/crypto/Records.hpp"

#include <algorithm>
#include <stdexcept>

namespace duet::crypto {
namespace {

constexpr std::uint8_t kFlagHeader = 0x01;
constexpr std::size_t kHeaderSize = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr std::size_t kTagSize = crypto_secretstream_xchacha20poly1305_ABYTES;
static_assert(crypto_secretstream_xchacha20poly1305_KEYBYTES == std::tuple_size_v<Key32>);

} // namespace

struct StreamSealer::State {
    crypto_secretstream_xchacha20poly1305_state stream{};
    std::array<std::uint8_t, kHeaderSize> header{};
    bool headerSent = false;
    ~State() { detail::wipe(stream); }
};

StreamSealer::StreamSealer(const Key32& key) : m_state(std::make_shared<State>())
{
    initialize();
    crypto_secretstream_xchacha20poly1305_init_push(&m_state->stream, m_state->header.data(), key.data());
}

Bytes StreamSealer::seal(ByteSpan plaintext)
{
    if (plaintext.size() > crypto_secretstream_xchacha20poly1305_MESSAGEBYTES_MAX)
        throw std::length_error("StreamSealer::seal: record too large");
    State& s = *m_state;
    Bytes record;
    record.reserve(1 + kHeaderSize + plaintext.size() + kTagSize);
    record.push_back(s.headerSent ? 0 : kFlagHeader);
    if (!s.headerSent) record.insert(record.end(), s.header.begin(), s.header.end());
    s.headerSent = true;
    const std::size_t offset = record.size();
    record.resize(offset + plaintext.size() + kTagSize);
    crypto_secretstream_xchacha20poly1305_push(&s.stream, record.data() + offset, nullptr, plaintext.data(),
                                               plaintext.size(), nullptr, 0,
                                               crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
    return record;
}

struct StreamOpener::State {
    Key32 key{};
    crypto_secretstream_xchacha20poly1305_state stream{};
    bool started = false;
    ~State()
    {
        detail::wipe(key);
        detail::wipe(stream);
    }
};

StreamOpener::StreamOpener(const Key32& key) : m_state(std::make_shared<State>())
{
    initialize();
    m_state->key = key;
}

std::optional<Bytes> StreamOpener::open(ByteSpan recordBody)
{
    State& s = *m_state;
    if (recordBody.empty()) return std::nullopt;
    const std::uint8_t flags = recordBody[0];
    if ((flags & ~kFlagHeader) != 0) return std::nullopt;
    ByteSpan rest = recordBody.subspan(1);

    // Work on a copy and commit it only on success: whatever libsodium does to the state on a failed pull
    // (1.0.18 leaves it untouched), a forged record can never desynchronise the stream.
    crypto_secretstream_xchacha20poly1305_state working = s.stream;
    const bool hasHeader = (flags & kFlagHeader) != 0;
    if (hasHeader != !s.started)
        return std::nullopt; // the header comes with the first record, and only there
    if (hasHeader) {
        if (rest.size() < kHeaderSize ||
            crypto_secretstream_xchacha20poly1305_init_pull(&working, rest.data(), s.key.data()) != 0)
            return std::nullopt;
        rest = rest.subspan(kHeaderSize);
    }
    if (rest.size() < kTagSize ||
        rest.size() - kTagSize > crypto_secretstream_xchacha20poly1305_MESSAGEBYTES_MAX)
        return std::nullopt;

    // At least one byte so data() is never null, even for an empty plaintext.
    Bytes plaintext(std::max<std::size_t>(rest.size() - kTagSize, 1));
    unsigned long long length = 0;
    unsigned char tag = 0;
    const bool opened = crypto_secretstream_xchacha20poly1305_pull(&working, plaintext.data(), &length, &tag,
                                                                   rest.data(), rest.size(), nullptr, 0) == 0;
    // We only ever seal TAG_MESSAGE; any other tag (FINAL, REKEY, PUSH) would change the stream's meaning.
    if (!opened || tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
        detail::wipe(working);
        return std::nullopt;
    }
    s.stream = working;
    s.started = true;
    detail::wipe(working);
    plaintext.resize(static_cast<std::size_t>(length));
    return plaintext;
}

} // namespace duet::crypto
