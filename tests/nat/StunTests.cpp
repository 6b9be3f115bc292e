#include "duet/nat/Crc32.hpp"
#include "duet/nat/Stun.hpp"

#include <doctest/doctest.h>
#include <string>

using namespace duet::nat;

namespace {

StunTransactionId sampleTransaction()
{
    StunTransactionId id{};
    for (std::size_t i = 0; i < id.size(); ++i)
        id[i] = static_cast<std::uint8_t>(0xA0 + i);
    return id;
}

// A hand-built Binding success response: header, then the given attribute bytes.
std::vector<std::uint8_t> response(const std::vector<std::uint8_t>& attributes, std::uint16_t type = 0x0101)
{
    std::vector<std::uint8_t> m = {static_cast<std::uint8_t>(type >> 8),
                                   static_cast<std::uint8_t>(type),
                                   static_cast<std::uint8_t>(attributes.size() >> 8),
                                   static_cast<std::uint8_t>(attributes.size()),
                                   0x21,
                                   0x12,
                                   0xA4,
                                   0x42};
    const StunTransactionId id = sampleTransaction();
    m.insert(m.end(), id.begin(), id.end());
    m.insert(m.end(), attributes.begin(), attributes.end());
    return m;
}

} // namespace

TEST_CASE("stun: crc32 matches the standard check value")
{
    const std::string text = "123456789";
    CHECK(crc32({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}) == 0xCBF43926u);
}

TEST_CASE("stun: a binding request has the RFC 5389 header and a fingerprint")
{
    const auto request = encodeBindingRequest(sampleTransaction());
    REQUIRE(request.size() == 28);
    CHECK(request[0] == 0x00);
    CHECK(request[1] == 0x01);
    CHECK(request[3] == 8); // FINGERPRINT only
    CHECK(request[4] == 0x21);
    CHECK(request[7] == 0x42);
    CHECK(request[20] == 0x80);
    CHECK(request[21] == 0x28);
    CHECK(looksLikeStun(request));
}

TEST_CASE("stun: RFC 5769 sample IPv4 response decodes to 192.0.2.1:32853")
{
    // RFC 5769 section 2.2 (SOFTWARE, XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY, FINGERPRINT).
    const std::vector<std::uint8_t> sample = {
        0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
        0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
        0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
        0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
        0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96};
    const StunDecoded decoded = decodeBindingResponse(sample);
    REQUIRE(decoded);
    CHECK(formatEndpoint(decoded.response->mapped) == "192.0.2.1:32853");
    CHECK(decoded.response->fromXor);
    CHECK(decoded.response->transaction[0] == 0xb7);
}

TEST_CASE("stun: our own success response round-trips through the decoder")
{
    const auto request = encodeBindingRequest(sampleTransaction());
    const Ipv4Endpoint mapped{0xCB007105, 40000};
    const auto answer = encodeBindingSuccess(request, mapped);
    const StunDecoded decoded = decodeBindingResponse(answer);
    REQUIRE(decoded);
    CHECK(decoded.response->mapped == mapped);
    CHECK(decoded.response->transaction == sampleTransaction());
    CHECK(encodeBindingSuccess(answer, mapped).empty()); // a response is not a request
}

TEST_CASE("stun: MAPPED-ADDRESS is used when XOR-MAPPED-ADDRESS is absent, XOR wins when both exist")
{
    const std::vector<std::uint8_t> plain = {0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x1F, 0x90, 10, 0, 0, 7};
    StunDecoded decoded = decodeBindingResponse(response(plain));
    REQUIRE(decoded);
    CHECK(formatEndpoint(decoded.response->mapped) == "10.0.0.7:8080");
    CHECK_FALSE(decoded.response->fromXor);

    std::vector<std::uint8_t> both = plain;
    const std::vector<std::uint8_t> xored = {
        0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0x21 ^ 0x00, 0x12 ^ 0x50, 0x21 ^ 1, 0x12 ^ 2, 0xA4 ^ 3, 0x42 ^ 4};
    both.insert(both.end(), xored.begin(), xored.end());
    decoded = decodeBindingResponse(response(both));
    REQUIRE(decoded);
    CHECK(formatEndpoint(decoded.response->mapped) == "1.2.3.4:80");
}

