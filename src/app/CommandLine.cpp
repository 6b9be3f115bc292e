#include "CommandLine.hpp"

#include "duet/profile/Paths.hpp"
#include "duet/wire/Messages.hpp"

#include <CLI/CLI.hpp>
#include <ostream>

#ifndef DUET_VERSION
#define DUET_VERSION "unknown"
#endif

namespace duet::app {

CommandLineResult parseCommandLine(int argc, const char* const* argv, Options& options, std::ostream& out,
                                   std::ostream& err)
{
    CLI::App app{"Duet: chat and send files between two computers, on a LAN or across the internet."};
    app.name("duet");
    app.set_version_flag("--version", DUET_VERSION);
    app.footer("Without --headless, duet opens its window. With --headless it reads one command per line on\n"
               "stdin and writes one JSON event per line on stdout; see the README.");

    bool headless = false;
    std::string profileDir;
    std::string downloadDir;
    app.add_flag("--headless", headless, "Run without a window: commands on stdin, JSON events on stdout");
    app.add_option("--port", options.port, "UDP port to listen on (0 picks a free one)")
        ->check(CLI::Range(0, 65535))
        ->default_val(kDefaultPort);
    app.add_option("--name", options.name, "Display name shown to peers (saved in the profile)");
    app.add_option("--profile", profileDir, "Profile directory: identity key, settings, history");
    app.add_option("--downloads", downloadDir, "Folder for received files");
    app.add_flag("--yes", options.yes, "Confirm every new peer's key without asking (scripts only)");
    bool noReconnect = false;
    app.add_flag("--no-reconnect", noReconnect, "Do not redial known peers at start or after a lost link");
    bool noDiscovery = false;
    app.add_flag("--no-discovery", noDiscovery, "Neither announce nor look for peers on the LAN");
    app.add_option("--discovery-port", options.discoveryPort, "UDP port of LAN discovery beacons")
        ->check(CLI::Range(1, 65535))
        ->default_val(options.discoveryPort);
    app.add_flag("--discovery-loopback", options.discoveryLoopback,
                 "Also announce on the loopback interface (tests on one machine)");
    app.add_option("--stun", options.stunServers,
                   "STUN server HOST[:PORT] for internet connections (repeatable; two tell the NAT type)");
    bool noPortMapping = false;
    app.add_flag("--no-port-mapping", noPortMapping,
                 "Never ask the router for a port mapping (UPnP, NAT-PMP)");

    // One-shot commands; the options above may also follow the subcommand's name (fallthrough).
    app.fallthrough();
    app.require_subcommand(0, 1);
    CLI::App* send = app.add_subcommand("send", "Send files and folders to HOST[:PORT] once, then exit");
    std::string target;
    std::vector<std::string> paths;
    send->add_option("--retry-for", options.retryForSeconds,
                     "Seconds to keep trying to reach the receiver, also after a lost link")
        ->check(CLI::Range(0, 86400))
        ->default_val(options.retryForSeconds);
    send->add_option("target", target, "The receiver: HOST or HOST:PORT")->required();
    send->add_option("paths", paths, "Files and folders to send")->required();
    CLI::App* receive =
        app.add_subcommand("receive", "Wait for one batch of files, receive it into --downloads, then exit");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e, out, err);
        return {false, code == 0 ? kExitOk : kExitUsage};
    }

    options.mode = headless ? Mode::Headless : Mode::Gui;
    if (send->parsed() || receive->parsed()) {
        if (headless) {
            err << "duet: --headless cannot be combined with send or receive\n";
            return {false, kExitUsage};
        }
        options.mode = send->parsed() ? Mode::Send : Mode::Receive;
        options.target = target;
        options.paths.assign(paths.begin(), paths.end());
    }
    options.portGiven = app.count("--port") > 0;
    options.discovery = !noDiscovery;
    options.reconnect = !noReconnect;
    options.portMapping = !noPortMapping;
    if (!options.name.empty() &&
        (options.name.size() > wire::kMaxDisplayName || !wire::isValidUtf8(options.name))) {
        err << "duet: --name must be at most " << wire::kMaxDisplayName << " bytes of UTF-8\n";
        return {false, kExitUsage};
    }
    try {
        options.profileDir =
            profileDir.empty() ? profile::defaultProfileDir() : std::filesystem::path(profileDir);
        options.downloadDir =
            downloadDir.empty() ? profile::defaultDownloadDir() : std::filesystem::path(downloadDir);
    } catch (const std::exception& e) {
        err << "duet: cannot find a home directory for the profile: " << e.what() << '\n';
        return {false, kExitProfileUnusable};
    }
    return {true, kExitOk};
}

} // namespace duet::app
