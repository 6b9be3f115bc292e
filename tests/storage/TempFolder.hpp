#pragma once
// Test helpers: a private temporary folder removed afterwards, tree snapshots for "nothing changed"
// checks, small file helpers, and running a check as an unprivileged user.
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace duet::storage::test {

class TempFolder {
public:
    TempFolder();
    ~TempFolder();
    TempFolder(const TempFolder&) = delete;
    TempFolder& operator=(const TempFolder&) = delete;
    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

// Every entry under `root` (not following symlinks): relative path -> "file:<content>", "dir",
// "link:<target>" or "other".
std::map<std::string, std::string> snapshot(const std::filesystem::path& root);

void writeFile(const std::filesystem::path& path, const std::string& content);
std::string readFile(const std::filesystem::path& path);
// Names directly inside a folder, sorted.
std::vector<std::string> namesIn(const std::filesystem::path& folder);

// Runs `body` in a forked child and returns its exit status (or 255 + signal when it died by a signal).
// With `unprivileged`, a root process first drops to uid/gid 65534 in the child, so permission checks apply.
int runInChild(const std::function<int()>& body, bool unprivileged);

} // namespace duet::storage::test
