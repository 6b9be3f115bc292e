#include "Tun.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <stdexcept>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace duet::netlab {
namespace {

[[noreturn]] void fail(const std::string& step)
{
    throw std::runtime_error(step + ": " + std::strerror(errno));
}

class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : m_fd(fd) {}
    ~FileDescriptor()
    {
        if (m_fd >= 0) ::close(m_fd);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return m_fd; }
    int release()
    {
        const int fd = m_fd;
        m_fd = -1;
        return fd;
    }

private:
    int m_fd;
};

// Returns to the original namespace on every path out, including exceptions.
class NamespaceGuard {
public:
    explicit NamespaceGuard(const std::string& netnsPath)
    {
        if (netnsPath.empty()) return;
        m_original = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (m_original < 0) fail("open /proc/self/ns/net");
        FileDescriptor target(::open(netnsPath.c_str(), O_RDONLY | O_CLOEXEC));
        if (target.get() < 0 || ::setns(target.get(), CLONE_NEWNET) != 0) {
            const int error = errno;
            ::close(m_original);
            errno = error;
            fail("enter namespace " + netnsPath);
        }
    }
    ~NamespaceGuard()
    {
        if (m_original < 0) return;
        ::setns(m_original, CLONE_NEWNET);
        ::close(m_original);
    }
    NamespaceGuard(const NamespaceGuard&) = delete;
    NamespaceGuard& operator=(const NamespaceGuard&) = delete;

private:
    int m_original = -1;
};

} // namespace

TunDevice openTunInNamespace(const std::string& netnsPath, const std::string& name)
{
    if (name.empty() || name.size() >= IFNAMSIZ)
        throw std::runtime_error("bad TUN device name '" + name + "'");
    NamespaceGuard inside(netnsPath);

    FileDescriptor tun(::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
    if (tun.get() < 0) fail("open /dev/net/tun");
    ifreq request{};
    request.ifr_flags = IFF_TUN | IFF_NO_PI;
    std::memcpy(request.ifr_name, name.c_str(), name.size());
    if (::ioctl(tun.get(), TUNSETIFF, &request) != 0) fail("TUNSETIFF " + name);

    // The MTU sizes the packet buffers; SIOCGIFMTU needs a socket of the device's namespace.
    FileDescriptor probe(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (probe.get() < 0) fail("socket");
    ifreq mtuRequest{};
    std::memcpy(mtuRequest.ifr_name, name.c_str(), name.size());
    if (::ioctl(probe.get(), SIOCGIFMTU, &mtuRequest) != 0) fail("SIOCGIFMTU " + name);

    TunDevice device;
    device.mtu = mtuRequest.ifr_mtu;
    device.fd = tun.release();
    return device;
}

} // namespace duet::netlab
