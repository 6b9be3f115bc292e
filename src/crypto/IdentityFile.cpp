// Identity::loadOrCreate: the on-disk identity file. POSIX calls rather than iostreams, because the file
// must be created exclusively with its final permissions and without following symlinks.
#include "duet/crypto/Hashing.hpp"
#include "duet/crypto/Identity.hpp"
#include "duet/crypto/Internal.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <optional>
#include <stdexcept>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace duet::crypto {
namespace {

using Seed = std::array<std::uint8_t, 32>;

constexpr std::string_view kMagic = "DUETID1\n";
constexpr std::size_t kFileSize = kMagic.size() + std::tuple_size_v<Seed>;

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what, int error = 0)
{
    std::string message = "identity file " + path.string() + ": " + what;
    if (error != 0) message += ": " + std::system_category().message(error);
    throw std::runtime_error(message);
}

class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : m_fd(fd) {}
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor()
    {
        if (m_fd >= 0) ::close(m_fd);
    }
    int get() const { return m_fd; }
    // Closes now so that a failing close (which can report a lost write) is seen.
    int close()
    {
        const int result = ::close(m_fd);
        m_fd = -1;
        return result;
    }

private:
    int m_fd;
};

// Reads until `out` is full or end of file; returns the count, or -1 with errno set.
ssize_t readFully(int fd, std::span<std::uint8_t> out)
{
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    return static_cast<ssize_t>(done);
}

bool writeFully(int fd, ByteSpan data)
{
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// std::nullopt when there is no file yet; throws for anything unreadable or not in the expected format.
std::optional<Seed> readSeed(const std::filesystem::path& path)
{
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT) return std::nullopt;
        fail(path, "cannot open", errno);
    }
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) fail(path, "cannot stat", errno);
    if (!S_ISREG(info.st_mode)) fail(path, "not a regular file");

    // One byte more than expected, to tell an over-long file from a correct one.
    std::array<std::uint8_t, kFileSize + 1> buffer{};
    const ssize_t got = readFully(fd.get(), buffer);
    if (got < 0) fail(path, "cannot read", errno);
    if (static_cast<std::size_t>(got) != kFileSize) {
        detail::wipe(buffer);
        fail(path, "corrupt: expected " + std::to_string(kFileSize) + " bytes, found " +
                       (static_cast<std::size_t>(got) > kFileSize ? "more" : std::to_string(got)));
    }
    if (!std::equal(kMagic.begin(), kMagic.end(), buffer.begin())) {
        detail::wipe(buffer);
        fail(path, "corrupt: not a Duet identity file (bad header)");
    }
    Seed seed{};
    std::copy_n(buffer.begin() + kMagic.size(), seed.size(), seed.begin());
    detail::wipe(buffer);
    return seed;
}

void createDirectories(const std::filesystem::path& dir)
{
    std::error_code ignored;
    if (dir.empty() || std::filesystem::is_directory(dir, ignored)) return;
    if (dir.has_parent_path() && dir.parent_path() != dir) createDirectories(dir.parent_path());
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) fail(dir, "cannot create directory", errno);
}

void syncDirectory(const std::filesystem::path& dir)
{
    // Best effort: the key is already in place, and a failed directory sync only matters after a power loss.
    FileDescriptor fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() >= 0) ::fsync(fd.get());
}

// Writes a new identity file. Returns false if another process created the file first.
bool writeNewFile(const std::filesystem::path& path, const Seed& seed)
{
    std::array<std::uint8_t, 8> suffix{};
    SystemRandom().fill(suffix);
    std::filesystem::path temp = path;
    temp += ".tmp-" + toHex(suffix);

    FileDescriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd.get() < 0) fail(temp, "cannot create", errno);
    std::array<std::uint8_t, kFileSize> content{};
    std::copy(kMagic.begin(), kMagic.end(), content.begin());
    std::copy(seed.begin(), seed.end(), content.begin() + kMagic.size());
    const bool written = writeFully(fd.get(), content) && ::fsync(fd.get()) == 0;
    const int writeError = errno;
    detail::wipe(content);
    if (!written || fd.close() != 0) {
        const int error = written ? errno : writeError;
        ::unlink(temp.c_str());
        fail(temp, "cannot write", error);
    }

    // link() instead of rename(): it never replaces an identity another process created meanwhile.
    int linked = ::link(temp.c_str(), path.c_str());
    int linkError = errno;
    if (linked != 0 && (linkError == EPERM || linkError == ENOTSUP || linkError == EOPNOTSUPP)) {
        // Filesystems without hard links: accept rename's tiny window, since the file was absent just now.
        linked = ::rename(temp.c_str(), path.c_str());
        linkError = errno;
    }
    ::unlink(temp.c_str());
    if (linked != 0) {
        if (linkError == EEXIST) return false;
        fail(path, "cannot create", linkError);
    }
    syncDirectory(path.parent_path());
    return true;
}

} // namespace

Identity Identity::loadOrCreate(const std::filesystem::path& file)
{
    if (!initialize()) throw std::runtime_error("libsodium cannot be initialised");
    if (std::optional<Seed> seed = readSeed(file)) {
        Identity identity = fromSeed(*seed);
        detail::wipe(*seed);
        return identity;
    }
    createDirectories(file.parent_path());
    Seed seed{};
    SystemRandom().fill(seed);
    const bool created = writeNewFile(file, seed);
    if (!created) {
        // Lost a creation race: use the winner's key so every process of this profile agrees.
        std::optional<Seed> existing = readSeed(file);
        if (!existing) fail(file, "disappeared while being created");
        seed = *existing;
        detail::wipe(*existing);
    }
    Identity identity = fromSeed(seed);
    detail::wipe(seed);
    return identity;
}

} // namespace duet::crypto
