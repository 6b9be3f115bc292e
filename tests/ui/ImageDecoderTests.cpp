// The picture decoder sees files peers sent: every hostile shape must end in an error, never a crash or
// an unbounded allocation.
#include "duet/ui/ImageDecoder.hpp"

#include <atomic>
#include <chrono>
#include <cstring>
#include <doctest/doctest.h>
#include <fstream>
#include <stb_image_write.h>
#include <thread>
#include <unistd.h>

using namespace duet::ui;

namespace {

using Bytes = std::vector<std::uint8_t>;

void appendTo(void* context, void* data, int size)
{
    auto* out = static_cast<Bytes*>(context);
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    out->insert(out->end(), bytes, bytes + size);
}

// width x height RGBA where pixel (x, y) = (x, y, x + y, 255 - x) (mod 256).
std::vector<std::uint8_t> pattern(int width, int height)
{
    std::vector<std::uint8_t> rgba(static_cast<std::size_t>(width) * height * 4);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            std::uint8_t* p = &rgba[(static_cast<std::size_t>(y) * width + x) * 4];
            p[0] = static_cast<std::uint8_t>(x);
            p[1] = static_cast<std::uint8_t>(y);
            p[2] = static_cast<std::uint8_t>(x + y);
            p[3] = static_cast<std::uint8_t>(255 - x);
        }
    return rgba;
}

Bytes png(int width, int height)
{
    Bytes out;
    const auto rgba = pattern(width, height);
    REQUIRE(stbi_write_png_to_func(appendTo, &out, width, height, 4, rgba.data(), width * 4) != 0);
    return out;
}

// A PNG signature and an IHDR chunk declaring `width` x `height`, with no pixel data at all.
Bytes pngHeaderOnly(std::uint32_t width, std::uint32_t height)
{
    Bytes out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    for (const std::uint32_t value : {width, height})
        for (int shift = 24; shift >= 0; shift -= 8)
            out.push_back(static_cast<std::uint8_t>(value >> shift));
    out.insert(out.end(), {8, 6, 0, 0, 0, 0, 0, 0, 0}); // 8-bit RGBA, no interlace, CRC (unchecked)
    return out;
}

class TempDir {
public:
    TempDir() : m_path(std::filesystem::temp_directory_path() / ("duet-images-" + std::to_string(getpid())))
    {
        std::filesystem::create_directories(m_path);
    }
    ~TempDir() { std::filesystem::remove_all(m_path); }
    std::filesystem::path write(const std::string& name, const Bytes& bytes) const
    {
        const auto path = m_path / name;
        std::ofstream(path, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        return path;
    }
    const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

} // namespace

TEST_CASE("images: picture names are recognised by extension, in any case")
{
    CHECK(isImageFileName("a.png"));
    CHECK(isImageFileName("dir/Photo.JPG"));
    CHECK(isImageFileName("x.jpeg"));
    CHECK(isImageFileName("x.Bmp"));
    CHECK(isImageFileName("anim.gif"));
    CHECK_FALSE(isImageFileName(".png"));
    CHECK_FALSE(isImageFileName("notes.txt"));
    CHECK_FALSE(isImageFileName("png"));
    CHECK_FALSE(isImageFileName("archive.png.zip"));
}

TEST_CASE("images: fitWithin keeps the aspect ratio, never upscales and never returns a zero side")
{
    int w = 0, h = 0;
    fitWithin(2000, 1000, 1024, w, h);
    CHECK((w == 1024 && h == 512));
    fitWithin(100, 50, 1024, w, h);
    CHECK((w == 100 && h == 50));
    fitWithin(16384, 1, 1024, w, h);
    CHECK((w == 1024 && h == 1));
    fitWithin(1, 16384, 64, w, h);
    CHECK((w == 1 && h == 64));
}

TEST_CASE("images: a small PNG decodes to its exact pixels, alpha included")
{
    const DecodedImage image = decodeImageMemory(png(5, 3), ImageLimits{});
    REQUIRE(image.ok());
    CHECK(image.width == 5);
    CHECK(image.height == 3);
    CHECK(image.sourceWidth == 5);
    CHECK(image.rgba == pattern(5, 3));
}

TEST_CASE("images: a large picture is downscaled to the output edge, keeping its source size")
{
    ImageLimits limits;
    limits.maxOutputEdge = 256;
    const DecodedImage image = decodeImageMemory(png(1000, 400), limits);
    REQUIRE(image.ok());
    CHECK(image.width == 256);
    CHECK(image.height == 102);
    CHECK(image.sourceWidth == 1000);
    CHECK(image.sourceHeight == 400);
    CHECK(image.rgba.size() == 256u * 102u * 4u);
}

TEST_CASE("images: JPEG, BMP and the first frame of a GIF decode")
{
    const auto rgb = pattern(16, 8);
    Bytes jpeg, bmp;
    REQUIRE(stbi_write_jpg_to_func(appendTo, &jpeg, 16, 8, 4, rgb.data(), 90) != 0);
    REQUIRE(stbi_write_bmp_to_func(appendTo, &bmp, 16, 8, 4, rgb.data()) != 0);
    for (const Bytes* bytes : {&jpeg, &bmp}) {
        const DecodedImage image = decodeImageMemory(*bytes, ImageLimits{});
        REQUIRE(image.ok());
        CHECK(image.width == 16);
        CHECK(image.height == 8);
    }
    // The well-known 1x1 transparent GIF89a (one frame, a graphic control extension).
    const char* const gifHex = "474946383961010001008000"
                               "00ffffff00000021f90401000000002c00000000010001000002024401003b";
    Bytes gif;
    for (const char* p = gifHex; p[0] && p[1]; p += 2)
        gif.push_back(static_cast<std::uint8_t>(std::stoi(std::string(p, 2), nullptr, 16)));
    const DecodedImage image = decodeImageMemory(gif, ImageLimits{});
    REQUIRE_MESSAGE(image.ok(), image.error);
    CHECK(image.width == 1);
    CHECK(image.height == 1);
    CHECK(image.rgba.size() == 4);
}

TEST_CASE("images: truncated, empty and non-picture data end in an error")
{
    const Bytes whole = png(64, 64);
    for (const std::size_t keep : {std::size_t{8}, std::size_t{33}, whole.size() / 2, whole.size() - 13}) {
        const Bytes cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(keep));
        const DecodedImage image = decodeImageMemory(cut, ImageLimits{});
        CHECK_FALSE(image.ok());
        CHECK(image.rgba.empty());
    }
    CHECK_FALSE(decodeImageMemory({}, ImageLimits{}).ok());
    const std::string text = "#!/bin/sh\necho this is not a picture\n";
    const Bytes script(text.begin(), text.end());
    const DecodedImage image = decodeImageMemory(script, ImageLimits{});
    CHECK_FALSE(image.ok());
    CHECK(image.error.find("not a picture") != std::string::npos);
}

