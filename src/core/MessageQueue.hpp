#pragma once
// Multi-producer queue between threads. Thread-safe; push never blocks for long (one lock, one move).
// Consumers drain everything at once, so a burst costs one lock per side.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace duet {

template <typename T>
class MessageQueue {
public:
    void push(T item)
    {
        {
            std::lock_guard lock(m_mutex);
            m_items.push_back(std::move(item));
        }
        m_ready.notify_one();
    }

    std::vector<T> drain()
    {
        std::vector<T> out;
        std::lock_guard lock(m_mutex);
        out.swap(m_items);
        return out;
    }

    // Blocks until an item is queued or the timeout passes, then drains.
    template <typename Rep, typename Period>
    std::vector<T> waitAndDrain(std::chrono::duration<Rep, Period> timeout)
    {
        std::vector<T> out;
        std::unique_lock lock(m_mutex);
        m_ready.wait_for(lock, timeout, [this] { return !m_items.empty(); });
        out.swap(m_items);
        return out;
    }

    bool empty() const
    {
        std::lock_guard lock(m_mutex);
        return m_items.empty();
    }

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_ready;
    std::vector<T> m_items; // guarded by m_mutex
};

} // namespace duet
