#pragma once
// The `duet` command line (CLI11): mode flags and the options every front end shares, resolved to Options.
// Thread: main thread, before anything starts. Errors: usage problems are printed to `err` and reported
// as an exit code; nothing throws.
#include "Options.hpp"

#include <iosfwd>

namespace duet::app {

// Exit codes of the `duet` process (sysexits.h values).
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 64;
inline constexpr int kExitCannotListen = 69;
inline constexpr int kExitInternal = 70;
inline constexpr int kExitProfileUnusable = 74;

struct CommandLineResult {
    bool run = false; // false: exit now with exitCode (--help, --version or a usage error)
    int exitCode = kExitOk;
};

// Fills `options` from argv; profile and download directories default to the XDG locations.
CommandLineResult parseCommandLine(int argc, const char* const* argv, Options& options, std::ostream& out,
                                   std::ostream& err);

} // namespace duet::app
