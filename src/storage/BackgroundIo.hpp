#pragma once
// While alive, the calling thread's disk I/O runs at the idle I/O priority class (ioprio_set), so
// writeback it starts waits behind everyone else's I/O; the destructor puts the thread's previous
// priority back. Linux only; where the kernel refuses, nothing changes. Not copyable; one thread.
namespace duet::storage {

class BackgroundIoScope {
public:
    BackgroundIoScope();
    ~BackgroundIoScope();
    BackgroundIoScope(const BackgroundIoScope&) = delete;
    BackgroundIoScope& operator=(const BackgroundIoScope&) = delete;

    // The thread's I/O priority as the kernel reports it (ioprio_get), or -1 when it cannot.
    static int currentThreadPriority();
    static bool isIdleClass(int priority);

private:
    int m_previous = -1; // -1: nothing was changed
};

} // namespace duet::storage
