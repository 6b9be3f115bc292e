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

TEST_CASE("nattype: RFC 5780 filtering from the two CHANGE-REQUEST probes")
{
    using P = ChangeProbe;
    // Test II answered: anyone may send in.
    CHECK(classifyFiltering(P::Answered, P::Answered) == NatFiltering::EndpointIndependent);
    CHECK(classifyFiltering(P::Answered, P::Silent) == NatFiltering::EndpointIndependent); // test III lost
    // Test II silent, test III answered: the server's address may, from another port.
    CHECK(classifyFiltering(P::Silent, P::Answered) == NatFiltering::AddressDependent);
    // Both silent: only the exact endpoint we sent to.
    CHECK(classifyFiltering(P::Silent, P::Silent) == NatFiltering::AddressPortDependent);
    // A server that answers from the address we asked did not honour the change: no conclusion.
    CHECK(classifyFiltering(P::AnsweredUnchanged, P::AnsweredUnchanged) == NatFiltering::Unknown);
    CHECK(classifyFiltering(P::Silent, P::AnsweredUnchanged) == NatFiltering::Unknown);
    CHECK(classifyFiltering(P::Answered, P::AnsweredUnchanged) == NatFiltering::Unknown);
    // Not asked (the server has no second address).
    CHECK(classifyFiltering(P::NotSent, P::NotSent) == NatFiltering::Unknown);
    CHECK(classifyFiltering(P::Silent, P::NotSent) == NatFiltering::Unknown);
}

TEST_CASE("nattype: the reported name combines mapping and filtering")
{
    CHECK(describeNat(NatType::Cone, NatFiltering::EndpointIndependent) == "full-cone");
    CHECK(describeNat(NatType::Cone, NatFiltering::AddressDependent) == "address-restricted");
    CHECK(describeNat(NatType::Cone, NatFiltering::AddressPortDependent) == "port-restricted");
    CHECK(describeNat(NatType::Cone, NatFiltering::Unknown) == "cone");
    // A symmetric mapping defeats punching whatever the filtering; no NAT stays "open".
    CHECK(describeNat(NatType::Symmetric, NatFiltering::EndpointIndependent) == "symmetric");
    CHECK(describeNat(NatType::Open, NatFiltering::AddressPortDependent) == "open");
    CHECK(describeNat(NatType::Blocked, NatFiltering::Unknown) == "blocked");
    CHECK(describeNat(NatType::Unknown, NatFiltering::EndpointIndependent) == "unknown");
}
