#include "NatRebinder.hpp"

#include "PacketEdit.hpp"

namespace duet::netlab {
namespace {

constexpr std::uint16_t kFirstExternalPort = 20000;
constexpr std::uint16_t kExternalPortSpan = 40000;
constexpr int kMaxPortAttempts = 1000;
constexpr std::uint64_t kNatStream = 0x4E4154;

} // namespace

NatRebinder::NatRebinder(const NatRebindConfig& config, std::uint64_t seed)
    : m_config(config), m_rng(deriveSeed(seed, 2, kNatStream))
{
}

void NatRebinder::advanceEpoch(std::int64_t sinceStartNs)
{
    const std::uint64_t epoch = m_config.epochAt(sinceStartNs);
    if (epoch == m_epoch) return;
    m_epoch = epoch;
    for (const auto& [external, internal] : m_externalToInternal)
        m_stale.insert(external);
    m_internalToExternal.clear();
    m_externalToInternal.clear();
}

std::uint16_t NatRebinder::freshExternalPort()
{
    for (int attempt = 0; attempt < kMaxPortAttempts; ++attempt) {
        const auto port = static_cast<std::uint16_t>(kFirstExternalPort + m_rng.next() % kExternalPortSpan);
        if (!m_stale.contains(port) && !m_externalToInternal.contains(port)) return port;
    }
    // Tens of thousands of rebinds later the range is used up; start reusing the oldest ideas of "stale".
    m_stale.clear();
    return static_cast<std::uint16_t>(kFirstExternalPort + m_rng.next() % kExternalPortSpan);
}

NatVerdict NatRebinder::translateOutbound(std::uint8_t* packet, std::size_t length, std::int64_t sinceStartNs)
{
    const auto internal = udpPort(packet, length, true);
    if (!internal) return NatVerdict::Untouched;
    std::lock_guard lock(m_mutex);
    advanceEpoch(sinceStartNs);
    auto found = m_internalToExternal.find(*internal);
    if (found == m_internalToExternal.end()) {
        std::uint16_t external = *internal;
        if (m_epoch > 0 || m_stale.contains(external)) external = freshExternalPort();
        found = m_internalToExternal.emplace(*internal, external).first;
        m_externalToInternal[external] = *internal;
    }
    if (found->second == *internal) return NatVerdict::Untouched;
    rewriteUdpPort(packet, length, true, found->second);
    return NatVerdict::Rewritten;
}

NatVerdict NatRebinder::translateInbound(std::uint8_t* packet, std::size_t length, std::int64_t sinceStartNs)
{
    const auto external = udpPort(packet, length, false);
    if (!external) return NatVerdict::Untouched;
    std::lock_guard lock(m_mutex);
    advanceEpoch(sinceStartNs);
    if (auto found = m_externalToInternal.find(*external); found != m_externalToInternal.end()) {
        if (found->second == *external) return NatVerdict::Untouched;
        rewriteUdpPort(packet, length, false, found->second);
        return NatVerdict::Rewritten;
    }
    if (m_stale.contains(*external)) return NatVerdict::DropStale;
    return NatVerdict::Untouched;
}

} // namespace duet::netlab
