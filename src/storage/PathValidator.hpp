#pragma once
// The one validator for every relative path a peer sends. It judges a whole offer and refuses all of it
// on the first problem; it never repairs a name. Pure functions and a plain value type: any thread.
//
// Accepted paths are UTF-8, '/'-separated, relative, free of empty/"."/".." components, control and
// invisible characters, Windows-hostile names and characters, and Duet's own partial-file names; no two
// entries of one offer collide by bytes, case (see NameKey.hpp for the limits) or file-versus-folder.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace duet::storage {

inline constexpr std::size_t kMaxOfferEntries = 100'000;
inline constexpr std::size_t kMaxPathBytes = 4096;
inline constexpr std::size_t kMaxComponentBytes = 255;
// Sum of all path lengths in one offer; keeps the validator's memory bounded (100,000 x 160 bytes on
// average).
inline constexpr std::size_t kMaxOfferPathBytes = 16u << 20;
// Sum of all file sizes in one offer (16 TiB). Far below 2^63, so sizes always fit off_t.
inline constexpr std::uint64_t kMaxOfferTotalBytes = std::uint64_t{1} << 44;

// Duet's own names inside the download folder. A received component may neither start with
// kPartialAreaName nor end with kPartialSuffix (compared ASCII case-insensitively).
inline constexpr std::string_view kPartialAreaName = ".duet-partial";
inline constexpr std::string_view kPartialSuffix = ".duet-part";

enum class EntryKind : std::uint8_t { File, Directory };

struct OfferEntry {
    std::string path; // as sent by the peer: UTF-8, '/'-separated, relative
    EntryKind kind = EntryKind::File;
    std::uint64_t size = 0;
};

enum class ValidationCode : std::uint8_t {
    Ok,
    // One path on its own:
    EmptyPath,
    PathTooLong, // over kMaxPathBytes
    NulByte,
    InvalidUtf8,        // overlong, surrogate, above U+10FFFF, truncated
    AbsolutePath,       // "/x", "//x", "\x", "\\srv", "C:\x", "C:x"
    Backslash,          // any '\' that is not a rooted prefix
    ControlCharacter,   // C0 (includes ESC of terminal escapes), DEL, C1
    InvisibleCharacter, // zero-width, bidi controls, BOM, soft hyphen, tag characters, line separators
    ForbiddenCharacter, // < > : " ? * |
    EmptyComponent,     // "a//b", trailing '/'
    DotComponent,       // "." or ".."
    ComponentTooLong,   // over kMaxComponentBytes
    TrailingDotOrSpace, // "name." or "name " (Windows strips them)
    ReservedDeviceName, // CON, PRN, AUX, NUL, CONIN$, CONOUT$, COM0-9, LPT0-9, COM¹²³, LPT¹²³, any extension
    ReservedDuetName, // kPartialAreaName... or ...kPartialSuffix
    // The offer as a whole:
    TooManyEntries,         // over kMaxOfferEntries
    OfferTooLarge,          // path bytes over kMaxOfferPathBytes
    SizeTooLarge,           // file size or running total over kMaxOfferTotalBytes (covers uint64 overflow)
    DirectoryWithSize,      // a Directory entry with size > 0
    Duplicate,              // the same path twice
    CaseCollision,          // differs only in case from another entry or folder
    NormalizationCollision, // differs only in Unicode composition (é versus e + U+0301)
    FileDirectoryConflict,  // a file used as a folder by another entry, or listed as both
};

// Short fixed English text for a code.
std::string_view describe(ValidationCode code);

struct ValidationResult {
    ValidationCode code = ValidationCode::Ok;
    std::size_t entryIndex = 0; // index of the first offending entry when !ok()
    std::string reason;         // readable, names escaped with escapeForDisplay; empty when ok()
    bool ok() const { return code == ValidationCode::Ok; }
};

// The single-path rules only (first block of ValidationCode). Ok or the first rule broken.
ValidationCode checkPath(std::string_view path);

// The '/'-separated components of a path, empty ones included ("a//b" gives "a", "", "b").
std::vector<std::string_view> splitPath(std::string_view path);

// Accumulates entries one at a time and checks each against everything accepted before it. A refused
// entry leaves the checker unchanged, so a sender can skip it and go on; a receiver stops at the first one.
class OfferChecker {
public:
    OfferChecker();
    // entryIndex in the result is the number of entries accepted before this one.
    ValidationResult add(const OfferEntry& entry);
    std::size_t acceptedCount() const { return m_accepted; }
    std::uint64_t totalBytes() const { return m_totalBytes; }

private:
    struct Node {
        std::string name; // the component exactly as first seen
        bool isFile = false;
        bool listed = false;        // an entry names this node itself (not only a path through it)
        std::size_t entryIndex = 0; // the entry that created or listed it
    };
    struct ChildKey {
        std::size_t parent = 0;
        std::u32string key; // collisionKey of the component
        bool operator==(const ChildKey&) const = default;
    };
    struct ChildKeyHash {
        std::size_t operator()(const ChildKey& k) const noexcept;
    };
    ValidationResult checkTree(const OfferEntry& entry, const std::vector<std::string_view>& components,
                               std::vector<std::u32string>& keys, std::size_t& existingDepth,
                               std::size_t& lastNode) const;

    std::vector<Node> m_nodes; // m_nodes[0] is the root
    std::unordered_map<ChildKey, std::size_t, ChildKeyHash> m_children;
    std::size_t m_accepted = 0;
    std::uint64_t m_totalBytes = 0;
    std::size_t m_pathBytes = 0;
};

// Validates a whole received offer; returns Ok or the first problem. Runs in time linear in the offer's
// size and refuses an over-long offer before looking at any entry.
ValidationResult validateOffer(std::span<const OfferEntry> entries);

} // namespace duet::storage
