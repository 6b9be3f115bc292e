#include "duet/nat/NatType.hpp"

#include <algorithm>

namespace duet::nat {

std::string_view describe(NatType type)
{
    switch (type) {
    case NatType::Unknown:
        return "unknown";
    case NatType::Open:
        return "open";
    case NatType::Cone:
        return "cone";
    case NatType::Symmetric:
        return "symmetric";
    case NatType::Blocked:
        return "blocked";
    }
    return "unknown";
}

NatType classifyNat(const std::vector<Ipv4Endpoint>& answers, const std::vector<std::uint32_t>& localIps,
                    std::uint16_t localPort, std::size_t asked)
{
    if (answers.empty()) return asked > 0 ? NatType::Blocked : NatType::Unknown;
    const bool allSame = std::all_of(answers.begin(), answers.end(),
                                     [&](const Ipv4Endpoint& e) { return e == answers.front(); });
    if (!allSame) return NatType::Symmetric;
    const Ipv4Endpoint& mapped = answers.front();
    const bool ours = std::find(localIps.begin(), localIps.end(), mapped.ip) != localIps.end();
    if (ours && mapped.port == localPort) return NatType::Open;
    return answers.size() >= 2 ? NatType::Cone : NatType::Unknown;
}

NatFiltering classifyFiltering(ChangeProbe changeAddressAndPort, ChangeProbe changePort)
{
    if (changeAddressAndPort == ChangeProbe::AnsweredUnchanged ||
        changePort == ChangeProbe::AnsweredUnchanged)
        return NatFiltering::Unknown;
    // An answer from a stranger's address and port is proof enough, whatever happened to the other probe.
    if (changeAddressAndPort == ChangeProbe::Answered) return NatFiltering::EndpointIndependent;
    if (changeAddressAndPort != ChangeProbe::Silent) return NatFiltering::Unknown;
    if (changePort == ChangeProbe::Answered) return NatFiltering::AddressDependent;
    return changePort == ChangeProbe::Silent ? NatFiltering::AddressPortDependent : NatFiltering::Unknown;
}

std::string_view describeNat(NatType mapping, NatFiltering filtering)
{
    if (mapping != NatType::Cone) return describe(mapping);
    switch (filtering) {
    case NatFiltering::EndpointIndependent:
        return "full-cone";
    case NatFiltering::AddressDependent:
        return "address-restricted";
    case NatFiltering::AddressPortDependent:
        return "port-restricted";
    case NatFiltering::Unknown:
        break;
    }
    return describe(mapping);
}

bool punchLikely(NatType mine, NatType theirs)
{
    return !(mine == NatType::Symmetric && theirs == NatType::Symmetric) && mine != NatType::Blocked &&
           theirs != NatType::Blocked;
}

} // namespace duet::nat
