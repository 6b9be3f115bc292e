#pragma once
// Wire format v1, file-transfer messages. Control messages travel inside encrypted records on channel 0;
// file data travels in Chunk frames on channel 2 (see Chunk.hpp). The receiver drives every transfer: it
// asks for each file from an offset it has verified itself, so a sender can never make it skip or trust
// bytes. See PROTOCOL.md section "File transfer".
#include "duet/wire/Bytes.hpp"

#include <array>
#include <string>
#include <vector>

namespace duet::wire {

inline constexpr std::size_t kChunkSize = 256 * 1024;    // plaintext bytes per chunk (last one shorter)
inline constexpr std::size_t kMaxPathBytes = 4096;       // one entry's relative path, UTF-8, '/'-separated
inline constexpr std::size_t kMaxOfferEntries = 100'000; // entries in one offer, over all parts
inline constexpr std::size_t kMaxEntriesPerPart = 4'096; // entries in one Offer message
inline constexpr std::size_t kMaxOfferParts = 64;        // parts in one offer
inline constexpr std::size_t kMaxReasonText = 512;       // human-readable reason strings

enum class EntryKind : std::uint8_t { File = 0, Directory = 1 };

struct OfferEntry {
    std::uint64_t fileId = 0; // sender-chosen, unique within the offer, non-zero
    EntryKind kind = EntryKind::File;
    std::uint64_t size = 0;   // bytes; 0 for directories
    std::int64_t mtimeMs = 0; // Unix ms, advisory
    std::string path; // relative, '/'-separated; validated by the receiver before anything touches disk
};

// One part of an offer. Large selections are split into parts so every record stays small; the receiver
// assembles all parts (bounded by the caps above) before it validates and asks its user.
struct Offer {
    std::uint64_t offerId = 0;
    std::uint32_t partIndex = 0;
    std::uint32_t partCount = 1;
    std::uint32_t totalEntries = 0; // over all parts
    std::uint64_t totalBytes = 0;   // over all parts
    std::vector<OfferEntry> entries;
};

enum class OfferDecision : std::uint8_t { Reject = 0, Accept = 1 };

// The receiver's answer. On Accept, acceptedFileIds lists the files it wants (all or some).
struct OfferReply {
    std::uint64_t offerId = 0;
    OfferDecision decision = OfferDecision::Reject;
    std::vector<std::uint64_t> acceptedFileIds;
    std::string reason; // why it was rejected (free space, invalid name, user said no)
};

// Receiver -> sender: send this file starting at chunk `fromChunk` (everything before is verified here).
struct FileRequest {
    std::uint64_t offerId = 0;
    std::uint64_t fileId = 0;
    std::uint64_t fromChunk = 0;
};

// Receiver -> sender: every chunk below `nextChunk` is written; opens the sender's window.
struct ChunkAck {
    std::uint64_t fileId = 0;
    std::uint64_t nextChunk = 0;
};

// Sender -> receiver: all chunks are sent; `hash` is BLAKE2b-256 of the whole file.
struct FileDone {
    std::uint64_t fileId = 0;
    std::array<std::uint8_t, 32> hash{};
};

enum class FileOutcome : std::uint8_t {
    Verified = 0,      // hash matched, file is in place under its final name
    HashMismatch = 1,  // whole-file hash differs; nothing was renamed into place
    SourceChanged = 2, // the sender's file changed while it was sent
    SourceUnreadable = 3,
    DiskFull = 4,
    WriteFailed = 5, // download folder not writable, vanished, or similar
    Cancelled = 6,
    ProtocolViolation = 7, // sizes that lie, chunks out of range, ...
};
// The outcome's name in events and scripts ("verified", "hash_mismatch", ...; README, headless events).
const char* outcomeCode(FileOutcome outcome);

// Either direction: the final word on one file. Sent by the receiver after commit or failure, and by the
// sender when it cannot continue (source changed or unreadable).
struct FileResult {
    std::uint64_t fileId = 0;
    FileOutcome outcome = FileOutcome::Verified;
    std::string detail;
};

enum class TransferAction : std::uint8_t { Pause = 0, Resume = 1, Cancel = 2 };

// Either direction. fileId 0 applies to the whole offer.
struct TransferControl {
    std::uint64_t offerId = 0;
    std::uint64_t fileId = 0;
    TransferAction action = TransferAction::Pause;
};

} // namespace duet::wire