TEST_CASE("images: a header declaring huge dimensions is refused before anything is allocated")
{
    const DecodedImage wide = decodeImageMemory(pngHeaderOnly(100'000, 10), ImageLimits{});
    CHECK_FALSE(wide.ok());
    CHECK(wide.error.find("too large") != std::string::npos);
    // Each side within the limit, the pixel count not (16000 x 16000 = 256 megapixels).
    const DecodedImage bomb = decodeImageMemory(pngHeaderOnly(16'000, 16'000), ImageLimits{});
    CHECK_FALSE(bomb.ok());
    CHECK(bomb.error.find("too large") != std::string::npos);
    // Within every limit but with no data: the decoder reports the damage.
    CHECK_FALSE(decodeImageMemory(pngHeaderOnly(100, 100), ImageLimits{}).ok());
}

TEST_CASE("images: files over the size cap, folders and missing files are refused")
{
    TempDir dir;
    ImageLimits limits;
    limits.maxFileBytes = 100;
    const auto big = dir.write("big.png", png(64, 64));
    REQUIRE(std::filesystem::file_size(big) > 100);
    const DecodedImage tooBig = decodeImageFile(big, limits);
    CHECK_FALSE(tooBig.ok());
    CHECK(tooBig.path == big.string());
    CHECK(decodeImageFile(big, ImageLimits{}).ok());
    CHECK_FALSE(decodeImageFile(dir.path(), ImageLimits{}).ok());
    CHECK_FALSE(decodeImageFile(dir.path() / "missing.png", ImageLimits{}).ok());
}

TEST_CASE("images: the worker decodes requests off the calling thread and wakes the owner per result")
{
    TempDir dir;
    const auto good = dir.write("good.png", png(32, 16));
    const auto bad = dir.write("bad.png", Bytes{'n', 'o', 'p', 'e'});
    std::atomic<int> wakes{0};
    ImageDecoder decoder(ImageLimits{}, [&] { ++wakes; });
    REQUIRE(decoder.request(good.string()));
    REQUIRE(decoder.request(bad.string()));
    REQUIRE(decoder.request((dir.path() / "missing.png").string()));

    std::vector<DecodedImage> results;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (results.size() < 3 && std::chrono::steady_clock::now() < deadline) {
        for (DecodedImage& image : decoder.takeResults())
            results.push_back(std::move(image));
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    REQUIRE(results.size() == 3);
    CHECK(results[0].path == good.string());
    CHECK(results[0].ok());
    CHECK(results[0].width == 32);
    CHECK_FALSE(results[1].ok());
    CHECK_FALSE(results[2].ok());
    CHECK(wakes.load() == 3);
    CHECK(decoder.busy() == 0);
}

TEST_CASE("images: the worker's queue is bounded and refuses work when full")
{
    TempDir dir;
    const auto slow = dir.write("slow.png", png(1500, 1500)); // tens of milliseconds to decode
    ImageDecoder decoder(ImageLimits{}, {}, 1);
    int refused = 0;
    for (int i = 0; i < 5; ++i)
        if (!decoder.request(slow.string())) ++refused;
    CHECK(refused >= 3); // at most one decoding and one waiting
    CHECK(decoder.busy() <= 2);
    // Destroying it with work queued returns promptly (the decode in progress finishes first).
}
