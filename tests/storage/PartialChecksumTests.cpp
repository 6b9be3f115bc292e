// The partial files' chunk checksum is XXH3-128 in canonical byte order, so a partial written on one
// machine resumes on another build; vectors from the reference tool (`xxhsum -H2`).
#include "duet/storage/PartialChecksum.hpp"

#include <doctest/doctest.h>
#include <string>
#include <string_view>
#include <vector>

using duet::storage::partialChecksum;

namespace {

std::string hexOf(const duet::storage::PartialChecksum& sum)
{
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (std::uint8_t byte : sum) {
        out += digits[byte >> 4];
        out += digits[byte & 15];
    }
    return out;
}

std::span<const std::uint8_t> bytesOf(std::string_view text)
{
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

} // namespace

TEST_CASE("partial checksums match the reference XXH3-128 and tell one changed byte")
{
    CHECK(hexOf(partialChecksum(bytesOf(""))) == "99aa06d3014798d86001c324468d497f");
    CHECK(hexOf(partialChecksum(bytesOf("duet"))) == "195522b75eda7e6f311faef04260f7d6");

    std::vector<std::uint8_t> chunk(256 * 1024);
    for (std::size_t i = 0; i < chunk.size(); ++i)
        chunk[i] = static_cast<std::uint8_t>(i * 31 + 7);
    const auto whole = partialChecksum(chunk);
    CHECK(partialChecksum(chunk) == whole);
    chunk[chunk.size() / 2] ^= 1;
    CHECK(partialChecksum(chunk) != whole);
    chunk[chunk.size() / 2] ^= 1;
    // A torn tail: the first half written, the rest still zeros.
    std::vector<std::uint8_t> torn(chunk.begin(),
                                   chunk.begin() + static_cast<std::ptrdiff_t>(chunk.size() / 2));
    torn.resize(chunk.size(), 0);
    CHECK(partialChecksum(torn) != whole);
}
