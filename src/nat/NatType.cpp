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

bool punchLikely(NatType mine, NatType theirs)
{
    return !(mine == NatType::Symmetric && theirs == NatType::Symmetric) && mine != NatType::Blocked &&
           theirs != NatType::Blocked;
}

} // namespace duet::nat
