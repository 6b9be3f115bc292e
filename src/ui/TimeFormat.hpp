#pragma once
// Local-time formatting for chat timestamps and day separators. Writes into caller buffers so drawing
// a history allocates nothing. Uses the process's time zone (TZ). Thread: any (localtime_r).
#include <cstddef>
#include <cstdint>

namespace duet::ui {

// Local calendar day of a Unix-ms time as yyyymmdd, e.g. 20270303.
std::int32_t localDayKey(std::int64_t unixMs);

// "14:03".
void formatClock(std::int64_t unixMs, char* out, std::size_t size);

// "Today", "Yesterday", or "Wednesday, 3 March 2027", relative to `nowMs`.
void formatDay(std::int64_t unixMs, std::int64_t nowMs, char* out, std::size_t size);

} // namespace duet::ui
