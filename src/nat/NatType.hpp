#pragma once
// What the STUN answers say about the NAT in front of us. Pure; any thread.
//   Open       the public address is one of our own: no NAT (a firewall may still filter)
//   Cone       the same public endpoint towards two different servers (endpoint-independent mapping):
//              hole punching works whatever the filtering (full cone, restricted, port-restricted)
//   Symmetric  a different public endpoint per destination: punching fails if the other side is
//              symmetric too, and is unreliable otherwise
//   Unknown    fewer than two answers (with one answer the mapping is known but its behaviour is not)
//   Blocked    no STUN answer at all: UDP may be filtered
// Telling full cone from (port-)restricted filtering needs RFC 5780 CHANGE-REQUEST, which is not done.
#include "duet/nat/Stun.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace duet::nat {

enum class NatType : std::uint8_t { Unknown = 0, Open = 1, Cone = 2, Symmetric = 3, Blocked = 4 };

std::string_view describe(NatType type);

// `answers`: the mapped endpoints STUN servers reported (one per server that answered, in any order);
// `localIps`: our interface addresses (host order); `localPort`: our socket's port; `asked`: how many
// servers we asked.
NatType classifyNat(const std::vector<Ipv4Endpoint>& answers, const std::vector<std::uint32_t>& localIps,
                    std::uint16_t localPort, std::size_t asked);

// Whether two peers with these NAT types can expect a direct hole punch to work.
bool punchLikely(NatType mine, NatType theirs);

} // namespace duet::nat
