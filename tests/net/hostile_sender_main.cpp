// duet-hostile-sender: plays one hostile-sender scenario against a Duet receiving on 127.0.0.1.
//   duet-hostile-sender --port PORT [--seed N] SCENARIO      (--list prints the scenario names)
// Writes one JSON object per line on stdout. Exit status: 0 the scenario ran and the receiver answered
// as it must, 1 a check failed, 2 usage error, 3 no verified connection.
#include "HostileScenarios.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <string>

namespace {

int usage()
{
    std::cerr << "usage: duet-hostile-sender --port PORT [--seed N] SCENARIO | --list\n";
    return 2;
}

bool parseNumber(const char* text, std::uint64_t max, std::uint64_t& out)
{
    char* end = nullptr;
    errno = 0;
    const unsigned long long value = std::strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value > max) return false;
    out = value;
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    std::uint64_t port = 0;
    std::uint64_t seed = 1;
    std::string scenario;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--list") {
            for (const std::string& name : duet::test::scenarioNames())
                std::cout << name << '\n';
            return 0;
        }
        if (arg == "--port" && i + 1 < argc) {
            if (!parseNumber(argv[++i], 65535, port) || port == 0) return usage();
        } else if (arg == "--seed" && i + 1 < argc) {
            if (!parseNumber(argv[++i], ~std::uint64_t{0}, seed)) return usage();
        } else if (!arg.empty() && arg[0] != '-' && scenario.empty()) {
            scenario = arg;
        } else {
            return usage();
        }
    }
    const std::vector<std::string> names = duet::test::scenarioNames();
    if (port == 0 || std::find(names.begin(), names.end(), scenario) == names.end()) return usage();

    duet::test::HostileSender sender(seed, std::cout);
    if (!sender.connectAndVerify(static_cast<std::uint16_t>(port))) return 3;
    duet::test::runScenario(scenario, sender, seed);
    // Lets the last messages reach the receiver before the polite disconnect in the destructor.
    sender.pump(std::chrono::milliseconds(200));
    sender.note({{"step", "end"},
                 {"scenario", scenario},
                 {"ok", !sender.failed()},
                 {"connected", sender.connected()}});
    return sender.failed() ? 1 : 0;
}
