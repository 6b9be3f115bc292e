#pragma once
// A few threads that run slow, blocking disk jobs (a received file's fsync) away from the net thread.
// On ext4 fsyncs issued at the same time share one journal commit, so several in flight finish about as
// fast as one; run one after another on the net thread they made small files arrive one per fsync.
//
// Contract: submit() and takeCompleted() from one owner thread; jobs run on the workers, in any order and
// concurrently, so a job may only touch what it owns (e.g. a descriptor kept alive by its capture).
// At most `capacity` jobs are pending (queued, running, or finished and not yet taken): submit() refuses
// more. The threads start with the first job. The destructor drops queued jobs, waits for running ones
// and joins every thread. Nothing throws out of a job: an exception becomes an error completion.
#include "duet/storage/StorageError.hpp"

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace duet::storage {

class SyncWorkers {
public:
    using Job = std::function<Expected<void>()>;
    struct Completion {
        std::uint64_t ticket = 0;
        Expected<void> result;
    };

    SyncWorkers(std::size_t threads, std::size_t capacity);
    ~SyncWorkers();
    SyncWorkers(const SyncWorkers&) = delete;
    SyncWorkers& operator=(const SyncWorkers&) = delete;

    // Queues `job` under `ticket` (the caller's id for it). False, and nothing queued, when full.
    bool submit(std::uint64_t ticket, Job job);
    // Jobs finished since the last call, in the order they finished.
    std::vector<Completion> takeCompleted();
    // Jobs submitted whose completion has not been taken yet.
    std::size_t pending() const;
    std::size_t threadCount() const { return m_threads.size(); }
    std::size_t capacity() const { return m_capacity; }

private:
    struct Queued {
        std::uint64_t ticket = 0;
        Job job;
    };
    void run();

    const std::size_t m_wantedThreads;
    const std::size_t m_capacity;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Queued> m_queue;
    std::vector<Completion> m_completed;
    std::size_t m_running = 0;
    bool m_stopping = false;
    std::vector<std::thread> m_threads; // last: joined before the queues above are destroyed
};

} // namespace duet::storage
