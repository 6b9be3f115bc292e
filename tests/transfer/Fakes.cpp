#include "Fakes.hpp"

#include "duet/transfer/ChunkMath.hpp"

#include <algorithm>
#include <cstring>

namespace duet::transfer::test {

namespace {

std::uint64_t rotl(std::uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

} // namespace

void TestHasher::mixWord(std::uint64_t word)
{
    static constexpr std::uint64_t kPrimes[4] = {0x9e3779b97f4a7c15ull, 0xc2b2ae3d27d4eb4full,
                                                 0x165667b19e3779f9ull, 0xd6e8feb86659fd93ull};
    for (int i = 0; i < 4; ++i) {
        m_lanes[i] = rotl(m_lanes[i] ^ (word + static_cast<std::uint64_t>(i)), 23 + i) * kPrimes[i];
        m_lanes[i] ^= m_lanes[i] >> 31;
    }
}

void TestHasher::update(wire::ByteSpan bytes)
{
    m_length += bytes.size();
    std::size_t pos = 0;
    while (m_tailSize > 0 && m_tailSize < 8 && pos < bytes.size())
        m_tail[m_tailSize++] = bytes[pos++];
    if (m_tailSize == 8) {
        std::uint64_t w = 0;
        std::memcpy(&w, m_tail, 8);
        mixWord(w);
        m_tailSize = 0;
    }
    for (; pos + 8 <= bytes.size(); pos += 8) {
        std::uint64_t w = 0;
        std::memcpy(&w, bytes.data() + pos, 8);
        mixWord(w);
    }
    while (pos < bytes.size())
        m_tail[m_tailSize++] = bytes[pos++];
}

Hash32 TestHasher::finish()
{
    std::uint64_t last = 0;
    std::memcpy(&last, m_tail, m_tailSize);
    mixWord(last ^ (static_cast<std::uint64_t>(m_tailSize) << 56));
    mixWord(m_length);
    for (int round = 0; round < 3; ++round)
        mixWord(m_lanes[0] ^ m_lanes[1] ^ m_lanes[2] ^ m_lanes[3]);
    Hash32 out{};
    std::memcpy(out.data(), m_lanes, 32);
    return out;
}

Hash32 testHash(wire::ByteSpan bytes)
{
    TestHasher h;
    h.update(bytes);
    return h.finish();
}

std::uint8_t patternByte(std::uint64_t seed, std::uint64_t offset)
{
    std::uint64_t x = (offset >> 3) * 0x9e3779b97f4a7c15ull + seed * 0xbf58476d1ce4e5b9ull;
    x ^= x >> 29;
    return static_cast<std::uint8_t>(x >> (8 * (offset & 7)));
}

wire::Bytes patternBytes(std::uint64_t seed, std::uint64_t size)
{
    wire::Bytes out(static_cast<std::size_t>(size));
    for (std::uint64_t i = 0; i < size; ++i)
        out[static_cast<std::size_t>(i)] = patternByte(seed, i);
    return out;
}

// ---- FakeSource ----

IoResult<SourceStat> FakeSource::stat(const FileKey& key)
{
    const auto it = m_files.find(key);
    if (it == m_files.end()) return IoError{wire::FileOutcome::SourceUnreadable, "no such file"};
    if (it->second.unreadable) return IoError{wire::FileOutcome::SourceUnreadable, "permission denied"};
    return SourceStat{it->second.size, it->second.mtimeMs};
}

IoResult<std::size_t> FakeSource::read(const FileKey& key, std::uint64_t offset, std::span<std::uint8_t> out)
{
    if (beforeRead) beforeRead(key, offset);
    const auto it = m_files.find(key);
    if (it == m_files.end() || it->second.unreadable)
        return IoError{wire::FileOutcome::SourceUnreadable, "read failed"};
    const File& f = it->second;
    largestRead = std::max(largestRead, out.size());
    if (offset >= f.size) return std::size_t{0};
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), f.size - offset));
    if (f.bytes) {
        std::memcpy(out.data(), f.bytes->data() + offset, n);
    } else {
        for (std::size_t i = 0; i < n; ++i)
            out[i] = patternByte(f.seed, offset + i);
    }
    bytesRead += n;
    return n;
}

// ---- FakeSink ----

std::string FakeSink::freeName(const std::string& path) const
{
    const auto taken = [this](const std::string& p) {
        return committed.count(p) != 0 || directories.count(p) != 0;
    };
    if (!taken(path)) return path;
    for (int n = 1;; ++n) {
        std::string candidate = path + " (" + std::to_string(n) + ")";
        if (!taken(candidate)) return candidate;
    }
}

