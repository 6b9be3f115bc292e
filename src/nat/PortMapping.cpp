#include "duet/nat/PortMapping.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <cstring>
#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>
#include <natpmp.h>
#include <sys/select.h>

namespace duet::nat {
namespace {

constexpr int kSsdpWaitMs = 1000;
constexpr char kMappingName[] = "Duet";
// UPnP errors that mean "try something else" rather than "give up".
constexpr int kUpnpOnlyPermanentLeases = 725;
constexpr int kUpnpConflict = 718;
constexpr int kExternalPortTries = 4;
// libnatpmp retries 9 times with doubling timeouts (over a minute); we stop waiting after this.
constexpr auto kNatPmpBudget = std::chrono::milliseconds(2500);

std::optional<std::uint32_t> parseIp(const char* text)
{
    in_addr address{};
    if (::inet_pton(AF_INET, text, &address) != 1) return std::nullopt;
    return ntohl(address.s_addr);
}

class UpnpMapper final : public PortMapper {
public:
    UpnpMapper(UPNPUrls urls, IGDdatas data, std::string lanAddress)
        : m_urls(urls), m_data(data), m_lanAddress(std::move(lanAddress))
    {
    }
    ~UpnpMapper() override { FreeUPNPUrls(&m_urls); }
    UpnpMapper(const UpnpMapper&) = delete;
    UpnpMapper& operator=(const UpnpMapper&) = delete;

    MappingMethod method() const override { return MappingMethod::Upnp; }

    MappingResult map(std::uint16_t internalPort, std::uint32_t lifetimeSeconds) override
    {
        MappingResult result;
        char externalIp[40] = {};
        if (UPNP_GetExternalIPAddress(m_urls.controlURL, m_data.first.servicetype, externalIp) != 0) {
            result.reason = "the UPnP router did not tell its external address";
            return result;
        }
        const std::optional<std::uint32_t> ip = parseIp(externalIp);
        if (!ip || *ip == 0) {
            result.reason = "the UPnP router has no external IPv4 address";
            return result;
        }
        const std::string inPort = std::to_string(internalPort);
        std::uint16_t externalPort = m_externalPort != 0 ? m_externalPort : internalPort;
        std::string lease = std::to_string(lifetimeSeconds);
        int code = -1;
        for (int attempt = 0; attempt < kExternalPortTries; ++attempt) {
            const std::string extPort = std::to_string(externalPort);
            code = UPNP_AddPortMapping(m_urls.controlURL, m_data.first.servicetype, extPort.c_str(),
                                       inPort.c_str(), m_lanAddress.c_str(), kMappingName, "UDP", nullptr,
                                       lease.c_str());
            if (code == kUpnpOnlyPermanentLeases && lease != "0") {
                lease = "0";
                --attempt;
                continue;
            }
            if (code != kUpnpConflict || m_externalPort != 0) break;
            externalPort = static_cast<std::uint16_t>(externalPort == 65535 ? 1024 : externalPort + 1);
        }
        if (code != 0) {
            result.reason = std::string("the UPnP router refused the mapping: ") + strupnperror(code);
            return result;
        }
        m_externalPort = externalPort;
        result.ok = true;
        result.external = {*ip, externalPort};
        result.lifetimeSeconds = lease == "0" ? 0 : lifetimeSeconds;
        return result;
    }

    void unmap() override
    {
        if (m_externalPort == 0) return;
        const std::string extPort = std::to_string(m_externalPort);
        UPNP_DeletePortMapping(m_urls.controlURL, m_data.first.servicetype, extPort.c_str(), "UDP", nullptr);
        m_externalPort = 0;
    }

private:
    UPNPUrls m_urls;
    IGDdatas m_data;
    std::string m_lanAddress;
    std::uint16_t m_externalPort = 0;
};

class NatPmpMapper final : public PortMapper {
public:
    NatPmpMapper(natpmp_t handle, std::function<bool()> stop) : m_handle(handle), m_stop(std::move(stop)) {}
    ~NatPmpMapper() override { closenatpmp(&m_handle); }
    NatPmpMapper(const NatPmpMapper&) = delete;
    NatPmpMapper& operator=(const NatPmpMapper&) = delete;

