#include "GuiDriverWarmup.hpp"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <link.h>
#include <string_view>
#include <unistd.h>

namespace duet::app {

std::string GlDriverWarmup::driverPath()
{
    std::string folder = DUET_DRI_DRIVER_DIR;
    if (const char* custom = std::getenv("LIBGL_DRIVERS_PATH"); custom && *custom) {
        const std::string_view list(custom);
        folder = std::string(list.substr(0, list.find(':')));
    }
    // Mesa's DRI drivers are one binary under many names (hard links on Debian); loading it as the
    // software rasteriser maps the same file a hardware name would, and the loader matches files by inode.
    return folder + "/swrast_dri.so";
}

namespace {

bool loaded(const char* name)
{
    // dl_iterate_phdr takes only the loader's short list lock, never the one a dlopen in progress holds.
    return dl_iterate_phdr(
               [](dl_phdr_info* info, std::size_t, void* wanted) {
                   return info->dlpi_name && std::strstr(info->dlpi_name, static_cast<const char*>(wanted))
                              ? 1
                              : 0;
               },
               const_cast<char*>(name)) != 0;
}

// glibc lets one dlopen run at a time, and the driver's takes 70-100 ms. glfwInit opens its X extension
// libraries (libX11-xcb last) 20-30 ms in, once connected, and then spends ~35 ms on the keyboard, the
// compose table and the screens: the driver now loads during that time, where it used to hold glfwInit's
// first dlopen back (window 13-17 ms sooner in two of three alternating sets, no change in the third).
// Bounded, so a GLFW that opens other libraries only loses part of the head start.
void waitForGlfwLibraries()
{
    if (!std::getenv("DISPLAY")) return;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(30);
    while (!loaded("libX11-xcb.so") && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::microseconds(500));
}

} // namespace

GlDriverWarmup::GlDriverWarmup()
{
    const std::string path = driverPath();
    if (::access(path.c_str(), R_OK) != 0) return;
    m_worker = std::thread([this, path] {
        waitForGlfwLibraries();
        m_handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    });
}

GlDriverWarmup::~GlDriverWarmup()
{
    if (m_worker.joinable()) m_worker.join();
    if (m_handle != nullptr) ::dlclose(m_handle);
}

} // namespace duet::app
