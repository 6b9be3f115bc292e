#include "GuiFonts.hpp"

#include "imgui.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fontconfig/fontconfig.h>
#include <sys/stat.h>

namespace duet::app {
namespace {

constexpr float kBodyPixels = 16.f;
constexpr float kLargePixels = 28.f;
constexpr float kMonoPixels = 15.f;

// Latin (with extensions), Greek, Cyrillic, punctuation, currency, letter-like symbols, arrows,
// geometric shapes, symbols and dingbats (U+2713 check mark), and U+FFFD for anything missing.
constexpr ImWchar kTextRanges[] = {0x0020, 0x024F, 0x0370, 0x03FF, 0x0400, 0x052F, 0x2000, 0x206F,
                                   0x20A0, 0x20CF, 0x2100, 0x218F, 0x2190, 0x21FF, 0x25A0, 0x25FF,
                                   0x2600, 0x26FF, 0x2700, 0x27BF, 0xFFFD, 0xFFFD, 0};
constexpr ImWchar kLatinRanges[] = {0x0020, 0x00FF, 0x2026, 0x2026, 0xFFFD, 0xFFFD, 0};
// What the window's own text uses (Latin-1, punctuation such as the em dash and ellipsis, the check
// mark): a sixth of kTextRanges' code points, so the start-up atlas is a quarter of the size (512x256).
constexpr ImWchar kFirstFrameRanges[] = {0x0020, 0x00FF, 0x2000, 0x206F, 0x2713, 0x2713, 0xFFFD, 0xFFFD, 0};

FontFile fileOf(FcPattern* font)
{
    FontFile out;
    FcChar8* file = nullptr;
    if (FcPatternGetString(font, FC_FILE, 0, &file) == FcResultMatch && file)
        out.path = reinterpret_cast<const char*>(file);
    int index = 0;
    if (FcPatternGetInteger(font, FC_INDEX, 0, &index) == FcResultMatch) out.index = index;
    return out;
}

// Best match for a fontconfig pattern such as "DejaVu Sans:style=Bold". fontconfig always returns
// something; a different family is accepted (it still has Latin glyphs).
FontFile match(FcConfig* config, const char* name)
{
    FcPattern* pattern = FcNameParse(reinterpret_cast<const FcChar8*>(name));
    if (!pattern) return {};
    FcConfigSubstitute(config, pattern, FcMatchPattern);
    FcDefaultSubstitute(pattern);
    FcResult result = FcResultNoMatch;
    FcPattern* font = FcFontMatch(config, pattern, &result);
    FontFile out;
    if (font) {
        out = fileOf(font);
        FcPatternDestroy(font);
    }
    FcPatternDestroy(pattern);
    return out;
}

// A scalable font that really covers `lang` (fontconfig's language coverage), or nothing.
FontFile findForLanguage(FcConfig* config, const char* lang)
{
    FcPattern* pattern = FcPatternCreate();
    FcLangSet* langs = FcLangSetCreate();
    FcLangSetAdd(langs, reinterpret_cast<const FcChar8*>(lang));
    FcPatternAddLangSet(pattern, FC_LANG, langs);
    FcPatternAddBool(pattern, FC_SCALABLE, FcTrue);
    FcObjectSet* objects = FcObjectSetBuild(FC_FILE, FC_INDEX, nullptr);
    FcFontSet* fonts = FcFontList(config, pattern, objects);
    FontFile out;
    if (fonts && fonts->nfont > 0) out = fileOf(fonts->fonts[0]);
    if (fonts) FcFontSetDestroy(fonts);
    FcObjectSetDestroy(objects);
    FcLangSetDestroy(langs);
    FcPatternDestroy(pattern);
    return out;
}

// Reads a TrueType/OpenType file into memory ImGui can own. Returns nullptr for anything else, because
// ImGui asserts (aborts) on data stb_truetype cannot parse.
void* loadFontData(const FontFile& file, int& size)
{
    if (file.path.empty()) return nullptr;
    // One read straight into the buffer ImGui will own: a font is about a megabyte, and copying it through
    // a growing string cost page faults and copies on the start-up path.
    std::FILE* in = std::fopen(file.path.c_str(), "rb");
    if (!in) return nullptr;
    struct stat info {};
    const bool sized = ::fstat(fileno(in), &info) == 0 && info.st_size > 12 && info.st_size < (1 << 30);
    auto* data = sized ? static_cast<char*>(IM_ALLOC(static_cast<std::size_t>(info.st_size))) : nullptr;
    const auto length = static_cast<std::size_t>(sized ? info.st_size : 0);
    const bool read = data && std::fread(data, 1, length, in) == length;
    std::fclose(in);
    static constexpr const char* kMagics[] = {"\x00\x01\x00\x00", "OTTO", "true", "ttcf"};
    bool known = false;
    for (const char* magic : kMagics)
        known = known || (read && std::memcmp(data, magic, 4) == 0);
    if (!known || (file.index != 0 && std::memcmp(data, "ttcf", 4) != 0)) {
        IM_FREE(data);
        return nullptr;
    }
    size = static_cast<int>(length);
    return data;
}

ImFont* addFont(ImFontAtlas& atlas, const FontFile& file, float pixels, const ImWchar* ranges,
                bool merge = false)
{
    int size = 0;
    void* data = loadFontData(file, size);
    if (!data) return nullptr;
    ImFontConfig config;
    config.FontNo = file.index;
    config.MergeMode = merge;
    // Glyphs are snapped to whole pixels at an integer size, so horizontal oversampling would only make
    // the atlas (and start-up) bigger without sharpening anything.
    config.OversampleH = 1;
    config.PixelSnapH = true;
    std::snprintf(config.Name, sizeof config.Name, "%s", file.path.c_str());
    return atlas.AddFontFromMemoryTTF(data, size, pixels, &config, ranges);
}

bool inRanges(const ImWchar* ranges, unsigned codepoint)
{
    for (const ImWchar* range = ranges; range[0] != 0; range += 2)
        if (codepoint >= range[0] && codepoint <= range[1]) return true;
    return false;
}

ImFont* addDefault(ImFontAtlas& atlas, float pixels)
{
    ImFontConfig config;
    config.SizePixels = std::round(13.f * pixels / kBodyPixels);
    return atlas.AddFontDefault(&config);
}

} // namespace

FontFiles locateFonts()
{
    FontFiles files;
    if (!FcInit()) {
        files.notes.push_back("fontconfig is unusable; using the built-in font");
        return files;
    }
    FcConfig* config = FcConfigGetCurrent();
    files.sans = match(config, "DejaVu Sans:style=Book");
    files.sansBold = match(config, "DejaVu Sans:style=Bold");
    files.mono = match(config, "DejaVu Sans Mono:style=Book");
    files.cjk = findForLanguage(config, "zh-cn");
    if (files.cjk.path.empty()) files.cjk = findForLanguage(config, "ja");
    if (files.cjk.path.empty())
        files.notes.push_back(
            "no Chinese or Japanese font found (install fonts-wqy-microhei to show CJK text)");
    return files;
}

bool inBaseRanges(unsigned codepoint)
{
    return inRanges(kTextRanges, codepoint);
}

bool inFirstFrameRanges(unsigned codepoint)
{
    return inRanges(kFirstFrameRanges, codepoint);
}

std::vector<ImWchar> rangesBeyondFirstFrame(std::string_view text)
{
    ImFontGlyphRangesBuilder used;
    used.AddText(text.data(), text.data() + text.size());
    std::vector<ImWchar> ranges;
    for (unsigned codepoint = 0x80; codepoint <= 0xFFFF; ++codepoint) {
        if (!used.GetBit(codepoint) || inFirstFrameRanges(codepoint)) continue;
        if (!ranges.empty() && ranges.back() == codepoint - 1)
            ranges.back() = static_cast<ImWchar>(codepoint);
        else
            ranges.insert(ranges.end(), {static_cast<ImWchar>(codepoint), static_cast<ImWchar>(codepoint)});
    }
    if (!ranges.empty()) ranges.push_back(0);
    return ranges;
}

ui::UiFonts buildFonts(ImFontAtlas& atlas, const FontFiles& files, float scale, const ImWchar* extraRanges,
                       GlyphSet set)
{
    atlas.Clear();
    ui::UiFonts fonts;
    const float body = std::round(kBodyPixels * scale);
    fonts.body = addFont(atlas, files.sans, body, set == GlyphSet::Full ? kTextRanges : kFirstFrameRanges);
    if (fonts.body && extraRanges && extraRanges[0] != 0) {
        // Merged glyphs never replace earlier ones, so DejaVu's win and the CJK font fills the rest;
        // characters neither has are skipped and draw as the fallback glyph.
        addFont(atlas, files.sans, body, extraRanges, true);
        if (!files.cjk.path.empty()) addFont(atlas, files.cjk, body, extraRanges, true);
    }
    if (!fonts.body) fonts.body = addDefault(atlas, body);
    fonts.large = addFont(atlas, files.sansBold, std::round(kLargePixels * scale), kLatinRanges);
    fonts.mono = addFont(atlas, files.mono, std::round(kMonoPixels * scale), kLatinRanges);
    if (!atlas.Build()) {
        // A font stb_truetype could not read after all: start over with the built-in one only.
        atlas.Clear();
        fonts = ui::UiFonts{};
        fonts.body = addDefault(atlas, body);
        atlas.Build();
    }
    return fonts;
}

PreparedFonts bakeFonts(FontFiles files, float scale, GlyphSet set, std::vector<ImWchar> extraRanges)
{
    const auto started = std::chrono::steady_clock::now();
    PreparedFonts prepared;
    prepared.files = std::move(files);
    prepared.atlas = std::make_unique<ImFontAtlas>();
    prepared.scale = scale;
    prepared.set = set;
    prepared.extraRanges = std::move(extraRanges);
    const ImWchar* extra = prepared.extraRanges.empty() ? nullptr : prepared.extraRanges.data();
    prepared.fonts = buildFonts(*prepared.atlas, prepared.files, scale, extra, set);
    // The RGBA copy the GL backend uploads is made here too, off the main thread.
    unsigned char* pixels = nullptr;
    int width = 0, height = 0;
    prepared.atlas->GetTexDataAsRGBA32(&pixels, &width, &height);
    prepared.milliseconds =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
            .count();
    return prepared;
}

PreparedFonts prepareFonts(float scale, std::future<std::string> firstScreenText)
{
    const auto started = std::chrono::steady_clock::now();
    FontFiles files = locateFonts();
    // fontconfig takes longer than reading the profile, so this rarely waits.
    std::vector<ImWchar> extra;
    try {
        if (firstScreenText.valid()) extra = rangesBeyondFirstFrame(firstScreenText.get());
    } catch (const std::exception&) {
        // The profile could not be read; the start-up reports that, and the names are unknown anyway.
    }
    PreparedFonts prepared = bakeFonts(std::move(files), scale, GlyphSet::FirstFrame, std::move(extra));
    prepared.milliseconds =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
            .count();
    return prepared;
}

} // namespace duet::app
