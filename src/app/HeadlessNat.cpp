// The headless interface of internet connections: `code`, `connect CODE`, and their events.
#include "Headless.hpp"
#include "duet/nat/ConnectionCode.hpp"

#include <nlohmann/json.hpp>

namespace duet::app::headless {

std::optional<Line> parseConnectCode(std::string_view argument)
{
    // Host names and addresses have dots or colons; a code never does. A long argument without them
    // is meant as a code, so a typo in it is reported as one instead of as an unknown host.
    if (argument.find_first_of(".:") != std::string_view::npos || argument.size() < 32) return std::nullopt;
    const nat::CodeDecoded decoded = nat::decodeCode(argument);
    if (!decoded) return Line{LineError{"connect: " + std::string(nat::describe(decoded.error))}};
    return Line{ConnectCodeLine{std::string(argument)}};
}

std::optional<std::string> natEventJson(const Event& event)
{
    using nlohmann::json;
    json line;
    if (const auto* reach = std::get_if<event::Reachability>(&event)) {
        line = json{{"event", "reachability"},
                    {"mapped", reach->mapped},
                    {"mapping", reach->mappingMethod},
                    {"mapping_detail", reach->mappingDetail},
                    {"public", reach->publicAddress},
                    {"nat_type", reach->natType},
                    {"lan", reach->lan}};
    } else if (const auto* code = std::get_if<event::NatCode>(&event)) {
        line = json{{"event", "code"}, {"code", code->code}};
    } else if (const auto* progress = std::get_if<event::NatProgress>(&event)) {
        line = json{{"event", "nat"}, {"stage", progress->stage}, {"detail", progress->detail}};
        if (progress->peer) line["peer"] = progress->peer.value;
    } else {
        return std::nullopt;
    }
    return line.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace duet::app::headless
