#include "duet/net/ChatExport.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <unistd.h>

namespace duet::net {
namespace {

constexpr std::size_t kPage = 1000;
// Bounds the walk: a conversation larger than this many pages is cut (and reported as an error).
constexpr std::size_t kMaxPages = 100'000;

bool writeAll(int fd, const std::string& text)
{
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

void appendMessage(std::string& out, const profile::StoredMessage& message, const std::string& peerName)
{
    out += '[';
    out += formatUtc(message.sentAtMs);
    out += "] ";
    out += message.direction == profile::MessageDirection::Outgoing ? std::string("Me") : peerName;
    out += ": ";
    for (const char c : message.text) {
        out += c;
        if (c == '\n') out += "  ";
    }
    out += '\n';
}

} // namespace

std::string formatUtc(std::int64_t unixMs)
{
    const std::time_t seconds = static_cast<std::time_t>(unixMs / 1000);
    std::tm parts{};
    if (::gmtime_r(&seconds, &parts) == nullptr) return "?";
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &parts);
    return text;
}

std::optional<std::uint64_t> exportConversation(profile::ProfileStore& profile,
                                                const std::string& fingerprint, const std::string& peerName,
                                                const std::string& path, std::string& error)
{
    if (path.empty() || path.front() != '/') {
        error = "the export path must be absolute";
        return std::nullopt;
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        error = "cannot create " + path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    auto abandon = [&](std::string why) -> std::optional<std::uint64_t> {
        ::close(fd);
        ::unlink(path.c_str());
        error = std::move(why);
        return std::nullopt;
    };
    std::uint64_t count = 0;
    try {
        std::string text = "Duet conversation with " + peerName + " (" + fingerprint + ")\n\n";
        std::int64_t after = 0;
        std::size_t pages = 0;
        for (; pages < kMaxPages; ++pages) {
            const std::vector<profile::StoredMessage> page = profile.historyAfter(fingerprint, after, kPage);
            for (const profile::StoredMessage& message : page)
                appendMessage(text, message, peerName);
            count += page.size();
            if (!writeAll(fd, text)) return abandon("cannot write " + path + ": " + std::strerror(errno));
            text.clear();
            if (page.size() < kPage) break;
            after = page.back().rowId;
        }
        if (pages == kMaxPages) return abandon("the conversation is too long to export");
    } catch (const std::exception& e) {
        return abandon(std::string("profile database: ") + e.what());
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        error = "cannot finish " + path + ": " + std::strerror(errno);
        ::unlink(path.c_str());
        return std::nullopt;
    }
    return count;
}

} // namespace duet::net
