#include "duet/nat/NatType.hpp"

#include <doctest/doctest.h>

using namespace duet::nat;

TEST_CASE("nattype: classification from two STUN answers")
{
    const std::vector<std::uint32_t> local = {0x0A000002};
    CHECK(classifyNat({}, local, 5000, 0) == NatType::Unknown);
    CHECK(classifyNat({}, local, 5000, 2) == NatType::Blocked);
    CHECK(classifyNat({{0x0A000002, 5000}, {0x0A000002, 5000}}, local, 5000, 2) == NatType::Open);
    CHECK(classifyNat({{0xCB000001, 6000}, {0xCB000001, 6000}}, local, 5000, 2) == NatType::Cone);
    CHECK(classifyNat({{0xCB000001, 6000}, {0xCB000001, 6001}}, local, 5000, 2) == NatType::Symmetric);
    CHECK(classifyNat({{0xCB000001, 6000}}, local, 5000, 2) == NatType::Unknown);
}

TEST_CASE("nattype: punching is expected unless both sides are symmetric or blocked")
{
    CHECK(punchLikely(NatType::Cone, NatType::Cone));
    CHECK(punchLikely(NatType::Symmetric, NatType::Open));
    CHECK_FALSE(punchLikely(NatType::Symmetric, NatType::Symmetric));
    CHECK_FALSE(punchLikely(NatType::Blocked, NatType::Cone));
}