IoResult<std::string> FakeSink::createDirectory(std::uint64_t, const wire::OfferEntry& entry)
{
    if (failDirectories) return IoError{wire::FileOutcome::WriteFailed, "read-only folder"};
    const std::string name = freeName(entry.path);
    directories.insert(name);
    return name;
}

IoResult<std::uint64_t> FakeSink::openPartial(const FileKey& key, const wire::OfferEntry& entry)
{
    Partial& p = partials[key];
    p.entry = entry;
    p.open = true;
    maxOpen = std::max(maxOpen, openCount());
    const std::uint64_t count = chunkCount(entry.size);
    if (claimVerified) return std::min(*claimVerified, count);
    // Trust only leading chunks whose bytes still match the hash recorded when they were written.
    std::uint64_t verified = 0;
    while (verified < p.chunkHashes.size() && verified < count) {
        const std::uint64_t offset = bytesBeforeChunk(entry.size, verified);
        const std::uint64_t length = chunkLength(entry.size, verified);
        if (offset + length > p.data.size()) break;
        if (testHash(wire::ByteSpan(p.data.data() + offset, length)) != p.chunkHashes[verified]) break;
        ++verified;
    }
    p.data.resize(static_cast<std::size_t>(bytesBeforeChunk(entry.size, verified)));
    p.chunkHashes.resize(static_cast<std::size_t>(verified));
    return verified;
}

IoResult<std::size_t> FakeSink::readPartial(const FileKey& key, std::uint64_t offset,
                                            std::span<std::uint8_t> out)
{
    const auto it = partials.find(key);
    if (it == partials.end()) return IoError{wire::FileOutcome::WriteFailed, "no partial"};
    const wire::Bytes& data = it->second.data;
    if (offset >= data.size()) return std::size_t{0};
    const std::size_t n = std::min<std::size_t>(out.size(), data.size() - offset);
    std::memcpy(out.data(), data.data() + offset, n);
    return n;
}

IoStatus FakeSink::writeChunk(const FileKey& key, std::uint64_t index, wire::ByteSpan bytes)
{
    const auto it = partials.find(key);
    if (it == partials.end() || !it->second.open)
        return IoError{wire::FileOutcome::WriteFailed, "partial not open"};
    Partial& p = it->second;
    if (index != p.chunkHashes.size()) return IoError{wire::FileOutcome::WriteFailed, "write out of order"};
    if (diskFullAfterBytes && bytesWritten + bytes.size() > *diskFullAfterBytes)
        return IoError{wire::FileOutcome::DiskFull, "no space left on device"};
    p.data.insert(p.data.end(), bytes.begin(), bytes.end());
    p.chunkHashes.push_back(testHash(bytes));
    bytesWritten += bytes.size();
    return Done{};
}

IoResult<std::string> FakeSink::commit(const FileKey& key, const Hash32& hash)
{
    const auto it = partials.find(key);
    if (it == partials.end()) return IoError{wire::FileOutcome::WriteFailed, "no partial"};
    Partial& p = it->second;
    if (syncing.count(key) != 0) return IoError{wire::FileOutcome::WriteFailed, "committed while syncing"};
    if (p.data.size() != p.entry.size) return IoError{wire::FileOutcome::WriteFailed, "partial incomplete"};
    if (testHash(p.data) != hash) return IoError{wire::FileOutcome::HashMismatch, "data on disk differs"};
    if (refuseCommit) return IoError{wire::FileOutcome::WriteFailed, *refuseCommit};
    const std::string name = freeName(p.entry.path);
    committed[name] = std::move(p.data);
    partials.erase(it);
    ++commits;
    return name;
}

void FakeSink::closePartial(const FileKey& key)
{
    abandonedSyncs += syncing.erase(key);
    if (const auto it = partials.find(key); it != partials.end()) it->second.open = false;
}

void FakeSink::discardPartial(const FileKey& key)
{
    abandonedSyncs += syncing.erase(key);
    if (partials.erase(key) != 0) ++discards;
}

bool FakeSink::startSync(const FileKey& key)
{
    if (!syncInBackground) return false;
    const auto it = partials.find(key);
    if (it == partials.end() || !it->second.open || syncing.count(key) != 0) return false;
    syncing.insert(key);
    ++syncsStarted;
    return true;
}

std::size_t FakeSink::openCount() const
{
    return static_cast<std::size_t>(
        std::count_if(partials.begin(), partials.end(), [](const auto& kv) { return kv.second.open; }));
}

} // namespace duet::transfer::test
