#pragma once
// Parses what the user types in the Join field: "IPv4[:port]" or "host.name[:port]".
// Pure; errors are sentences meant for the user. ENet 1.3.17 has no IPv6, so IPv6 is refused clearly.
#include "duet/core/EngineApi.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace duet::ui {

struct AddressError {
    std::string message;
};

std::variant<command::Connect, AddressError> parseJoinAddress(std::string_view input,
                                                              std::uint16_t defaultPort = kDefaultPort);

} // namespace duet::ui
