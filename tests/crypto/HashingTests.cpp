#include "duet/crypto/Hashing.hpp"

#include <doctest/doctest.h>
#include <stdexcept>
#include <string_view>

using namespace duet::crypto;

namespace {
ByteSpan text(std::string_view s)
{
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
} // namespace

// Expected digests below come from Python's hashlib.blake2b(digest_size=32), an independent implementation.
TEST_CASE("BLAKE2b-256 of \"abc\" and of the empty string match known vectors")
{
    Hasher abc;
    abc.update({}); // empty updates change nothing
    abc.update(text("abc"));
    CHECK(toHex(abc.finish()) == "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
    CHECK(toHex(Hasher().finish()) == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
}

TEST_CASE("incremental hashing equals one-shot hashing for any split")
{
    Bytes data;
    for (int round = 0; round < 40; ++round)
        for (int b = 0; b < 256; ++b)
            data.push_back(static_cast<std::uint8_t>(b));
    const std::string expected = "1ed0d7616785400ccd2dc0ba224e13482b6120adff1b9cd7fb31be806b6892d1";
    CHECK(toHex(blake2b256({data})) == expected);
    for (const std::size_t piece : {1u, 7u, 128u, 129u, 4096u}) {
        Hasher hasher;
        for (std::size_t offset = 0; offset < data.size(); offset += piece)
            hasher.update(ByteSpan(data).subspan(offset, std::min(piece, data.size() - offset)));
        CHECK(toHex(hasher.finish()) == expected);
    }
    CHECK(blake2b256({text("ab"), text("c")}) == blake2b256({text("abc")}));
}

TEST_CASE("a finished hasher refuses further use")
{
    Hasher hasher;
    hasher.finish();
    CHECK_THROWS_AS(hasher.update(text("x")), std::logic_error);
    CHECK_THROWS_AS(hasher.finish(), std::logic_error);
}

TEST_CASE("toHex writes two lower-case digits per byte")
{
    const Bytes bytes = {0x00, 0x0f, 0xa0, 0xff};
    CHECK(toHex(bytes) == "000fa0ff");
    CHECK(toHex({}).empty());
}
