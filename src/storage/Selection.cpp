#include "duet/storage/Selection.hpp"

#include "duet/storage/FolderOps.hpp"
#include "duet/storage/Utf8.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>

namespace duet::storage {

namespace {

struct PendingFolder {
    std::filesystem::path localPath;
    std::string relativePath;
    bool followLink = false; // only a folder the user picked directly
};

class Walker {
public:
    void addPicked(const std::filesystem::path& picked);
    void walk();
    Selection finish();

private:
    void addFound(const std::filesystem::path& localPath, const std::string& relativePath,
                  const struct stat& st, bool isPicked);
    void skip(const std::filesystem::path& localPath, SkipReason reason, std::string message)
    {
        m_skipped.push_back(SkippedItem{localPath, reason, std::move(message)});
    }

    std::vector<SelectedEntry> m_found;
    std::vector<SkippedItem> m_skipped;
    std::vector<PendingFolder> m_pending;
    bool m_complete = true;
};

std::string shown(const std::filesystem::path& path)
{
    return "'" + escapeForDisplay(path.native(), 300) + "'";
}

std::string systemMessage(int err)
{
    return std::generic_category().message(err);
}

// Orders paths component by component, so a folder's contents follow it directly: "a", "a/b", "a b".
bool componentOrderLess(const std::string& a, const std::string& b)
{
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        const int rankX = x == '/' ? -1 : static_cast<unsigned char>(x);
        const int rankY = y == '/' ? -1 : static_cast<unsigned char>(y);
        return rankX < rankY;
    });
}

void Walker::addFound(const std::filesystem::path& localPath, const std::string& relativePath,
                      const struct stat& st, bool isPicked)
{
    if (const ValidationCode code = checkPath(relativePath); code != ValidationCode::Ok) {
        skip(localPath, SkipReason::UnportableName, std::string(describe(code)) + ": " + shown(localPath));
        return;
    }
    if (S_ISLNK(st.st_mode)) {
        skip(localPath, SkipReason::Symlink, "symbolic link not sent: " + shown(localPath));
        return;
    }
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        skip(localPath, SkipReason::SpecialFile, "not a regular file or folder: " + shown(localPath));
        return;
    }
    if (m_found.size() >= kMaxOfferEntries) {
        m_complete = false;
        skip(localPath, SkipReason::LimitReached,
             "more than " + std::to_string(kMaxOfferEntries) + " items; stopped at " + shown(localPath));
        m_pending.clear();
        return;
    }
    SelectedEntry entry;
    entry.relativePath = relativePath;
    entry.kind = S_ISDIR(st.st_mode) ? EntryKind::Directory : EntryKind::File;
    entry.size = entry.kind == EntryKind::File ? static_cast<std::uint64_t>(st.st_size) : 0;
    entry.mtimeSeconds = static_cast<std::int64_t>(st.st_mtim.tv_sec);
    entry.localPath = localPath;
    if (entry.kind == EntryKind::Directory)
        m_pending.push_back(PendingFolder{localPath, relativePath, isPicked});
    m_found.push_back(std::move(entry));
}

void Walker::addPicked(const std::filesystem::path& picked)
{
    if (!m_complete) return;
    std::filesystem::path local = picked;
    if (!local.has_filename() && local.has_parent_path()) local = local.parent_path(); // "dir/" -> "dir"
    const std::string name = local.filename().native();
    if (name.empty() || name == "." || name == "..") {
        skip(picked, SkipReason::UnportableName, "cannot name the picked item " + shown(picked));
        return;
    }
    struct stat st {};
    if (::stat(local.c_str(), &st) != 0) {
        skip(picked, SkipReason::Unreadable, systemMessage(errno) + ": " + shown(picked));
        return;
    }
    addFound(local, name, st, true);
}

void Walker::walk()
{
    while (!m_pending.empty()) {
        const PendingFolder current = std::move(m_pending.back());
        m_pending.pop_back();
        const int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (current.followLink ? 0 : O_NOFOLLOW);
        UniqueFd folder(::open(current.localPath.c_str(), flags));
        if (!folder) {
            skip(current.localPath, SkipReason::Unreadable,
                 "cannot read folder " + shown(current.localPath) + ": " + systemMessage(errno));
            continue;
        }
        auto names = listFolder(folder.get(), current.relativePath);
        if (!names) {
            skip(current.localPath, SkipReason::Unreadable, names.error().message);
            continue;
        }
        for (const std::string& name : *names) {
            if (!m_complete) return;
            const std::filesystem::path childPath = current.localPath / name;
            struct stat st {};
            if (::fstatat(folder.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
                skip(childPath, SkipReason::Unreadable, systemMessage(errno) + ": " + shown(childPath));
                continue;
            }
            addFound(childPath, current.relativePath + "/" + name, st, false);
        }
    }
}

Selection Walker::finish()
{
    std::stable_sort(m_found.begin(), m_found.end(), [](const SelectedEntry& a, const SelectedEntry& b) {
        return componentOrderLess(a.relativePath, b.relativePath);
    });
    Selection selection;
    selection.complete = m_complete;
    selection.skipped = std::move(m_skipped);
    OfferChecker checker;
    std::string skippedFolder; // its contents follow it directly and are dropped without another report
    for (SelectedEntry& entry : m_found) {
        if (!skippedFolder.empty() && entry.relativePath.size() > skippedFolder.size() &&
            entry.relativePath.compare(0, skippedFolder.size(), skippedFolder) == 0 &&
            entry.relativePath[skippedFolder.size()] == '/') {
            continue;
        }
        const ValidationResult result = checker.add(OfferEntry{entry.relativePath, entry.kind, entry.size});
        if (result.ok()) {
            selection.entries.push_back(std::move(entry));
            continue;
        }
        SkipReason reason = SkipReason::NameCollision;
        if (result.code == ValidationCode::SizeTooLarge || result.code == ValidationCode::OfferTooLarge ||
            result.code == ValidationCode::TooManyEntries) {
            reason = SkipReason::LimitReached;
            selection.complete = false;
        }
        selection.skipped.push_back(SkippedItem{entry.localPath, reason, result.reason});
        if (entry.kind == EntryKind::Directory) skippedFolder = entry.relativePath;
    }
    selection.totalBytes = checker.totalBytes();
    return selection;
}

} // namespace

Selection collectSelection(std::span<const std::filesystem::path> picked)
{
    Walker walker;
    for (const auto& item : picked) {
        walker.addPicked(item);
        walker.walk();
    }
    return walker.finish();
}

std::vector<OfferEntry> toOfferEntries(const Selection& selection)
{
    std::vector<OfferEntry> offer;
    offer.reserve(selection.entries.size());
    for (const SelectedEntry& entry : selection.entries) {
        offer.push_back(OfferEntry{entry.relativePath, entry.kind, entry.size});
    }
    return offer;
}

} // namespace duet::storage
