#include "duet/storage/SyncWorkers.hpp"

#include <exception>
#include <utility>

namespace duet::storage {

SyncWorkers::SyncWorkers(std::size_t threads, std::size_t capacity)
    : m_wantedThreads(threads == 0 ? 1 : threads), m_capacity(capacity == 0 ? 1 : capacity)
{
}

SyncWorkers::~SyncWorkers()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_queue.clear(); // their owners are going away; nothing waits for these results
    }
    m_wake.notify_all();
    for (std::thread& thread : m_threads)
        thread.join();
}

bool SyncWorkers::submit(std::uint64_t ticket, Job job)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping || m_queue.size() + m_running + m_completed.size() >= m_capacity) return false;
        m_queue.push_back(Queued{ticket, std::move(job)});
    }
    // Started here, on the owner's thread, so a receiver that never commits a file never has threads.
    if (m_threads.size() < m_wantedThreads) {
        try {
            m_threads.emplace_back([this] { run(); });
        } catch (const std::system_error&) {
            // No thread now: the queued job waits for one that exists, or for the next submit to retry.
            if (m_threads.empty()) {
                std::lock_guard lock(m_mutex);
                m_queue.pop_back();
                return false;
            }
        }
    }
    m_wake.notify_one();
    return true;
}

std::vector<SyncWorkers::Completion> SyncWorkers::takeCompleted()
{
    std::lock_guard lock(m_mutex);
    return std::exchange(m_completed, {});
}

std::size_t SyncWorkers::pending() const
{
    std::lock_guard lock(m_mutex);
    return m_queue.size() + m_running + m_completed.size();
}

void SyncWorkers::run()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
        if (m_stopping) return;
        Queued item = std::move(m_queue.front());
        m_queue.pop_front();
        ++m_running;
        lock.unlock();
        Expected<void> result;
        try {
            result = item.job();
        } catch (const std::exception& e) {
            result = StorageError{StorageErrorCode::Io, 0, std::string("disk job failed: ") + e.what()};
        }
        item.job = nullptr; // releases what the job held (a descriptor) before the owner hears of it
        lock.lock();
        --m_running;
        m_completed.push_back(Completion{item.ticket, std::move(result)});
    }
}

} // namespace duet::storage
