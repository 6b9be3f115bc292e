#pragma once
// What the STUN answers say about the NAT in front of us. Pure; any thread.
//   Open       the public address is one of our own: no NAT (a firewall may still filter)
//   Cone       the same public endpoint towards two different servers (endpoint-independent mapping):
//              hole punching works whatever the filtering (full cone, restricted, port-restricted)
//   Symmetric  a different public endpoint per destination: punching fails if the other side is
//              symmetric too, and is unreliable otherwise
//   Unknown    fewer than two answers (with one answer the mapping is known but its behaviour is not)
//   Blocked    no STUN answer at all: UDP may be filtered
// The filtering of a cone NAT (who may send in through the mapping) comes from RFC 5780 CHANGE-REQUEST
// probes, when the STUN server has a second address (classifyFiltering, describeNat).
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

// RFC 5780 section 4.4: what a NAT lets in through a mapping.
//   EndpointIndependent   anyone (full cone)
//   AddressDependent      hosts we sent to, from any of their ports (address-restricted)
//   AddressPortDependent  only the exact endpoints we sent to (port-restricted)
//   Unknown               the server has no second address, ignored CHANGE-REQUEST, or we did not ask
enum class NatFiltering : std::uint8_t {
    Unknown = 0,
    EndpointIndependent,
    AddressDependent,
    AddressPortDependent
};

// The fate of one CHANGE-REQUEST probe. An answer from the very address we asked means the server did
// not honour the change, so it says nothing about our NAT.
enum class ChangeProbe : std::uint8_t { NotSent, Answered, AnsweredUnchanged, Silent };

// `changeAddressAndPort`: the probe asking for an answer from the other IP and port (RFC 5780 test II);
// `changePort`: the one asking for the other port only (test III). Both must have been sent before we
// sent anything to the server's other IP, or the NAT would already let that IP in.
NatFiltering classifyFiltering(ChangeProbe changeAddressAndPort, ChangeProbe changePort);

// The reachability event's `nat_type`: "full-cone", "address-restricted", "port-restricted" for a cone
// NAT whose filtering is known, else describe(mapping) ("cone", "symmetric", "open", ...).
std::string_view describeNat(NatType mapping, NatFiltering filtering);

// Whether two peers with these NAT types can expect a direct hole punch to work.
bool punchLikely(NatType mine, NatType theirs);

} // namespace duet::nat
