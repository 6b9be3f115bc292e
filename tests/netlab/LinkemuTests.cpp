// Unit tests of duet-linkemu's parsing and impairment model (no devices, no namespaces needed).
#include "linkemu/Config.hpp"
#include "linkemu/LinkDirection.hpp"
#include "linkemu/Units.hpp"

#include <cstdint>
#include <cstdio>
#include <doctest/doctest.h>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace duet::netlab;

namespace {

constexpr std::int64_t kMs = 1'000'000;

std::vector<Fate> fatesOf(const DirectionConfig& config, std::uint64_t seed, int packets)
{
    LinkDirection link(config, seed, 0);
    std::vector<Fate> fates;
    for (int i = 0; i < packets; ++i)
        fates.push_back(link.admit(static_cast<std::int64_t>(i) * kMs, 1000).fate);
    return fates;
}

} // namespace

TEST_CASE("units: rates, durations, sizes and probabilities parse, junk is refused")
{
    CHECK(parseRate("20mbit") == 20'000'000u);
    CHECK(parseRate("1G") == 1'000'000'000u);
    CHECK(parseRate("1.5M") == 1'500'000u);
    CHECK(parseRate("64000") == 64'000u);
    CHECK_FALSE(parseRate("fast"));
    CHECK_FALSE(parseRate("10x"));
    CHECK(parseDuration("250us") == 250'000);
    CHECK(parseDuration("1.5s") == 1'500'000'000);
    CHECK(parseDuration("5ms") == 5 * kMs);
    CHECK_FALSE(parseDuration("5")); // a unit is required
    CHECK_FALSE(parseDuration("-5ms"));
    CHECK(parseBytes("64k") == 65'536u);
    CHECK(parseBytes("64KiB") == 65'536u);
    CHECK(parseBytes("1500") == 1'500u);
    CHECK_FALSE(parseBytes("1mb"));
    CHECK(parseProbability("2%") == doctest::Approx(0.02));
    CHECK(parseProbability("0.25") == doctest::Approx(0.25));
    CHECK_FALSE(parseProbability("150%"));
    CHECK_FALSE(parseProbability("1.2.3"));
}

TEST_CASE("config: per-direction specs, NAT schedule and errors")
{
    EmulatorConfig config;
    const auto outcome =
        parseCommandLine({"--netns-a", "duetA-x", "--netns-b", "/run/netns/duetB-x", "--both",
                          "rate=20mbit,delay=5ms,queue=32k", "--ab", "loss=1%,ge=1%:25%,blackout=5s:2s",
                          "--nat-rebind", "1s:5s", "--seed", "42"},
                         config);
    REQUIRE(outcome.ok);
    CHECK(config.netnsA == "/run/netns/duetA-x");
    CHECK(config.netnsB == "/run/netns/duetB-x");
    CHECK(config.aToB.rateBitsPerSecond == 20'000'000u);
    CHECK(config.bToA.rateBitsPerSecond == 20'000'000u);
    CHECK(config.bToA.queueBytes == 32'768u);
    CHECK(config.aToB.loss == doctest::Approx(0.01));
    CHECK(config.bToA.loss == 0.0);
    CHECK(config.aToB.burstLoss.enabled);
    CHECK(config.aToB.burstLoss.badToGood == doctest::Approx(0.25));
    CHECK(config.aToB.blackout.active());
    CHECK_FALSE(config.bToA.blackout.active());
    CHECK(config.seed == 42u);
    CHECK(config.nat.epochAt(999 * kMs) == 0u);
    CHECK(config.nat.epochAt(1000 * kMs) == 1u);
    CHECK(config.nat.epochAt(6000 * kMs) == 2u);
    CHECK(config.nat.epochAt(10'999 * kMs) == 2u);

    EmulatorConfig other;
    CHECK_FALSE(parseCommandLine({"--ab", "speed=1"}, other).ok);
    CHECK_FALSE(parseCommandLine({"--ab", "loss=2"}, other).ok);
    CHECK_FALSE(parseCommandLine({"--seed"}, other).ok);
    CHECK_FALSE(parseCommandLine({"--netns-a", "x"}, other).ok); // B missing
    CHECK(parseCommandLine({"--help"}, other).helpRequested);
}

TEST_CASE("blackout: periodic on/off and explicit windows")
{
    BlackoutSchedule periodic;
    periodic.periodicOnNs = 5000 * kMs;
    periodic.periodicOffNs = 2000 * kMs;
    CHECK_FALSE(periodic.isDown(4999 * kMs));
    CHECK(periodic.isDown(5000 * kMs));
    CHECK(periodic.isDown(6999 * kMs));
    CHECK_FALSE(periodic.isDown(7000 * kMs));
    CHECK(periodic.isDown(12'500 * kMs));

    BlackoutSchedule windows;
    windows.windows = {{1000 * kMs, 2000 * kMs}, {3000 * kMs, 3500 * kMs}};
    CHECK_FALSE(windows.isDown(999 * kMs));
    CHECK(windows.isDown(1000 * kMs));
    CHECK_FALSE(windows.isDown(2000 * kMs));
    CHECK(windows.isDown(3400 * kMs));
}

TEST_CASE("rate: serialisation time per packet and a drop-tail queue counted in bytes")
{
    DirectionConfig config;
    config.rateBitsPerSecond = 1'000'000; // 1250 bytes take 10 ms
    config.queueBytes = 3000;
    LinkDirection link(config, 1, 0);
    const Admission first = link.admit(0, 1250);
    const Admission second = link.admit(0, 1250);
    const Admission third = link.admit(0, 1250);
    REQUIRE(first.fate == Fate::Forward);
    REQUIRE(second.fate == Fate::Forward);
    CHECK(first.departure[0].dueNs == 10 * kMs);
    CHECK(second.departure[0].dueNs == 20 * kMs);
    CHECK(third.fate == Fate::QueueFull);
    CHECK(third.queueDrops == 1);
    CHECK(link.backlogBytes(10 * kMs) == 1250u);
    // Once the queue drained, a packet goes out after its own serialisation only.
    const Admission later = link.admit(100 * kMs, 1250);
    CHECK(later.departure[0].dueNs == 110 * kMs);
}

TEST_CASE("jitter keeps packet order unless reordering by jitter is allowed")
{
    DirectionConfig config;
    config.delayNs = 10 * kMs;
    config.jitterNs = 5 * kMs;
    for (bool mayReorder : {false, true}) {
        config.jitterMayReorder = mayReorder;
        LinkDirection link(config, 7, 0);
        std::int64_t previousDue = 0;
        int inversions = 0;
        for (int i = 0; i < 5000; ++i) {
            const std::int64_t arrival = static_cast<std::int64_t>(i) * kMs / 10;
            const Admission admission = link.admit(arrival, 100);
            REQUIRE(admission.departures == 1);
            const std::int64_t due = admission.departure[0].dueNs;
            CHECK(due >= arrival + 5 * kMs);
            if (mayReorder) CHECK(due <= arrival + 15 * kMs);
            if (due < previousDue) ++inversions;
            previousDue = due;
        }
        if (mayReorder)
            CHECK(inversions > 100);
        else
            CHECK(inversions == 0);
    }
}

TEST_CASE("loss is reproducible per seed, near its probability, and independent of duplication")
{
    DirectionConfig config;
    config.loss = 0.1;
    const auto a = fatesOf(config, 1234, 10'000);
    const auto b = fatesOf(config, 1234, 10'000);
    const auto c = fatesOf(config, 1235, 10'000);
    CHECK(a == b);
    CHECK(a != c);
    long lost = 0;
    for (Fate fate : a)
        lost += fate == Fate::Lost;
    CHECK(lost > 880);
    CHECK(lost < 1120);

    DirectionConfig withDuplicates = config;
    withDuplicates.duplicateProbability = 0.5;
    CHECK(fatesOf(withDuplicates, 1234, 10'000) == a);
}

TEST_CASE("Gilbert-Elliott burst loss has the configured mean loss and burst length")
{
    DirectionConfig config;
    config.burstLoss.enabled = true;
    config.burstLoss.goodToBad = 0.01;
    config.burstLoss.badToGood = 0.25;
    const auto fates = fatesOf(config, 99, 200'000);
    long lost = 0, bursts = 0;
    bool previousLost = false;
    for (Fate fate : fates) {
        const bool isLost = fate == Fate::Lost;
        lost += isLost;
        bursts += isLost && !previousLost;
        previousLost = isLost;
    }
    const double lossRate = static_cast<double>(lost) / static_cast<double>(fates.size());
    CHECK(lossRate == doctest::Approx(0.01 / 0.26).epsilon(0.15));
    REQUIRE(bursts > 0);
    CHECK(static_cast<double>(lost) / static_cast<double>(bursts) == doctest::Approx(4.0).epsilon(0.15));
}

TEST_CASE("duplication, reordering, corruption and blackout decisions")
{
    DirectionConfig config;
    config.duplicateProbability = 1.0;
    config.delayNs = 1 * kMs;
    {
        LinkDirection link(config, 5, 0);
        const Admission admission = link.admit(0, 500);
        REQUIRE(admission.departures == 2);
        CHECK(admission.duplicated);
        CHECK(admission.departure[1].dueNs >= admission.departure[0].dueNs);
    }
    config.duplicateProbability = 0;
    config.reorderProbability = 0.25;
    config.reorderExtraDelayNs = 10 * kMs;
    config.corruptProbability = 0.5;
    {
        LinkDirection link(config, 5, 0);
        int reordered = 0, corrupted = 0;
        for (int i = 0; i < 4000; ++i) {
            const Admission admission = link.admit(static_cast<std::int64_t>(i) * kMs, 500);
            REQUIRE(admission.departures == 1);
            const Departure& departure = admission.departure[0];
            const std::int64_t expected = static_cast<std::int64_t>(i) * kMs + 1 * kMs;
            CHECK(departure.dueNs == expected + (departure.reordered ? 10 * kMs : 0));
            reordered += departure.reordered;
            corrupted += departure.corrupt;
        }
        CHECK(reordered == doctest::Approx(1000).epsilon(0.12));
        CHECK(corrupted == doctest::Approx(2000).epsilon(0.08));
    }
    DirectionConfig down;
    down.blackout.windows = {{0, 10 * kMs}};
    LinkDirection link(down, 5, 0);
    CHECK(link.admit(5 * kMs, 100).fate == Fate::Blackout);
    CHECK(link.admit(10 * kMs, 100).fate == Fate::Forward);
}

TEST_CASE("config: arguments from a profile file, comments ignored, realtime priority bounds")
{
    const std::string path = "/tmp/duet-linkemu-config-test-" + std::to_string(::getpid()) + ".conf";
    {
        std::ofstream file(path);
        file << "# wan-like profile\n--both rate=50mbit,delay=20ms  # one way\n--ab loss=0.5%\n";
    }
    EmulatorConfig config;
    const auto outcome =
        parseCommandLine({"--config", path, "--seed", "5", "--realtime", "10", "--dev-b", "tl1"}, config);
    std::remove(path.c_str());
    REQUIRE(outcome.ok);
    CHECK(config.aToB.rateBitsPerSecond == 50'000'000u);
    CHECK(config.bToA.delayNs == 20 * kMs);
    CHECK(config.aToB.loss == doctest::Approx(0.005));
    CHECK(config.seed == 5u);
    CHECK(config.realtimePriority == 10);

    EmulatorConfig other;
    CHECK_FALSE(parseCommandLine({"--config", "/nonexistent/duet.conf"}, other).ok);
    CHECK_FALSE(parseCommandLine({"--realtime", "100"}, other).ok);
}
