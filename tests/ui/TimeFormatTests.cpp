#include "duet/ui/TimeFormat.hpp"

#include <cstdlib>
#include <ctime>
#include <doctest/doctest.h>
#include <string>

using namespace duet::ui;

namespace {

struct UtcZone {
    UtcZone()
    {
        setenv("TZ", "UTC", 1);
        tzset();
    }
};

constexpr std::int64_t kWednesdayNoon = 1'804'680'000'000; // 2027-03-10 12:00:00 UTC

} // namespace

TEST_CASE("time format: clock, day key and relative day labels")
{
    UtcZone utc;
    char buffer[64];
    formatClock(kWednesdayNoon + 3 * 60'000, buffer, sizeof buffer);
    CHECK(std::string(buffer) == "12:03");
    CHECK(localDayKey(kWednesdayNoon) == 20270310);
    formatDay(kWednesdayNoon, kWednesdayNoon + 3600'000, buffer, sizeof buffer);
    CHECK(std::string(buffer) == "Today");
    formatDay(kWednesdayNoon - 86'400'000, kWednesdayNoon, buffer, sizeof buffer);
    CHECK(std::string(buffer) == "Yesterday");
    formatDay(kWednesdayNoon, kWednesdayNoon + 3 * 86'400'000, buffer, sizeof buffer);
    CHECK(std::string(buffer) == "Wednesday, 10 March 2027");
}

TEST_CASE("time format: small buffers are truncated, never overrun")
{
    UtcZone utc;
    char buffer[6] = {'x', 'x', 'x', 'x', 'x', 'x'};
    formatDay(kWednesdayNoon, 0, buffer, 5);
    CHECK(std::string(buffer) == "Wedn");
    CHECK(buffer[5] == 'x');
}
