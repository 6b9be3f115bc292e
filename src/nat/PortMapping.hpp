#pragma once
// One attempt at a UDP port mapping through the router, with miniupnpc (UPnP IGD) or libnatpmp. Blocking,
// each call bounded to a few seconds; used by NatWorker's thread. `stop` is polled while waiting.
// Errors: returned as `reason`; nothing throws.
#include "duet/nat/Stun.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace duet::nat {

enum class MappingMethod : std::uint8_t { None, Upnp, NatPmp };
std::string_view describe(MappingMethod method);

struct MappingResult {
    bool ok = false;
    Ipv4Endpoint external;
    std::uint32_t lifetimeSeconds = 0; // 0: permanent (renewal then only re-checks)
    std::string reason;
};

// A router that answered. map() may be called again to renew; unmap() removes what map() created.
class PortMapper {
public:
    virtual ~PortMapper() = default;
    virtual MappingMethod method() const = 0;
    virtual MappingResult map(std::uint16_t internalPort, std::uint32_t lifetimeSeconds) = 0;
    virtual void unmap() = 0;
};

// Finds an Internet Gateway Device (SSDP, ~1 s); nullptr and `reason` when none answers.
std::unique_ptr<PortMapper> findUpnpRouter(std::string& reason);
// Uses the default gateway as a NAT-PMP server; the first map() tells whether it speaks NAT-PMP.
std::unique_ptr<PortMapper> natPmpRouter(const std::function<bool()>& stop, std::string& reason);

} // namespace duet::nat
