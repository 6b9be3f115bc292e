#pragma once
// Web links in chat text: where they are, and whether a URL is safe to hand to the desktop's browser.
// Pure: no ImGui. The front end opens only URLs that isOpenableUrl() accepts; the finder returns only
// spans whose linkTarget() it accepts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace duet::ui {

// Longest URL the finder marks and the front end opens (browsers and servers accept about this much).
inline constexpr std::size_t kMaxLinkBytes = 2048;

// Byte range of a link inside a text.
struct LinkSpan {
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
    bool operator==(const LinkSpan&) const = default;
};

// Links in `text`, in order: http://, https:// and www. hosts, without trailing punctuation (". , ; : ! ?",
// quotes, and a ")" or "]" with no opening partner inside the link).
std::vector<LinkSpan> findLinks(std::string_view text);

// The URL a link's text opens: the text itself, or "https://" + text for a www. host.
std::string linkTarget(std::string_view linkText);

// True for an http or https URL with a host, at most kMaxLinkBytes, in valid UTF-8 without control,
// space, bidirectional or other invisible format characters, without "<>\"\\^`{|}" and without a
// "user@" part that could disguise the host.
bool isOpenableUrl(std::string_view url);

} // namespace duet::ui
