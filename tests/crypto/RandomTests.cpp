#include "duet/crypto/Random.hpp"

#include <doctest/doctest.h>

using namespace duet::crypto;

namespace {
Bytes draw(Random& random, std::size_t size)
{
    Bytes out(size);
    random.fill(out);
    return out;
}
} // namespace

TEST_CASE("initialize succeeds and is idempotent")
{
    CHECK(initialize());
    CHECK(initialize());
}

TEST_CASE("SeededRandom reproduces its whole sequence from the seed")
{
    SeededRandom a(42);
    SeededRandom b(42);
    for (int i = 0; i < 5; ++i)
        CHECK(draw(a, 32) == draw(b, 32));
}

TEST_CASE("successive SeededRandom fills differ, and so do different seeds")
{
    SeededRandom a(1);
    const Bytes first = draw(a, 32);
    const Bytes second = draw(a, 32);
    CHECK(first != second);
    SeededRandom b(2);
    CHECK(draw(b, 32) != first);
    // A call's bytes depend on the seed and the call's position, not on how many bytes were asked for.
    SeededRandom c(1);
    CHECK(draw(c, 16) == Bytes(first.begin(), first.begin() + 16));
}

TEST_CASE("SystemRandom fills differ")
{
    SystemRandom random;
    CHECK(draw(random, 32) != draw(random, 32));
    CHECK(draw(random, 0).empty());
}
