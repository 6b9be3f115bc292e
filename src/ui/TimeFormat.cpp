#include "duet/ui/TimeFormat.hpp"

#include <cstdio>
#include <ctime>

namespace duet::ui {
namespace {

std::tm localTime(std::int64_t unixMs)
{
    // Floor division, so times before 1970 still land on the right second.
    std::time_t seconds = static_cast<std::time_t>(unixMs / 1000 - (unixMs % 1000 < 0 ? 1 : 0));
    std::tm out{};
    if (!localtime_r(&seconds, &out)) out = std::tm{};
    return out;
}

std::int32_t keyOf(const std::tm& t)
{
    return (t.tm_year + 1900) * 10000 + (t.tm_mon + 1) * 100 + t.tm_mday;
}

} // namespace

std::int32_t localDayKey(std::int64_t unixMs)
{
    return keyOf(localTime(unixMs));
}

void formatClock(std::int64_t unixMs, char* out, std::size_t size)
{
    const std::tm t = localTime(unixMs);
    std::snprintf(out, size, "%02d:%02d", t.tm_hour, t.tm_min);
}

void formatDay(std::int64_t unixMs, std::int64_t nowMs, char* out, std::size_t size)
{
    static constexpr const char* kWeekdays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                "Thursday", "Friday", "Saturday"};
    static constexpr const char* kMonths[] = {"January",   "February", "March",    "April",
                                              "May",       "June",     "July",     "August",
                                              "September", "October",  "November", "December"};
    const std::tm t = localTime(unixMs);
    const std::int32_t day = keyOf(t);
    if (day == localDayKey(nowMs)) {
        std::snprintf(out, size, "Today");
    } else if (day == localDayKey(nowMs - 86'400'000)) {
        std::snprintf(out, size, "Yesterday");
    } else {
        std::snprintf(out, size, "%s, %d %s %d", kWeekdays[(t.tm_wday % 7 + 7) % 7], t.tm_mday,
                      kMonths[(t.tm_mon % 12 + 12) % 12], t.tm_year + 1900);
    }
}

} // namespace duet::ui
