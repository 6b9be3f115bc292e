#pragma once
// In-memory stand-ins for the transfer library's injected interfaces: a deterministic test hash, a
// source of files (explicit bytes or a computed pattern, so large files need no memory), and a receive
// sink that keeps partials, per-chunk hashes and committed files in maps and can fail on demand.
#include "duet/transfer/Hashing.hpp"
#include "duet/transfer/ReceiveSink.hpp"
#include "duet/transfer/SourceFiles.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace duet::transfer::test {

// Not cryptographic: four 64-bit lanes mixed word by word, so any changed byte, any split of the input
// into updates, and the length all show in the result.
class TestHasher final : public Hasher {
public:
    void update(wire::ByteSpan bytes) override;
    Hash32 finish() override;

private:
    void mixWord(std::uint64_t word);
    std::uint64_t m_lanes[4] = {0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull,
                                0xa54ff53a5f1d36f1ull};
    std::uint8_t m_tail[8] = {};
    std::size_t m_tailSize = 0;
    std::uint64_t m_length = 0;
};

class TestHashFactory final : public HashFactory {
public:
    std::unique_ptr<Hasher> create() const override { return std::make_unique<TestHasher>(); }
};

Hash32 testHash(wire::ByteSpan bytes);

// Byte `offset` of the pattern file with this seed; cheap enough for 64 MiB.
std::uint8_t patternByte(std::uint64_t seed, std::uint64_t offset);
wire::Bytes patternBytes(std::uint64_t seed, std::uint64_t size);

struct FakeKeyLess {
    bool operator()(const FileKey& a, const FileKey& b) const
    {
        return a.offerId != b.offerId ? a.offerId < b.offerId : a.fileId < b.fileId;
    }
};

class FakeSource final : public SourceFiles {
public:
    struct File {
        std::uint64_t size = 0;
        std::int64_t mtimeMs = 0;
        std::optional<wire::Bytes> bytes; // else the pattern of `seed`
        std::uint64_t seed = 0;
        bool unreadable = false;
    };

    void add(const FileKey& key, File file) { m_files[key] = std::move(file); }
    File& file(const FileKey& key) { return m_files.at(key); }
    // Called before every read; tests use it to change a file in the middle of a transfer.
    std::function<void(const FileKey&, std::uint64_t offset)> beforeRead;

    IoResult<SourceStat> stat(const FileKey& key) override;
    IoResult<std::size_t> read(const FileKey& key, std::uint64_t offset,
                               std::span<std::uint8_t> out) override;
    void release(const FileKey& key) override { m_released.insert(key); }

    std::uint64_t bytesRead = 0;
    std::size_t largestRead = 0;
    std::set<FileKey, FakeKeyLess> m_released;

private:
    std::map<FileKey, File, FakeKeyLess> m_files;
};

class FakeSink final : public ReceiveSink {
public:
    struct Partial {
        wire::OfferEntry entry;
        wire::Bytes data;
        std::vector<Hash32> chunkHashes;
        bool open = false;
    };

    IoResult<std::uint64_t> freeSpace() override { return m_freeSpace; }
    IoResult<std::string> createDirectory(std::uint64_t offerId, const wire::OfferEntry& entry) override;
    IoResult<std::uint64_t> openPartial(const FileKey& key, const wire::OfferEntry& entry) override;
    IoResult<std::size_t> readPartial(const FileKey& key, std::uint64_t offset,
                                      std::span<std::uint8_t> out) override;
    IoStatus writeChunk(const FileKey& key, std::uint64_t index, wire::ByteSpan bytes) override;
    IoResult<std::string> commit(const FileKey& key, const Hash32& hash) override;
    void closePartial(const FileKey& key) override;
    void discardPartial(const FileKey& key) override;
    // With syncInBackground: records the file as syncing and returns true; the test completes it through
    // TransferManager::onPartialSynced. Closing or discarding the partial abandons it.
    bool startSync(const FileKey& key) override;

    // Knobs.
    bool syncInBackground = false;
    std::uint64_t m_freeSpace = std::uint64_t{1} << 40;
    std::optional<std::uint64_t> diskFullAfterBytes; // writes fail once this many bytes were written
    bool failDirectories = false;
    std::optional<std::uint64_t> claimVerified; // openPartial lies and reports this many chunks
    std::optional<std::string> refuseCommit;    // commit fails with WriteFailed and this reason

    // Observations.
    std::map<std::string, wire::Bytes> committed; // final path -> content
    std::set<std::string> directories;
    std::map<FileKey, Partial, FakeKeyLess> partials;
    std::uint64_t bytesWritten = 0;
    std::set<FileKey, FakeKeyLess> syncing; // started, not finished, not abandoned
    std::size_t syncsStarted = 0;
    std::size_t abandonedSyncs = 0;
    std::size_t commits = 0;
    std::size_t discards = 0;
    std::size_t maxOpen = 0;

    std::size_t openCount() const;

private:
    std::string freeName(const std::string& path) const;
};

} // namespace duet::transfer::test