TEST_CASE("stun: unknown attributes, odd lengths and padding are skipped")
{
    const std::vector<std::uint8_t> attributes = {0x80, 0x22, 0x00, 0x03, 'a',  'b',  'c',  0x00, // SOFTWARE
                                                  0x7F, 0x01, 0x00, 0x00, // empty unknown
                                                  0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x00, 0x50, 9, 9, 9, 9};
    const StunDecoded decoded = decodeBindingResponse(response(attributes));
    REQUIRE(decoded);
    CHECK(formatEndpoint(decoded.response->mapped) == "9.9.9.9:80");
}

TEST_CASE("stun: hostile and foreign datagrams are refused without reading out of bounds")
{
    const std::vector<std::uint8_t> address = {0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x00, 0x50, 9, 9, 9, 9};
    SUBCASE("empty and short")
    {
        CHECK(decodeBindingResponse({}).error == StunError::NotStun);
        const auto whole = response(address);
        for (std::size_t cut = 0; cut < whole.size(); ++cut)
            CHECK_FALSE(decodeBindingResponse(std::span(whole).first(cut)));
    }
    SUBCASE("wrong cookie")
    {
        auto m = response(address);
        m[4] = 0;
        CHECK(decodeBindingResponse(m).error == StunError::NotStun);
    }
    SUBCASE("length field disagrees with the datagram")
    {
        auto m = response(address);
        m[3] = 16;
        CHECK(decodeBindingResponse(m).error == StunError::NotStun);
    }
    SUBCASE("an attribute claims more than is there")
    {
        const std::vector<std::uint8_t> lying = {0x00, 0x01, 0xFF, 0xF0, 0x00, 0x01, 0x00, 0x50};
        CHECK(decodeBindingResponse(response(lying)).error == StunError::Truncated);
    }
    SUBCASE("an address attribute with a bad length or family")
    {
        const std::vector<std::uint8_t> shortAddress = {0x00, 0x20, 0x00, 0x04, 0x00, 0x01, 0x00, 0x50};
        CHECK(decodeBindingResponse(response(shortAddress)).error == StunError::Malformed);
        const std::vector<std::uint8_t> family = {0x00, 0x01, 0x00, 0x08, 0x00, 0x07, 0x00, 0x50, 1, 2, 3, 4};
        CHECK(decodeBindingResponse(response(family)).error == StunError::Malformed);
    }
    SUBCASE("IPv6 only: no usable address")
    {
        std::vector<std::uint8_t> v6 = {0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0x00, 0x50};
        v6.resize(v6.size() + 16, 0x11);
        CHECK(decodeBindingResponse(response(v6)).error == StunError::NoAddress);
    }
    SUBCASE("error responses and requests are not answers")
    {
        CHECK(decodeBindingResponse(response(address, 0x0111)).error == StunError::ErrorResponse);
        CHECK(decodeBindingResponse(response(address, 0x0001)).error == StunError::NotBinding);
    }
    SUBCASE("a wrong or misplaced fingerprint")
    {
        auto answer = encodeBindingSuccess(encodeBindingRequest(sampleTransaction()), {0x01020304, 5});
        answer.back() ^= 1;
        CHECK(decodeBindingResponse(answer).error == StunError::BadFingerprint);
        std::vector<std::uint8_t> early = {0x80, 0x28, 0x00, 0x04, 0, 0, 0, 0};
        early.insert(early.end(), address.begin(), address.end());
        CHECK(decodeBindingResponse(response(early)).error == StunError::BadFingerprint);
    }
    SUBCASE("ENet and punch traffic is not STUN")
    {
        const std::vector<std::uint8_t> enetLike = {0x80, 0x00, 0x12, 0x34, 0x82, 0xFF, 0x00, 0x01};
        CHECK_FALSE(looksLikeStun(enetLike));
    }
}

