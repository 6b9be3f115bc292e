#pragma once
// Strict UTF-8 decoding and log-safe escaping for names that came from a peer. Pure functions, any thread.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace duet::storage {

// Decodes well-formed UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates (U+D800..U+DFFF),
// nothing above U+10FFFF, no truncated or stray continuation bytes. Returns nullopt on any ill-formed byte.
std::optional<std::u32string> decodeUtf8(std::string_view text);

bool isValidUtf8(std::string_view text);

// Appends the UTF-8 encoding of a scalar value; the caller passes a valid scalar value.
void appendUtf8(std::string& out, char32_t codePoint);

// A copy safe for a log line or terminal: printable ASCII stays, a backslash becomes "\\", every other byte
// becomes "\xNN". Input beyond maxInputBytes is replaced by "...". Never emits a control character.
std::string escapeForDisplay(std::string_view text, std::size_t maxInputBytes = 120);

} // namespace duet::storage
