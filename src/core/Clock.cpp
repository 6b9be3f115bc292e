#include "duet/core/Clock.hpp"

namespace duet {

std::int64_t SystemClock::wallMillis() const
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace duet
