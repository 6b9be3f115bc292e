// Whole-offer rules of PathValidator.hpp: caps, duplicates and collisions between entries.
#include "duet/storage/NameKey.hpp"
#include "duet/storage/PathValidator.hpp"
#include "duet/storage/Utf8.hpp"

#include <functional>

namespace duet::storage {

namespace {

// Only called on text checkPath already accepted, so decoding cannot fail.
std::u32string decodeValid(std::string_view text)
{
    return decodeUtf8(text).value_or(std::u32string{});
}

ValidationResult failure(ValidationCode code, std::size_t index, std::string_view path,
                         std::string_view detail = {})
{
    ValidationResult result;
    result.code = code;
    result.entryIndex = index;
    result.reason = "entry " + std::to_string(index) + ": " + std::string(describe(code)) + ": '" +
                    escapeForDisplay(path) + "'";
    if (!detail.empty()) result.reason += std::string(" (") + std::string(detail) + ")";
    return result;
}

} // namespace

std::size_t OfferChecker::ChildKeyHash::operator()(const ChildKey& k) const noexcept
{
    const std::size_t h = std::hash<std::u32string>{}(k.key);
    return h ^ (std::hash<std::size_t>{}(k.parent) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2));
}

OfferChecker::OfferChecker()
{
    m_nodes.push_back(Node{}); // the root: a folder nobody lists
}

ValidationResult OfferChecker::checkTree(const OfferEntry& entry,
                                         const std::vector<std::string_view>& components,
                                         std::vector<std::u32string>& keys, std::size_t& existingDepth,
                                         std::size_t& lastNode) const
{
    const std::size_t index = m_accepted;
    keys.reserve(components.size());
    for (const auto component : components)
        keys.push_back(collisionKey(decodeValid(component)));

    std::size_t parent = 0;
    existingDepth = components.size();
    for (std::size_t i = 0; i < components.size(); ++i) {
        const auto found = m_children.find(ChildKey{parent, keys[i]});
        if (found == m_children.end()) {
            existingDepth = i; // everything from here down is new, so nothing below can collide
            break;
        }
        const Node& node = m_nodes[found->second];
        const std::string detail = "'" + escapeForDisplay(components[i]) + "' against '" +
                                   escapeForDisplay(node.name) + "' of entry " +
                                   std::to_string(node.entryIndex);
        if (node.name != components[i]) {
            const bool sameWhenDecomposed =
                decomposedName(decodeValid(node.name)) == decomposedName(decodeValid(components[i]));
            return failure(sameWhenDecomposed ? ValidationCode::NormalizationCollision
                                              : ValidationCode::CaseCollision,
                           index, entry.path, detail);
        }
        const bool last = i + 1 == components.size();
        if (!last) {
            if (node.isFile) return failure(ValidationCode::FileDirectoryConflict, index, entry.path, detail);
        } else if (entry.kind == EntryKind::File) {
            return failure(node.isFile ? ValidationCode::Duplicate : ValidationCode::FileDirectoryConflict,
                           index, entry.path, detail);
        } else if (node.isFile) {
            return failure(ValidationCode::FileDirectoryConflict, index, entry.path, detail);
        } else if (node.listed) {
            return failure(ValidationCode::Duplicate, index, entry.path, detail);
        }
        parent = found->second;
    }
    lastNode = parent;
    return {};
}

ValidationResult OfferChecker::add(const OfferEntry& entry)
{
    const std::size_t index = m_accepted;
    if (m_accepted >= kMaxOfferEntries) return failure(ValidationCode::TooManyEntries, index, entry.path);
    if (entry.path.size() > kMaxOfferPathBytes - m_pathBytes) {
        return failure(ValidationCode::OfferTooLarge, index, entry.path);
    }
    if (const ValidationCode code = checkPath(entry.path); code != ValidationCode::Ok) {
        return failure(code, index, entry.path);
    }
    if (entry.kind == EntryKind::Directory && entry.size > 0) {
        return failure(ValidationCode::DirectoryWithSize, index, entry.path);
    }
    // Written as a subtraction so a sum past 2^64 cannot wrap around unnoticed.
    if (entry.size > kMaxOfferTotalBytes - m_totalBytes) {
        return failure(ValidationCode::SizeTooLarge, index, entry.path,
                       std::to_string(entry.size) + " bytes");
    }

    const auto components = splitPath(entry.path);
    std::vector<std::u32string> keys;
    std::size_t existingDepth = 0;
    std::size_t parent = 0;
    if (auto problem = checkTree(entry, components, keys, existingDepth, parent); !problem.ok())
        return problem;

    if (existingDepth == components.size()) {
        m_nodes[parent].listed = true; // a folder that earlier paths only implied is now listed itself
        m_nodes[parent].entryIndex = index;
    }
    for (std::size_t i = existingDepth; i < components.size(); ++i) {
        const bool last = i + 1 == components.size();
        Node node;
        node.name = std::string(components[i]);
        node.isFile = last && entry.kind == EntryKind::File;
        node.listed = last;
        node.entryIndex = index;
        m_nodes.push_back(std::move(node));
        const std::size_t id = m_nodes.size() - 1;
        m_children.emplace(ChildKey{parent, std::move(keys[i])}, id);
        parent = id;
    }
    ++m_accepted;
    m_totalBytes += entry.size;
    m_pathBytes += entry.path.size();
    return {};
}

ValidationResult validateOffer(std::span<const OfferEntry> entries)
{
    if (entries.size() > kMaxOfferEntries) {
        ValidationResult result;
        result.code = ValidationCode::TooManyEntries;
        result.entryIndex = kMaxOfferEntries;
        result.reason = "offer has " + std::to_string(entries.size()) + " entries; at most " +
                        std::to_string(kMaxOfferEntries) + " are accepted";
        return result;
    }
    OfferChecker checker;
    for (const OfferEntry& entry : entries) {
        if (auto result = checker.add(entry); !result.ok()) return result;
    }
    return {};
}

} // namespace duet::storage
