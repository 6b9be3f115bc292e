#pragma once
// Sender side: turns what the user picked into offer entries. Reads the local disk; any thread, no state.
//
// Rules: each picked item is named by its own basename (the sender's absolute path is never part of a
// name). Folders are walked recursively without following symlinks; empty folders are included.
// Symlinks found inside a picked folder are skipped and reported, and so are fifos, sockets and devices.
// A picked item that is itself a symlink is followed once, since the user chose it explicitly.
// Entries a receiver would refuse (names PathValidator rejects, case/composition collisions, more than
// kMaxOfferEntries, more than kMaxOfferTotalBytes) are skipped and reported, so every Selection forms a
// valid offer. Entries come in path-component order: a folder right before its contents, siblings bytewise.
#include "duet/storage/PathValidator.hpp"

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace duet::storage {

struct SelectedEntry {
    std::string relativePath; // sent to the peer: "Camera/2024/img.jpg"
    EntryKind kind = EntryKind::File;
    std::uint64_t size = 0;          // 0 for folders
    std::int64_t mtimeSeconds = 0;   // Unix seconds
    std::filesystem::path localPath; // where to read it; never sent
};

enum class SkipReason : std::uint8_t {
    Symlink,        // a symlink inside a picked folder
    SpecialFile,    // fifo, socket, device
    Unreadable,     // missing or not accessible (message has the system's reason)
    UnportableName, // a name PathValidator refuses (e.g. "aux.c", "a:b", trailing dot)
    NameCollision,  // same name, or differs only in case/composition, as an earlier entry
    LimitReached,   // entry count or total size cap of one offer
};

struct SkippedItem {
    std::filesystem::path localPath;
    SkipReason reason = SkipReason::Unreadable;
    std::string message; // readable, names escaped
};

struct Selection {
    std::vector<SelectedEntry> entries;
    std::vector<SkippedItem> skipped;
    std::uint64_t totalBytes = 0;
    bool complete = true; // false when a cap stopped the walk early: the user should pick less
};

Selection collectSelection(std::span<const std::filesystem::path> picked);

// The part of a Selection that goes on the wire.
std::vector<OfferEntry> toOfferEntries(const Selection& selection);

} // namespace duet::storage
