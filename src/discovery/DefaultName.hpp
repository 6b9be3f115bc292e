#pragma once
// The display name a Duet announces when the user has set none. It goes out in every beacon and Hello, so
// it is this machine's host name, never the account name ($USER, $LOGNAME): see PROTOCOL.md section 10.
// Thread: any (reads only the host name).
#include <cstddef>
#include <string>
#include <string_view>

namespace duet::discovery {

inline constexpr std::string_view kFallbackDisplayName = "Duet user";

// `hostName` made into a usable display name: surrounding white space trimmed, cut to the wire limit
// (wire::kMaxDisplayName bytes) at a character boundary, and refused (kFallbackDisplayName) when empty,
// not UTF-8 or holding control characters.
std::string displayNameFromHostName(std::string_view hostName);

// The longest prefix of `text` within `maxBytes` that ends on a whole UTF-8 character: names are cut by
// bytes for the wire, and a split character would make every receiver refuse the beacon.
std::string_view cutAtCharacterBoundary(std::string_view text, std::size_t maxBytes);

// displayNameFromHostName of this machine's host name (gethostname), kFallbackDisplayName when it has none.
std::string defaultDisplayName();

} // namespace duet::discovery
