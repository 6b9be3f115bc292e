#pragma once
// The windowed front end. Runs on the calling (main) thread until the window closes.
// Returns the process exit code: 0 on a normal close, 1 when no window can be opened (the reason is
// printed to stderr; --headless works without a display).
#include "Options.hpp"

namespace duet::app {

int runGui(const Options& options);

} // namespace duet::app
