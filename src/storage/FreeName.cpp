#include "duet/storage/FreeName.hpp"

namespace duet::storage {

namespace {

constexpr std::size_t kMaxExtensionBytes = 16;

bool endsWithTar(std::string_view stem)
{
    if (stem.size() <= 4) return false;
    const std::string_view tail = stem.substr(stem.size() - 4);
    return tail[0] == '.' && (tail[1] == 't' || tail[1] == 'T') && (tail[2] == 'a' || tail[2] == 'A') &&
           (tail[3] == 'r' || tail[3] == 'R');
}

// Position where the extension starts, or name.size() when the name has none.
std::size_t extensionStart(std::string_view name)
{
    const std::size_t dot = name.rfind('.');
    // A leading dot marks a hidden file (".bashrc"), not an extension.
    if (dot == std::string_view::npos || dot == 0) return name.size();
    const std::string_view extension = name.substr(dot);
    if (extension.size() < 2 || extension.size() > kMaxExtensionBytes) return name.size();
    if (extension.find(' ') != std::string_view::npos) return name.size();
    if (endsWithTar(name.substr(0, dot))) return dot - 4;
    return dot;
}

bool isUtf8Continuation(char c)
{
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

} // namespace

std::string numberedName(std::string_view name, unsigned number, EntryKind kind)
{
    const std::size_t split = kind == EntryKind::File ? extensionStart(name) : name.size();
    std::string_view stem = name.substr(0, split);
    const std::string_view extension = name.substr(split);
    const std::string suffix = " (" + std::to_string(number) + ")";

    const std::size_t budget = kMaxComponentBytes - suffix.size() - extension.size();
    if (stem.size() > budget) {
        std::size_t cut = budget;
        while (cut > 0 && isUtf8Continuation(stem[cut]))
            --cut; // never split a multi-byte character
        stem = stem.substr(0, cut);
    }
    std::string result;
    result.reserve(stem.size() + suffix.size() + extension.size());
    result.append(stem).append(suffix).append(extension);
    return result;
}

} // namespace duet::storage
