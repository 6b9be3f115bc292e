#include "duet/storage/BackgroundIo.hpp"

#include <linux/ioprio.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace duet::storage {

namespace {

// glibc has no wrappers for these. `who` 0 with IOPRIO_WHO_PROCESS is the calling thread.
int ioprioGet()
{
    return static_cast<int>(::syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0));
}

bool ioprioSet(int priority)
{
    return ::syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, priority) == 0;
}

} // namespace

BackgroundIoScope::BackgroundIoScope()
{
    const int previous = ioprioGet();
    if (previous < 0) return;
    // Unprivileged threads may always lower themselves to the idle class.
    if (ioprioSet(IOPRIO_PRIO_VALUE(IOPRIO_CLASS_IDLE, 0))) m_previous = previous;
}

BackgroundIoScope::~BackgroundIoScope()
{
    if (m_previous >= 0) (void)ioprioSet(m_previous);
}

int BackgroundIoScope::currentThreadPriority()
{
    return ioprioGet();
}

bool BackgroundIoScope::isIdleClass(int priority)
{
    return priority >= 0 && IOPRIO_PRIO_CLASS(priority) == IOPRIO_CLASS_IDLE;
}

} // namespace duet::storage