TEST_CASE("stun: endpoints parse and format strictly")
{
    CHECK(parseEndpoint("127.0.0.1:3478") == Ipv4Endpoint{0x7F000001, 3478});
    CHECK_FALSE(parseEndpoint("127.0.0.1"));
    CHECK_FALSE(parseEndpoint("127.0.0.1:0"));
    CHECK_FALSE(parseEndpoint("127.0.0.1:65536"));
    CHECK_FALSE(parseEndpoint("256.0.0.1:1"));
    CHECK_FALSE(parseEndpoint("1.2.3:4"));
    CHECK_FALSE(parseEndpoint("1.2.3.4:5x"));
    CHECK_FALSE(parseEndpoint("0001.2.3.4:5"));
    CHECK(formatEndpoint({0x0A000001, 9}) == "10.0.0.1:9");
}

TEST_CASE("stun: a CHANGE-REQUEST probe carries the RFC 5780 attribute before the fingerprint")
{
    const auto request = encodeBindingRequest(sampleTransaction(), kChangeIp | kChangePort);
    REQUIRE(request.size() == 36);
    CHECK(looksLikeStun(request));
    CHECK(request[3] == 16); // CHANGE-REQUEST (8) and FINGERPRINT (8)
    CHECK(request[20] == 0x00);
    CHECK(request[21] == 0x03);
    CHECK(request[23] == 4);
    CHECK(request[27] == 0x06);
    CHECK(request[28] == 0x80); // FINGERPRINT stays last
    CHECK(request[29] == 0x28);
    CHECK(encodeBindingRequest(sampleTransaction(), kChangePort)[27] == 0x02);
    CHECK(encodeBindingRequest(sampleTransaction(), 0).size() == 28);
    // A server can still answer it, and the answer still passes the fingerprint check.
    CHECK(decodeBindingResponse(encodeBindingSuccess(request, {0x0B00000A, 40000})));
}

TEST_CASE("stun: OTHER-ADDRESS and RFC 3489 CHANGED-ADDRESS tell the server's second address")
{
    const auto request = encodeBindingRequest(sampleTransaction());
    const Ipv4Endpoint other{0xCB007102, 3479};
    StunDecoded decoded = decodeBindingResponse(encodeBindingSuccess(request, {0x0B00000A, 40000}, other));
    REQUIRE(decoded);
    REQUIRE(decoded.response->otherAddress);
    CHECK(*decoded.response->otherAddress == other);
    CHECK_FALSE(
        decodeBindingResponse(encodeBindingSuccess(request, {0x0B00000A, 40000})).response->otherAddress);

    const std::vector<std::uint8_t> changed = {0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x1F, 0x90, 10, 0, 0, 7,
                                               0x00, 0x05, 0x00, 0x08, 0x00, 0x01, 0x0D, 0x97, 10, 0, 0, 8};
    decoded = decodeBindingResponse(response(changed));
    REQUIRE(decoded);
    REQUIRE(decoded.response->otherAddress);
    CHECK(formatEndpoint(*decoded.response->otherAddress) == "10.0.0.8:3479");

    // A zero address is no address to compare answers with; a bad length is a malformed message.
    const std::vector<std::uint8_t> zero = {0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x1F, 0x90, 10, 0, 0, 7,
                                            0x80, 0x2C, 0x00, 0x08, 0x00, 0x01, 0x00, 0x00, 0,  0, 0, 0};
    decoded = decodeBindingResponse(response(zero));
    REQUIRE(decoded);
    CHECK_FALSE(decoded.response->otherAddress);
    const std::vector<std::uint8_t> shortOther = {0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x1F, 0x90, 10,   0,
                                                  0,    7,    0x80, 0x2C, 0x00, 0x04, 0x00, 0x01, 0x0D, 0x97};
    CHECK(decodeBindingResponse(response(shortOther)).error == StunError::Malformed);
}
