// The whole-file hash that moves to a worker thread for large files must give exactly the BLAKE2b-256 of
// the bytes, whatever the sizes of the updates, with several files hashed at once, and must survive a
// hasher dropped unfinished (a cancelled transfer) and a factory destroyed before its hashers. Its worker
// runs as batch work, below the threads that wait for the network.
#include "duet/crypto/Hashing.hpp"
#include "duet/net/OffloadedHasher.hpp"

#include <algorithm>
#include <cerrno>
#include <doctest/doctest.h>
#include <filesystem>
#include <sched.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <vector>

using namespace duet;

namespace {

std::vector<std::uint8_t> pattern(std::size_t size, std::uint8_t seed)
{
    std::vector<std::uint8_t> bytes(size);
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<std::uint8_t>(i * 131 + seed + (i >> 12));
    return bytes;
}

transfer::Hash32 hashInPieces(transfer::Hasher& hasher, const std::vector<std::uint8_t>& bytes,
                              std::size_t piece)
{
    for (std::size_t at = 0; at < bytes.size(); at += piece)
        hasher.update(wire::ByteSpan(bytes.data() + at, std::min(piece, bytes.size() - at)));
    return hasher.finish();
}

} // namespace

TEST_CASE("the offloaded hash equals BLAKE2b-256 for small, boundary and large files")
{
    net::OffloadedHashFactory factory;
    const std::size_t inline_ = net::OffloadedHashFactory::kInlineBytes;
    for (const std::size_t size :
         {std::size_t{0}, std::size_t{1}, inline_ - 1, inline_, inline_ + 1, std::size_t{12} << 20}) {
        for (const std::size_t piece : {std::size_t{1000}, std::size_t{256} << 10, std::size_t{5} << 20}) {
            CAPTURE(size);
            CAPTURE(piece);
            const std::vector<std::uint8_t> bytes = pattern(size, static_cast<std::uint8_t>(size));
            const auto hasher = factory.create();
            CHECK(hashInPieces(*hasher, bytes, std::max<std::size_t>(piece, 1)) ==
                  crypto::blake2b256({wire::ByteSpan(bytes.data(), bytes.size())}));
        }
    }
}

TEST_CASE("interleaved files keep their own hashes, and unfinished hashers and an early factory end are safe")
{
    const std::vector<std::uint8_t> a = pattern(9u << 20, 1);
    const std::vector<std::uint8_t> b = pattern(7u << 20, 2);
    std::unique_ptr<transfer::Hasher> first;
    std::unique_ptr<transfer::Hasher> second;
    {
        net::OffloadedHashFactory factory;
        first = factory.create();
        second = factory.create();
        auto abandoned = factory.create();
        const std::vector<std::uint8_t> junk = pattern(3u << 20, 3);
        abandoned->update(junk); // queued work for a hasher that is then dropped
        abandoned.reset();
    } // the factory goes first; the hashers keep the worker
    const std::size_t piece = 256u << 10;
    for (std::size_t at = 0; at < std::max(a.size(), b.size()); at += piece) {
        if (at < a.size()) first->update(wire::ByteSpan(a.data() + at, std::min(piece, a.size() - at)));
        if (at < b.size()) second->update(wire::ByteSpan(b.data() + at, std::min(piece, b.size() - at)));
    }
    CHECK(second->finish() == crypto::blake2b256({wire::ByteSpan(b.data(), b.size())}));
    CHECK(first->finish() == crypto::blake2b256({wire::ByteSpan(a.data(), a.size())}));
}

TEST_CASE("the hash worker runs as batch work, below the threads that wait for the network")
{
    errno = 0;
    const int processNice = ::getpriority(PRIO_PROCESS, 0);
    REQUIRE(errno == 0);
    net::OffloadedHashFactory factory;
    const std::vector<std::uint8_t> bytes = pattern(3u << 20, 4);
    const auto hasher = factory.create();
    hashInPieces(*hasher, bytes, 256u << 10); // past kInlineBytes: the worker has run a job
    int batchThreads = 0;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        const auto tid = static_cast<pid_t>(std::stoi(task.path().filename().string()));
        if (::sched_getscheduler(tid) != SCHED_BATCH) continue;
        ++batchThreads;
        errno = 0;
        CHECK(::getpriority(PRIO_PROCESS, static_cast<id_t>(tid)) == std::min(processNice + 5, 19));
    }
    CHECK(batchThreads == 1);
}
