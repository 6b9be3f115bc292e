#include "duet/ui/FileBrowserLister.hpp"

#include <chrono>
#include <filesystem>
#include <system_error>

namespace duet::ui {
namespace fs = std::filesystem;

Listing listDirectory(const std::string& path, const std::function<bool()>& cancelled)
{
    Listing listing;
    listing.path = path;
    std::error_code ec;
    fs::directory_iterator it(fs::path(path), fs::directory_options::skip_permission_denied, ec);
    if (ec) {
        listing.error = ec.message();
        return listing;
    }
    for (const fs::directory_iterator end; it != end; it.increment(ec)) {
        if (ec) {
            listing.error = ec.message();
            break;
        }
        if (listing.entries.size() >= DirectoryLister::kMaxEntries) {
            listing.truncated = true;
            break;
        }
        // Checked every 1,024 entries: cheap, and a newer request never waits long for a huge folder.
        if ((listing.entries.size() & 1023u) == 0 && cancelled && cancelled()) break;
        DirEntry entry;
        entry.name = it->path().filename().string();
        entry.hidden = !entry.name.empty() && entry.name[0] == '.';
        std::error_code statError;
        // Follows symlinks so a link to a folder behaves like a folder; a dangling link is a plain entry.
        const fs::file_status status = it->status(statError);
        entry.directory = !statError && fs::is_directory(status);
        if (!statError && fs::is_regular_file(status)) {
            const std::uintmax_t size = it->file_size(statError);
            if (!statError) entry.size = size;
        }
        const fs::file_time_type written = it->last_write_time(statError);
        if (!statError) {
            const auto system = fs::file_time_type::clock::to_sys(written);
            entry.modifiedSec =
                std::chrono::duration_cast<std::chrono::seconds>(system.time_since_epoch()).count();
        }
        listing.entries.push_back(std::move(entry));
    }
    return listing;
}

DirectoryLister::DirectoryLister(std::function<void()> onReady) : m_onReady(std::move(onReady))
{
    m_thread = std::thread([this] { run(); });
}

DirectoryLister::~DirectoryLister()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    ++m_generation;
    m_wake.notify_all();
    m_thread.join();
}

void DirectoryLister::request(std::string path)
{
    {
        std::lock_guard lock(m_mutex);
        m_pending = std::move(path);
        m_busy = true;
        ++m_generation; // the listing in progress, if any, gives up
    }
    m_wake.notify_all();
}

std::optional<Listing> DirectoryLister::take()
{
    std::lock_guard lock(m_mutex);
    std::optional<Listing> result = std::move(m_result);
    m_result.reset();
    m_hasResult = false;
    return result;
}

void DirectoryLister::run()
{
    for (;;) {
        std::string path;
        std::uint64_t generation = 0;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stop || m_pending.has_value(); });
            if (m_stop) return;
            path = std::move(*m_pending);
            m_pending.reset();
            generation = m_generation.load();
        }
        Listing listing = listDirectory(path, [&] { return m_generation.load() != generation; });
        {
            std::lock_guard lock(m_mutex);
            if (m_stop) return;
            if (m_generation.load() != generation) continue; // superseded: the newer request is pending
            m_result = std::move(listing);
            m_hasResult = true;
            m_busy = m_pending.has_value();
        }
        if (m_onReady) m_onReady();
    }
}

} // namespace duet::ui
