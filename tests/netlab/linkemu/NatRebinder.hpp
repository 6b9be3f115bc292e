#pragma once

#include "Config.hpp"
#include "Random.hpp"

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

// Port-only NAT rebinding for UDP (endpoint-independent mapping, like a cone NAT that forgets its
// mappings at each rebind). Before the first rebind every port maps to itself. At each rebind all
// current mappings are forgotten: the next outbound packet from internal port P gets a fresh random
// external port, and inbound packets to any forgotten external port are dropped. Thread-safe: the two
// forwarding threads share one instance (a mutex; only UDP packets pay for it).
namespace duet::netlab {

enum class NatVerdict { Untouched, Rewritten, DropStale };

class NatRebinder {
public:
    NatRebinder(const NatRebindConfig& config, std::uint64_t seed);

    // A packet leaving the NAT side (towards the far side): rewrites its UDP source port.
    NatVerdict translateOutbound(std::uint8_t* packet, std::size_t length, std::int64_t sinceStartNs);
    // A packet arriving at the NAT side: maps its UDP destination port back, or asks to drop it.
    NatVerdict translateInbound(std::uint8_t* packet, std::size_t length, std::int64_t sinceStartNs);

    std::uint64_t epochAt(std::int64_t sinceStartNs) const { return m_config.epochAt(sinceStartNs); }

private:
    void advanceEpoch(std::int64_t sinceStartNs); // caller holds m_mutex
    std::uint16_t freshExternalPort();            // caller holds m_mutex

    NatRebindConfig m_config;
    std::mutex m_mutex;
    SplitMix64 m_rng;
    std::uint64_t m_epoch = 0;
    std::unordered_map<std::uint16_t, std::uint16_t> m_internalToExternal;
    std::unordered_map<std::uint16_t, std::uint16_t> m_externalToInternal;
    std::unordered_set<std::uint16_t> m_stale;
};

} // namespace duet::netlab
