#pragma once
// The scenarios `duet-hostile-sender` plays against a real receiver, one per run. Each sends what an
// honest Duet never sends (issue 4, "a hostile sender") and checks the answers it gets on the wire; the
// integration test checks the receiver's side (events, download folder, still alive).
#include "HostileSender.hpp"

#include <string>
#include <vector>

namespace duet::test {

std::vector<std::string> scenarioNames();
// Plays `name` on a verified connection; false if there is no such scenario. Failed checks are
// recorded in `sender` (sender.failed()). `seed` keeps offer and file ids distinct between runs.
bool runScenario(const std::string& name, HostileSender& sender, std::uint64_t seed);

} // namespace duet::test
