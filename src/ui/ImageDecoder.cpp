#include "duet/ui/ImageDecoder.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <memory>
#include <stb_image.h>
#include <stb_image_resize.h>
#include <utility>

namespace duet::ui {
namespace {

DecodedImage failure(std::string why)
{
    DecodedImage image;
    image.error = std::move(why);
    return image;
}

} // namespace

bool isImageFileName(std::string_view name)
{
    static constexpr std::array<std::string_view, 5> kExtensions = {".png", ".jpg", ".jpeg", ".bmp", ".gif"};
    for (const std::string_view extension : kExtensions) {
        if (name.size() <= extension.size()) continue;
        const std::string_view tail = name.substr(name.size() - extension.size());
        const bool same = std::equal(tail.begin(), tail.end(), extension.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == b;
        });
        if (same) return true;
    }
    return false;
}

void fitWithin(int width, int height, int maxEdge, int& outWidth, int& outHeight)
{
    outWidth = std::max(width, 1);
    outHeight = std::max(height, 1);
    const int longer = std::max(outWidth, outHeight);
    if (maxEdge <= 0 || longer <= maxEdge) return;
    // 64-bit intermediates: the inputs may be as large as the limits allow.
    outWidth = static_cast<int>(std::max<std::int64_t>(1, std::int64_t{outWidth} * maxEdge / longer));
    outHeight = static_cast<int>(std::max<std::int64_t>(1, std::int64_t{outHeight} * maxEdge / longer));
}

DecodedImage decodeImageMemory(std::span<const std::uint8_t> bytes, const ImageLimits& limits)
{
    if (bytes.empty()) return failure("empty file");
    if (bytes.size() > limits.maxFileBytes) return failure("file too large to preview");
    if (bytes.size() > static_cast<std::size_t>(INT32_MAX)) return failure("file too large to preview");
    const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
    const int length = static_cast<int>(bytes.size());

    // The header alone first: a tiny file can declare a gigapixel image (a decompression bomb).
    int width = 0, height = 0, channels = 0;
    if (stbi_info_from_memory(data, length, &width, &height, &channels) == 0)
        return failure("not a picture Duet can show");
    if (width <= 0 || height <= 0 || width > limits.maxDimension || height > limits.maxDimension ||
        static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height) > limits.maxPixels)
        return failure("picture too large to preview (" + std::to_string(width) + " x " +
                       std::to_string(height) + ")");

    int loadedWidth = 0, loadedHeight = 0;
    const std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
        stbi_load_from_memory(data, length, &loadedWidth, &loadedHeight, &channels, 4), stbi_image_free);
    if (!pixels) {
        const char* reason = stbi_failure_reason();
        return failure(std::string("cannot decode the picture: ") + (reason ? reason : "unknown error"));
    }
    if (loadedWidth != width || loadedHeight != height) return failure("picture header and data disagree");

    DecodedImage image;
    image.sourceWidth = width;
    image.sourceHeight = height;
    fitWithin(width, height, limits.maxOutputEdge, image.width, image.height);
    const std::size_t outputBytes = static_cast<std::size_t>(image.width) * image.height * 4;
    if (image.width == width && image.height == height) {
        image.rgba.assign(pixels.get(), pixels.get() + outputBytes);
        return image;
    }
    image.rgba.resize(outputBytes);
    // sRGB-aware filtering with alpha weighting, so edges of transparent pictures do not darken.
    if (stbir_resize_uint8_srgb(pixels.get(), width, height, 0, image.rgba.data(), image.width, image.height,
                                0, 4, 3, 0) == 0)
        return failure("cannot scale the picture");
    return image;
}

DecodedImage decodeImageFile(const std::filesystem::path& path, const ImageLimits& limits)
{
    std::error_code error;
    // Only regular files: a FIFO or device named "x.png" must not block or stream forever.
    if (!std::filesystem::is_regular_file(path, error)) {
        DecodedImage image = failure("not a regular file");
        image.path = path.string();
        return image;
    }
    std::ifstream in(path, std::ios::binary);
    std::vector<std::uint8_t> bytes;
    if (in) {
        // Read at most one byte past the limit: enough to know the file is too large.
        bytes.resize(static_cast<std::size_t>(
            std::min<std::uint64_t>(limits.maxFileBytes + 1, std::filesystem::file_size(path, error) + 1)));
        in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        bytes.resize(static_cast<std::size_t>(in.gcount()));
    }
    DecodedImage image =
        in.bad() || (!in && !in.eof()) ? failure("cannot read the file") : decodeImageMemory(bytes, limits);
    image.path = path.string();
    return image;
}

ImageDecoder::ImageDecoder(ImageLimits limits, std::function<void()> wake, std::size_t maxQueued)
    : m_limits(limits), m_wake(std::move(wake)), m_maxQueued(std::max<std::size_t>(1, maxQueued)),
      m_worker([this] { work(); })
{
}

ImageDecoder::~ImageDecoder()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stop = true;
        m_queue.clear();
    }
    m_wakeWorker.notify_all();
    m_worker.join();
}

bool ImageDecoder::request(std::string path)
{
    {
        const std::lock_guard lock(m_mutex);
        if (m_queue.size() >= m_maxQueued) return false;
        m_queue.push_back(std::move(path));
    }
    m_wakeWorker.notify_one();
    return true;
}

std::vector<DecodedImage> ImageDecoder::takeResults()
{
    const std::lock_guard lock(m_mutex);
    return std::exchange(m_results, {});
}

bool ImageDecoder::resultsWaiting() const
{
    const std::lock_guard lock(m_mutex);
    return !m_results.empty();
}

std::size_t ImageDecoder::busy() const
{
    const std::lock_guard lock(m_mutex);
    return m_queue.size() + (m_decoding ? 1 : 0);
}

void ImageDecoder::work()
{
    std::unique_lock lock(m_mutex);
    while (true) {
        m_wakeWorker.wait(lock, [this] { return m_stop || !m_queue.empty(); });
        if (m_stop) return;
        std::string path = std::move(m_queue.front());
        m_queue.pop_front();
        m_decoding = true;
        lock.unlock();
        DecodedImage image = decodeImageFile(path, m_limits);
        image.path = std::move(path);
        lock.lock();
        m_decoding = false;
        m_results.push_back(std::move(image));
        if (m_wake) {
            lock.unlock();
            m_wake();
            lock.lock();
        }
    }
}

} // namespace duet::ui
