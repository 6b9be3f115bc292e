#pragma once
// Internal to TransferService*.cpp: what the service holds for one peer identity.
#include "duet/core/Clock.hpp"
#include "duet/net/TransferFiles.hpp"
#include "duet/net/TransferService.hpp"
#include "duet/transfer/TransferManager.hpp"

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace duet::net {

struct TransferService::Peer {
    std::string fingerprint;
    PeerId id; // zero while disconnected
    std::optional<crypto::ChunkCipher> sealer;
    std::optional<crypto::ChunkCipher> opener;
    PosixSourceFiles source;
    std::unique_ptr<StorageReceiveSink> sink;
    std::unique_ptr<transfer::TransferManager> manager;
    std::map<std::uint64_t, crypto::NoncePrefix> prefixes; // sending: file id -> prefix of the current stream
    std::map<std::uint64_t, std::string> sentHashes;       // sending: file id -> hex hash from FileDone
    std::map<std::uint64_t, std::string> localPaths;       // sending: file id -> local path (for resume)
    std::map<std::uint64_t, MonoTime> finishedSince;       // finished offers, since when (while connected)
    std::deque<std::unique_ptr<std::uint64_t>> queuedCounters; // one per connection; freed with the service
    std::uint64_t* queued = nullptr;
    int strikes = 0;
    bool dirty = false;
};

} // namespace duet::net
