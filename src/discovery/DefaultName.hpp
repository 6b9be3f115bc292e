#pragma once
// The display name a Duet announces when the user has set none. It goes out in every beacon and Hello, so
// it is this machine's host name, never the account name ($USER, $LOGNAME): see PROTOCOL.md section 10.
// Thread: any (reads only the host name).
#include <string>
#include <string_view>

namespace duet::discovery {

inline constexpr std::string_view kFallbackDisplayName = "Duet user";

// `hostName` made into a usable display name: surrounding white space trimmed, cut to the wire limit
// (wire::kMaxDisplayName bytes) at a character boundary, and refused (kFallbackDisplayName) when empty,
// not UTF-8 or holding control characters.
std::string displayNameFromHostName(std::string_view hostName);

// displayNameFromHostName of this machine's host name (gethostname), kFallbackDisplayName when it has none.
std::string defaultDisplayName();

} // namespace duet::discovery
