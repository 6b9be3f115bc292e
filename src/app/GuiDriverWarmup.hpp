#pragma once
// Loads Mesa's GL driver on a worker while GLFW talks to the X server, so glfwCreateWindow finds it in
// memory (the driver and LLVM are most of a cold window's ~170 ms under llvmpipe).
// Thread: construct and destroy on the main thread. Errors: none; a missing driver only means no head start.
#include <string>
#include <thread>

namespace duet::app {

class GlDriverWarmup {
public:
    GlDriverWarmup();
    // Waits for the worker and drops its reference: a driver nobody else loaded is unloaded again.
    ~GlDriverWarmup();
    GlDriverWarmup(const GlDriverWarmup&) = delete;
    GlDriverWarmup& operator=(const GlDriverWarmup&) = delete;

    // The file the worker loads (LIBGL_DRIVERS_PATH's first folder, else the system's DRI folder).
    static std::string driverPath();

private:
    std::thread m_worker;
    void* m_handle = nullptr;
};

} // namespace duet::app
