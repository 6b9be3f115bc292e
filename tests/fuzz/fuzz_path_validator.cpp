// Fuzzes validateOffer with random offers. Invariants: it never crashes; a refusal names an entry of the
// offer with a reason free of control bytes; every accepted path is valid UTF-8, relative, without '\',
// NUL, control bytes or empty/"."/".." components; no two accepted entries share a collision key or
// use a file as a folder; and every numbered alternative of an accepted name is itself acceptable.
#include "duet/storage/FreeName.hpp"
#include "duet/storage/NameKey.hpp"
#include "duet/storage/PathValidator.hpp"
#include "duet/storage/Utf8.hpp"

#include <cstdlib>
#include <fuzzer/FuzzedDataProvider.h>
#include <set>
#include <string>
#include <vector>

using namespace duet::storage;

namespace {

constexpr std::size_t kMaxFuzzEntries = 64;

void require(bool condition)
{
    if (!condition) std::abort();
}

bool hasControlByte(std::string_view text)
{
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) return true;
    }
    return false;
}

std::vector<std::string_view> components(std::string_view path)
{
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = path.find('/', start);
        parts.push_back(
            path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
        if (slash == std::string_view::npos) return parts;
        start = slash + 1;
    }
}

void checkAcceptedPath(const OfferEntry& entry)
{
    const std::string& path = entry.path;
    require(!path.empty() && path.size() <= kMaxPathBytes);
    require(isValidUtf8(path));
    require(path.front() != '/');
    require(path.find('\\') == std::string::npos);
    require(path.find('\0') == std::string::npos);
    require(!hasControlByte(path));
    require(checkPath(path) == ValidationCode::Ok);
    for (const auto component : components(path)) {
        require(!component.empty() && component != "." && component != "..");
        require(component.size() <= kMaxComponentBytes);
    }
    if (entry.kind == EntryKind::Directory) require(entry.size == 0);
    const std::string leaf(components(path).back());
    for (const unsigned n : {1u, 9u, kMaxNameAttempts}) {
        const std::string alternative = numberedName(leaf, n, entry.kind);
        require(checkPath(alternative) == ValidationCode::Ok);
    }
}

void checkAcceptedOffer(const std::vector<OfferEntry>& offer)
{
    std::set<std::u32string> keys;
    std::set<std::u32string> filePrefixes; // collision key of each file path followed by '/'
    std::uint64_t total = 0;
    for (const OfferEntry& entry : offer) {
        checkAcceptedPath(entry);
        const std::u32string key = collisionKey(decodeUtf8(entry.path).value());
        require(keys.insert(key).second);
        if (entry.kind == EntryKind::File) filePrefixes.insert(key + U"/");
        require(entry.size <= kMaxOfferTotalBytes - total);
        total += entry.size;
    }
    for (const std::u32string& key : keys) {
        for (const std::u32string& prefix : filePrefixes)
            require(key.compare(0, prefix.size(), prefix) != 0);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    FuzzedDataProvider input(data, size);
    std::vector<OfferEntry> offer;
    while (input.remaining_bytes() > 0 && offer.size() < kMaxFuzzEntries) {
        OfferEntry entry;
        entry.kind = input.ConsumeBool() ? EntryKind::File : EntryKind::Directory;
        const auto sizeClass = input.ConsumeIntegral<std::uint8_t>();
        entry.size = sizeClass < 200 ? sizeClass : input.ConsumeIntegral<std::uint64_t>();
        entry.path = input.ConsumeRandomLengthString(kMaxPathBytes + 16);
        offer.push_back(std::move(entry));
    }
    const ValidationResult result = validateOffer(offer);
    if (result.ok()) {
        require(result.reason.empty());
        checkAcceptedOffer(offer);
    } else {
        require(result.entryIndex < offer.size());
        require(!result.reason.empty() && !hasControlByte(result.reason));
    }
    return 0;
}
