#pragma once
// One-line text form of an engine event, for the GUI's test hook (DUET_GUI_EVENT_LOG) and diagnostics:
//   event ChatReceived peer=2 id=77 from="Bob" text="hi\nthere" sentAtMs=1800000000000
// Strings are double-quoted with \" \\ \n \r \t and \xNN escapes, so every event is exactly one line.
// Pure function, any thread.
#include "duet/core/EngineApi.hpp"

#include <string>
#include <string_view>

namespace duet::state {

std::string describeEvent(const Event& event);

// The quoting used above: "..." with escapes; bytes >= 0x80 pass through unchanged.
std::string quoteForLog(std::string_view text);

} // namespace duet::state
