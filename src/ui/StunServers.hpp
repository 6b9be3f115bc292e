#pragma once
// The STUN servers setting as the user types it: "host[:port]" entries separated by commas (or spaces).
// Pure. The engine reads the saved text (profile setting "stun_servers") when it first looks up its
// public address; an empty list means its public defaults.
#include <string>
#include <string_view>
#include <vector>

namespace duet::ui {

struct StunServerList {
    std::vector<std::string> servers; // "host" or "host:port", in the order typed, duplicates removed
    std::string error;                // non-empty: the first entry that is not a usable host[:port], and why
};

StunServerList parseStunServerList(std::string_view text);
// "a:3478,b": the form saved in the profile.
std::string joinStunServers(const std::vector<std::string>& servers);

} // namespace duet::ui
