// Entry point of `duet`: parse the command line, then run the windowed app or the headless front end.
#include "CommandLine.hpp"
#include "Headless.hpp"
#include "OneShot.hpp"

#ifdef DUET_HAVE_GUI
#include "GuiMain.hpp"
#endif

#include <iostream>
#include <malloc.h>

namespace {

// A transfer allocates and frees 256 KiB chunk buffers all the time. glibc's defaults give each one fresh
// pages (mmap, or a heap trimmed back with madvise), and every page then faults on first touch: loopback
// went from 153-172 to 244-256 MB/s with both thresholds fixed, for 3-4 MiB more resident memory.
void keepTransferBuffersMapped()
{
    constexpr int kMmapThreshold = 8 << 20;  // only buffers above this get their own mapping
    constexpr int kTrimThreshold = 32 << 20; // free memory kept before the heap is given back
    mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
    mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
}

} // namespace

int main(int argc, char** argv)
{
    using namespace duet::app;
    keepTransferBuffersMapped();
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
