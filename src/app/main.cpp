// Entry point of `duet`: parse the command line, then run the windowed app or the headless front end.
#include "CommandLine.hpp"
#include "Headless.hpp"
#include "OneShot.hpp"

#ifdef DUET_HAVE_GUI
#include "GuiMain.hpp"
#endif

#include <iostream>

int main(int argc, char** argv)
{
    using namespace duet::app;
    Options options;
    const CommandLineResult parsed = parseCommandLine(argc, argv, options, std::cout, std::cerr);
    if (!parsed.run) return parsed.exitCode;
    switch (options.mode) {
    case Mode::Headless:
        return runHeadless(options);
    case Mode::Gui:
#ifdef DUET_HAVE_GUI
        return runGui(options);
#else
        std::cerr << "duet: this build has no window; use --headless\n";
        return kExitUsage;
#endif
    case Mode::Send:
        return runSend(options);
    case Mode::Receive:
        return runReceive(options);
    }
    std::cerr << "duet: this mode is not available in this build\n";
    return kExitUsage;
}
