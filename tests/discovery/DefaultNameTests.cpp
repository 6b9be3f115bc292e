// The display name announced when the user set none: the host name, made valid, never the account name.
#include "duet/discovery/DefaultName.hpp"
#include "duet/wire/Messages.hpp"
#include "support/EnvOverride.hpp"

#include <array>
#include <climits>
#include <cstdlib>
#include <doctest/doctest.h>
#include <unistd.h>

using namespace duet::discovery;

TEST_CASE("default name: a host name is trimmed and cut to the wire limit at a character boundary")
{
    CHECK(displayNameFromHostName("studio-pc") == "studio-pc");
    CHECK(displayNameFromHostName("  studio-pc\t") == "studio-pc");
    const std::string longName(100, 'h');
    CHECK(displayNameFromHostName(longName) == std::string(duet::wire::kMaxDisplayName, 'h'));
    // 63 ASCII bytes then a two-byte character: cutting at 64 bytes would split it.
    const std::string straddling = std::string(63, 'a') + "\xC3\xA9" + "bc";
    CHECK(displayNameFromHostName(straddling) == std::string(63, 'a'));
}

TEST_CASE("default name: an empty, non-UTF-8 or control-character host name gives the fallback")
{
    CHECK(displayNameFromHostName("") == kFallbackDisplayName);
    CHECK(displayNameFromHostName("   ") == kFallbackDisplayName);
    CHECK(displayNameFromHostName("bad\xFFname") == kFallbackDisplayName);
    CHECK(displayNameFromHostName("bell\x07") == kFallbackDisplayName);
    CHECK(displayNameFromHostName("two\nlines") == kFallbackDisplayName);
}

TEST_CASE("default name: it is this machine's host name and never the account name")
{
    constexpr const char* kMarker = "acct-marker-7f3a9c";
    const duet::test::EnvOverride user("USER", kMarker);
    const duet::test::EnvOverride logname("LOGNAME", kMarker);

    std::array<char, HOST_NAME_MAX + 2> host{};
    REQUIRE(::gethostname(host.data(), host.size() - 1) == 0);
    const std::string name = defaultDisplayName();
    CHECK(name == displayNameFromHostName(host.data()));
    CHECK(name.find(kMarker) == std::string::npos);
}
