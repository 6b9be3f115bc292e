#pragma once
// Display-safe text. Peer-supplied strings (names, chat, reasons) may hold control characters, invalid
// UTF-8 or bidi overrides; these functions return UTF-8 that is safe to draw and to write on one log line.
// Pure functions, any thread.
#include <string>
#include <string_view>

namespace duet::state {

// One-line text: control characters (C0, DEL, C1), bidi controls and zero-width characters become U+FFFD;
// invalid UTF-8 sequences become U+FFFD.
std::string sanitizeLine(std::string_view text);

// Multi-line text: like sanitizeLine, but keeps '\n' and '\t' ("\r\n" becomes "\n").
std::string sanitizeMultiline(std::string_view text);

// Truncates at a UTF-8 boundary to at most `maxBytes` bytes.
std::string truncateUtf8(std::string_view text, std::size_t maxBytes);

} // namespace duet::state
