// Fuzzes StreamOpener::open and ChunkCipher::open. Input: mode u8, then
//   mode 0: records (length u16 LE | bytes) opened in turn by one StreamOpener;
//   mode 1: deliveries (record index u8 | body offset u16 LE | xor u8) of a genuine sealed stream;
//   mode 2: transfer id u64 | index u64 | prefix 16 | ciphertext, opened as a chunk;
//   mode 3: transfer id u64 | index u64 | prefix 16 | id xor u64 | index xor u64 | prefix xor u8 | plaintext,
//           sealed, then opened with the xor-ed parameters.
// Invariants: nothing crashes; the stream yields exactly the sealed plaintexts in order, each once and only
// from its unmodified record; a chunk opens only with its own parameters and then yields its plaintext.
#include "duet/crypto/Records.hpp"

#include <algorithm>
#include <cstdlib>

using namespace duet;
using namespace duet::crypto;

namespace {

constexpr std::size_t kMaxRecords = 16;
constexpr Key32 kKey = {7, 7, 7};

void require(bool condition)
{
    if (!condition) std::abort();
}

void openArbitraryRecords(wire::ByteReader& in)
{
    StreamOpener opener(kKey);
    for (std::size_t i = 0; i < kMaxRecords; ++i) {
        std::uint16_t length = 0;
        if (!in.u16(length)) return;
        const ByteSpan rest = in.rest();
        const ByteSpan record = rest.first(std::min<std::size_t>(length, rest.size()));
        in = wire::ByteReader(rest.subspan(record.size()));
        opener.open(record);
    }
}

void deliverGenuineStream(wire::ByteReader& in)
{
    StreamSealer sealer(kKey);
    std::vector<Bytes> plaintexts;
    std::vector<Bytes> records;
    for (std::uint8_t i = 0; i < 6; ++i) {
        plaintexts.push_back(Bytes(i * 3u, i));
        records.push_back(sealer.seal(plaintexts.back()));
    }
    StreamOpener opener(kKey);
    std::size_t next = 0; // index of the record the stream expects
    for (std::size_t i = 0; i < kMaxRecords; ++i) {
        std::uint8_t which = 0;
        std::uint16_t offset = 0;
        std::uint8_t mask = 0;
        if (!in.u8(which) || !in.u16(offset) || !in.u8(mask)) return;
        const std::size_t index = which % records.size();
        Bytes record = records[index];
        record[offset % record.size()] ^= mask;
        const std::optional<Bytes> opened = opener.open(record);
        if (opened) {
            require(index == next && mask == 0 && *opened == plaintexts[index]);
            ++next;
        } else {
            require(index != next || mask != 0);
        }
    }
}

struct ChunkParams {
    std::uint64_t transferId = 0;
    std::uint64_t index = 0;
    NoncePrefix prefix{};
};

bool readParams(wire::ByteReader& in, ChunkParams& p)
{
    return in.u64(p.transferId) && in.u64(p.index) && in.fixed(p.prefix);
}

void openArbitraryChunk(wire::ByteReader& in)
{
    ChunkParams p;
    if (!readParams(in, p)) return;
    ChunkCipher(kKey).open(p.transferId, p.prefix, p.index, in.rest());
}

void openChunkWithOtherParams(wire::ByteReader& in)
{
    ChunkParams p;
    std::uint64_t idMask = 0;
    std::uint64_t indexMask = 0;
    std::uint8_t prefixMask = 0;
    if (!readParams(in, p) || !in.u64(idMask) || !in.u64(indexMask) || !in.u8(prefixMask)) return;
    const ByteSpan plaintext = in.rest();
    const ChunkCipher cipher(kKey);
    const Bytes sealed = cipher.seal(p.transferId, p.prefix, p.index, plaintext);
    NoncePrefix otherPrefix = p.prefix;
    otherPrefix[prefixMask % otherPrefix.size()] ^= prefixMask;
    const std::optional<Bytes> opened =
        cipher.open(p.transferId ^ idMask, otherPrefix, p.index ^ indexMask, sealed);
    const bool same = idMask == 0 && indexMask == 0 && prefixMask == 0;
    require(opened.has_value() == same);
    if (opened) require(std::equal(opened->begin(), opened->end(), plaintext.begin(), plaintext.end()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    wire::ByteReader in(ByteSpan(data, size));
    std::uint8_t mode = 0;
    if (!in.u8(mode)) return 0;
    switch (mode % 4) {
    case 0:
        openArbitraryRecords(in);
        break;
    case 1:
        deliverGenuineStream(in);
        break;
    case 2:
        openArbitraryChunk(in);
        break;
    default:
        openChunkWithOtherParams(in);
        break;
    }
    return 0;
}