    MappingMethod method() const override { return MappingMethod::NatPmp; }

    MappingResult map(std::uint16_t internalPort, std::uint32_t lifetimeSeconds) override
    {
        MappingResult result;
        natpmpresp_t response{};
        if (sendpublicaddressrequest(&m_handle) < 0 || !await(response) ||
            response.type != NATPMP_RESPTYPE_PUBLICADDRESS) {
            result.reason = "no NAT-PMP answer from the gateway";
            return result;
        }
        const std::uint32_t ip = ntohl(response.pnu.publicaddress.addr.s_addr);
        const std::uint16_t wanted = m_externalPort != 0 ? m_externalPort : internalPort;
        if (sendnewportmappingrequest(&m_handle, NATPMP_PROTOCOL_UDP, internalPort, wanted, lifetimeSeconds) <
                0 ||
            !await(response) || response.type != NATPMP_RESPTYPE_UDPPORTMAPPING) {
            result.reason = "the NAT-PMP gateway refused the mapping";
            return result;
        }
        m_internalPort = internalPort;
        m_externalPort = response.pnu.newportmapping.mappedpublicport;
        result.ok = ip != 0 && m_externalPort != 0;
        result.external = {ip, m_externalPort};
        result.lifetimeSeconds = response.pnu.newportmapping.lifetime;
        if (!result.ok) result.reason = "the NAT-PMP gateway has no public address";
        return result;
    }

    void unmap() override
    {
        if (m_externalPort == 0) return;
        natpmpresp_t response{};
        // RFC 6886: a lifetime of 0 deletes the mapping.
        if (sendnewportmappingrequest(&m_handle, NATPMP_PROTOCOL_UDP, m_internalPort, 0, 0) >= 0)
            (void)await(response);
        m_externalPort = 0;
    }

private:
    bool await(natpmpresp_t& response)
    {
        const auto deadline = std::chrono::steady_clock::now() + kNatPmpBudget;
        // Bounded by the deadline; each pass waits at most 100 ms.
        while (std::chrono::steady_clock::now() < deadline) {
            if (m_stop && m_stop() && m_externalPort == 0) return false;
            fd_set fds;
            FD_ZERO(&fds);
            FD_SET(m_handle.s, &fds);
            timeval timeout{};
            getnatpmprequesttimeout(&m_handle, &timeout);
            if (timeout.tv_sec > 0 || timeout.tv_usec > 100000) timeout = {0, 100000};
            (void)::select(m_handle.s + 1, &fds, nullptr, nullptr, &timeout);
            const int result = readnatpmpresponseorretry(&m_handle, &response);
            if (result == NATPMP_TRYAGAIN) continue;
            return result >= 0;
        }
        return false;
    }

    natpmp_t m_handle;
    std::function<bool()> m_stop;
    std::uint16_t m_internalPort = 0;
    std::uint16_t m_externalPort = 0;
};

} // namespace

std::unique_ptr<PortMapper> findUpnpRouter(std::string& reason)
{
    int error = 0;
    UPNPDev* devices = upnpDiscover(kSsdpWaitMs, nullptr, nullptr, 0, 0, 2, &error);
    if (devices == nullptr) {
        reason = "no UPnP router answered";
        return nullptr;
    }
    UPNPUrls urls{};
    IGDdatas data{};
    char lanAddress[64] = {};
    const int found = UPNP_GetValidIGD(devices, &urls, &data, lanAddress, sizeof lanAddress);
    freeUPNPDevlist(devices);
    if (found != 1) {
        if (found != 0) FreeUPNPUrls(&urls);
        reason = found == 0 ? "no UPnP Internet gateway found" : "the UPnP gateway is not connected";
        return nullptr;
    }
    return std::make_unique<UpnpMapper>(urls, data, lanAddress);
}

std::unique_ptr<PortMapper> natPmpRouter(const std::function<bool()>& stop, std::string& reason)
{
    natpmp_t handle{};
    if (initnatpmp(&handle, 0, 0) < 0) {
        reason = "no default gateway for NAT-PMP";
        return nullptr;
    }
    return std::make_unique<NatPmpMapper>(handle, stop);
}

} // namespace duet::nat
