#pragma once
// Parsed command line shared by every front end (GUI, headless, one-shot send/receive).
#include "duet/core/Ids.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace duet::app {

enum class Mode { Gui, Headless, Send, Receive };

struct Options {
    Mode mode = Mode::Gui;
    std::uint16_t port = kDefaultPort;
    bool portGiven = false;                   // --port was passed explicitly
    std::string name;                         // display name; empty = from settings or the user name
    std::filesystem::path profileDir;         // resolved (XDG default when not given)
    std::filesystem::path downloadDir;        // resolved (XDG download dir when not given)
    bool yes = false;                         // auto-confirm new peers (and, later, auto-accept offers)
    std::string target;                       // send: HOST[:PORT]
    std::vector<std::filesystem::path> paths; // send: files and folders
    int retryForSeconds = 120;                // send: how long to keep dialling (and redialling) the receiver
    bool discovery = true;                    // LAN discovery (--no-discovery turns it off)
    bool reconnect = true;                    // redial pinned peers (--no-reconnect turns it off)
    std::uint16_t discoveryPort = 55556;      // --discovery-port (wire::kDiscoveryPort)
    bool discoveryLoopback = false;           // --discovery-loopback: also on 127.255.255.255 (tests)
    std::vector<std::string> stunServers;     // --stun HOST[:PORT], repeatable; empty: setting or defaults
    bool portMapping = true;                  // --no-port-mapping: never ask the router (UPnP, NAT-PMP)
};

} // namespace duet::app
