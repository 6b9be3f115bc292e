#pragma once
// Collision keys: two names with the same key would land on one file on a case-insensitive or
// normalising file system (Windows, macOS, exFAT), so one offer must not contain both. Pure, any thread.
//
// Deliberate limits (not full Unicode):
// - Case folding is the simple one-to-one lowercase mapping for ASCII, Latin-1, Latin Extended-A,
//   Greek and Cyrillic (plus final sigma -> sigma, long s -> s, micro sign -> mu). Other scripts compare
//   exactly, and multi-character foldings (German sharp s -> "ss") are not applied.
// - Normalisation only decomposes the precomposed Latin letters U+00C0..U+017F into base letter plus one
//   combining mark. It is not NFC/NFD: other precomposed letters (Greek tonos, Vietnamese, Hangul) and the
//   canonical reordering of several combining marks are not handled.
#include <string>
#include <string_view>

namespace duet::storage {

// Simple lowercase mapping in the scripts listed above; other code points are returned unchanged.
char32_t foldCase(char32_t codePoint);

// The name with U+00C0..U+017F letters decomposed (base letter + combining mark), case unchanged.
std::u32string decomposedName(std::u32string_view name);

// decomposedName followed by foldCase: the key under which names are compared for collisions.
std::u32string collisionKey(std::u32string_view name);

} // namespace duet::storage
