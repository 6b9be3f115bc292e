#pragma once
// Whole-file BLAKE2b-256 that leaves the net thread once a file is large. The first kInlineBytes of each
// file are hashed at once on the caller's thread, so a small file costs no hand-off; later updates are
// copied to one worker thread shared by the factory's hashers, and finish() waits for that file's
// share. While the worker is more than kMaxQueuedBytes behind, update() waits, bounding memory and the
// final wait. Why: hashing a 256 KiB chunk takes ~0.4 ms, long enough to starve the bulk transport's
// pacing at LAN rates when done on the net thread.
// Thread: create, update and finish on one thread (the net thread); the worker is internal and runs as
// batch work (SCHED_BATCH, five nice levels down) so that latency-bound threads go first on busy CPUs. The
// factory may be destroyed while hashers live (they keep the worker); the worker stops with the last of them.
#include "duet/transfer/Hashing.hpp"

#include <cstdint>
#include <memory>

namespace duet::net {

class OffloadedHashFactory final : public transfer::HashFactory {
public:
    static constexpr std::uint64_t kInlineBytes = 1u << 20;
    static constexpr std::uint64_t kMaxQueuedBytes = 4u << 20;

    OffloadedHashFactory();
    ~OffloadedHashFactory() override;
    std::unique_ptr<transfer::Hasher> create() const override;

    struct Worker;

private:
    std::shared_ptr<Worker> m_worker;
};

} // namespace duet::net
