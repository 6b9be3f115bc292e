#include "duet/crypto/Identity.hpp"
#include "duet/nat/ConnectionCode.hpp"

#include <doctest/doctest.h>

using namespace duet::nat;

namespace {

ConnectionCode sampleCode()
{
    ConnectionCode code;
    for (std::size_t i = 0; i < code.fingerprint.size(); ++i)
        code.fingerprint[i] = static_cast<std::uint8_t>(i * 13 + 1);
    code.natType = NatType::Cone;
    code.endpoints = {{EndpointKind::Mapped, {0xCB007101, 55555}},
                      {EndpointKind::Public, {0xCB007101, 40001}},
                      {EndpointKind::Lan, {0xC0A80105, 55555}}};
    return code;
}

} // namespace

TEST_CASE("code: encode then decode gives the same code, in dash-separated groups of five")
{
    const ConnectionCode code = sampleCode();
    const std::string text = encodeCode(code);
    CHECK(text.size() < 100);
    CHECK(text[5] == '-');
    const CodeDecoded decoded = decodeCode(text);
    REQUIRE(decoded);
    CHECK(*decoded.code == code);
}

TEST_CASE("code: decoding forgives case, spaces, missing dashes and I/L/O look-alikes")
{
    const std::string text = encodeCode(sampleCode());
    std::string sloppy;
    for (const char c : text) {
        if (c == '-') continue;
        char out = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (c == '0') out = 'o';
        if (c == '1') out = 'l';
        sloppy += out;
    }
    sloppy = "  " + sloppy.substr(0, 10) + " " + sloppy.substr(10);
    const CodeDecoded decoded = decodeCode(sloppy);
    REQUIRE(decoded);
    CHECK(*decoded.code == sampleCode());
}

TEST_CASE("code: every single-character typo is caught")
{
    const std::string text = encodeCode(sampleCode());
    int caught = 0;
    int tried = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '-') continue;
        std::string typo = text;
        typo[i] = text[i] == 'X' ? 'Y' : 'X';
        ++tried;
        caught += decodeCode(typo) ? 0 : 1;
    }
    CHECK(caught == tried);
}

TEST_CASE("code: hostile inputs are refused with a reason")
{
    CHECK(decodeCode("").error == CodeError::Truncated);
    CHECK(decodeCode(std::string(300, 'A')).error == CodeError::TooLong);
    CHECK(decodeCode("ABC!D").error == CodeError::BadCharacter);
    CHECK(decodeCode("192.168.1.1").error == CodeError::BadCharacter);
    CHECK(decodeCode("U0000").error == CodeError::BadCharacter); // U is not Crockford
    const std::string text = encodeCode(sampleCode());
    CHECK_FALSE(decodeCode(text.substr(0, text.size() - 6)));
    for (std::size_t cut = 0; cut < text.size(); ++cut)
        CHECK_FALSE(decodeCode(text.substr(0, cut)));
}

TEST_CASE("code: unknown version, unusable endpoints and too many endpoints are refused")
{
    ConnectionCode code = sampleCode();
    code.endpoints[0].address.port = 0;
    CHECK(decodeCode(encodeCode(code)).error == CodeError::Malformed);
    code = sampleCode();
    code.endpoints[1].address.ip = 0xE0000001; // multicast
    CHECK(decodeCode(encodeCode(code)).error == CodeError::Malformed);
    code = sampleCode();
    code.endpoints.resize(9, code.endpoints[0]);
    const CodeDecoded capped = decodeCode(encodeCode(code));
    REQUIRE(capped);
    CHECK(capped.code->endpoints.size() == kMaxCodeEndpoints);
}

TEST_CASE("code: fingerprint text converts to bytes and back exactly like Duet's identity fingerprint")
{
    std::array<std::uint8_t, 32> seed{};
    seed[0] = 7;
    const duet::crypto::Identity identity = duet::crypto::Identity::fromSeed(seed);
    const std::string text = identity.fingerprint();
    const auto bytes = fingerprintBytes(text);
    REQUIRE(bytes);
    CHECK(fingerprintText(*bytes) == text);
    CHECK_FALSE(fingerprintBytes("ABCD"));
    CHECK_FALSE(fingerprintBytes(text + "A"));
    CHECK_FALSE(fingerprintBytes("abcd-" + text.substr(5)));
}
