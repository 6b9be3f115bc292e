#pragma once
// Lists one directory on a worker thread so the frame never waits on the file system (a folder with
// 100,000 entries, a slow network mount). The newest request wins: older results are dropped.
// Thread: request()/take()/busy() from the UI thread; the listing runs on the lister's own thread, which
// the destructor stops (it waits for at most the entry being read). Errors arrive as Listing::error.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace duet::ui {

struct DirEntry {
    std::string name;
    bool directory = false;
    bool hidden = false;
    std::uint64_t size = 0;
    std::int64_t modifiedSec = 0; // Unix seconds; 0 when unknown
};

struct Listing {
    std::string path;
    std::vector<DirEntry> entries; // unsorted
    std::string error;             // empty on success
    bool truncated = false;        // more than kMaxEntries; the rest is not shown
};

class DirectoryLister {
public:
    static constexpr std::size_t kMaxEntries = 500'000;

    // `onReady` runs on the worker thread after each result (the app wakes its frame loop with it).
    explicit DirectoryLister(std::function<void()> onReady = {});
    ~DirectoryLister();
    DirectoryLister(const DirectoryLister&) = delete;
    DirectoryLister& operator=(const DirectoryLister&) = delete;

    void request(std::string path);
    // The newest finished listing, once.
    std::optional<Listing> take();
    bool busy() const { return m_busy.load(); }
    bool hasResult() const { return m_hasResult.load(); }

private:
    void run();

    std::function<void()> m_onReady;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::optional<std::string> m_pending; // guarded by m_mutex
    std::optional<Listing> m_result;      // guarded by m_mutex
    std::atomic<std::uint64_t> m_generation{0};
    std::atomic<bool> m_busy{false};
    std::atomic<bool> m_hasResult{false};
    bool m_stop = false; // guarded by m_mutex
    std::thread m_thread;
};

// Reads one directory now (the worker's body; exposed for tests). Stops early when `cancelled` says so.
Listing listDirectory(const std::string& path, const std::function<bool()>& cancelled);

} // namespace duet::ui
