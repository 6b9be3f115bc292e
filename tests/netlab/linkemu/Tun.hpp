#pragma once

#include <string>

// Opening TUN devices inside network namespaces. Must run before any other thread exists, because
// setns() switches the calling thread only and this code switches back afterwards.
namespace duet::netlab {

struct TunDevice {
    int fd = -1; // non-blocking, close-on-exec; reads and writes whole IP packets (IFF_TUN|IFF_NO_PI)
    int mtu = 0;
};

// Enters `netnsPath` (empty = stay), attaches to TUN device `name` (the lab script creates it with
// `ip tuntap add`; if it does not exist the kernel creates a non-persistent one), reads its MTU and
// returns to the original namespace. Throws std::runtime_error with the failing step and errno text.
TunDevice openTunInNamespace(const std::string& netnsPath, const std::string& name);

} // namespace duet::netlab
