#pragma once
// Decodes picture files (PNG, JPEG, BMP, the first frame of a GIF) into downscaled RGBA pixels for
// thumbnails and previews. Files come from peers, so every decode is bounded: the file size, the
// declared dimensions and the pixel count are checked before stb_image allocates anything.
// decodeImage* are pure functions (any thread). ImageDecoder runs them on one worker thread, so at most
// one decode is in flight; its queue is bounded and request() refuses work when it is full.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace duet::ui {

struct ImageLimits {
    std::uint64_t maxFileBytes = 64ull << 20; // read no more than this from disk
    int maxDimension = 16384;                 // per side, as the header declares it
    std::uint64_t maxPixels = 40'000'000;     // width * height before downscaling (160 MB of RGBA)
    int maxOutputEdge = 1024;                 // the longer side after downscaling
};

struct DecodedImage {
    std::string path; // the request's path (empty for in-memory decodes)
    int width = 0;    // of `rgba`, after downscaling
    int height = 0;
    int sourceWidth = 0; // as stored in the file
    int sourceHeight = 0;
    std::vector<std::uint8_t> rgba; // width * height * 4 bytes, straight alpha, top row first
    std::string error;              // non-empty when nothing could be decoded

    bool ok() const { return error.empty(); }
};

// True for names ending in .png, .jpg, .jpeg, .bmp or .gif (any case): the files shown as pictures.
bool isImageFileName(std::string_view name);

// Output size that fits `width` x `height` inside `maxEdge` keeping the aspect ratio (never upscales,
// never returns a zero side).
void fitWithin(int width, int height, int maxEdge, int& outWidth, int& outHeight);

DecodedImage decodeImageMemory(std::span<const std::uint8_t> bytes, const ImageLimits& limits);
DecodedImage decodeImageFile(const std::filesystem::path& path, const ImageLimits& limits);

class ImageDecoder {
public:
    // `wake` is called from the worker after each result (e.g. to wake the UI's event loop); it may be
    // empty. `maxQueued` bounds requests waiting for the worker.
    explicit ImageDecoder(ImageLimits limits, std::function<void()> wake = {}, std::size_t maxQueued = 32);
    ~ImageDecoder(); // stops after the decode in progress; queued requests are dropped
    ImageDecoder(const ImageDecoder&) = delete;
    ImageDecoder& operator=(const ImageDecoder&) = delete;

    // Queues `path` for decoding. False when the queue is full (ask again later).
    bool request(std::string path);
    // Results finished since the last call, in completion order. Thread: the owner's thread.
    std::vector<DecodedImage> takeResults();
    bool resultsWaiting() const;
    // Requests queued or being decoded.
    std::size_t busy() const;

private:
    void work();

    const ImageLimits m_limits;
    const std::function<void()> m_wake;
    const std::size_t m_maxQueued;
    mutable std::mutex m_mutex;
    std::condition_variable m_wakeWorker;
    std::deque<std::string> m_queue;
    std::vector<DecodedImage> m_results;
    bool m_decoding = false;
    bool m_stop = false;
    std::thread m_worker; // last: starts after every other member exists
};

} // namespace duet::ui
