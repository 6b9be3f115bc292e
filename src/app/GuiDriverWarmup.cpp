#include "GuiDriverWarmup.hpp"

#include <cstdlib>
#include <dlfcn.h>
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

GlDriverWarmup::GlDriverWarmup()
{
    const std::string path = driverPath();
    if (::access(path.c_str(), R_OK) != 0) return;
    m_worker = std::thread([this, path] { m_handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL); });
}

GlDriverWarmup::~GlDriverWarmup()
{
    if (m_worker.joinable()) m_worker.join();
    if (m_handle != nullptr) ::dlclose(m_handle);
}

} // namespace duet::app
