#include "duet/ui/RememberedPictures.hpp"

#include "duet/ui/ImageDecoder.hpp"

#include <algorithm>
#include <charconv>

namespace duet::ui {
namespace {

constexpr std::string_view kVersion = "1";
constexpr std::size_t kMaxField = 8192; // a path or a name; longer means damage

void putField(std::string& out, std::string_view field)
{
    out += std::to_string(field.size());
    out += ':';
    out += field;
}

// Reads "<length>:<bytes>" from the front of `in`.
std::optional<std::string_view> takeField(std::string_view& in)
{
    const std::size_t colon = in.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 5) return std::nullopt;
    std::size_t length = 0;
    const auto [end, error] = std::from_chars(in.data(), in.data() + colon, length);
    if (error != std::errc{} || end != in.data() + colon || length > kMaxField ||
        length > in.size() - colon - 1)
        return std::nullopt;
    const std::string_view field = in.substr(colon + 1, length);
    in.remove_prefix(colon + 1 + length);
    return field;
}

template <typename Number>
bool parseNumber(std::string_view text, Number& out)
{
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc{} && end == text.data() + text.size() && !text.empty();
}

std::string baseName(std::string_view path)
{
    const std::size_t slash = path.find_last_of('/');
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

} // namespace

void RememberedPictures::add(RememberedPicture picture)
{
    const auto same = std::find_if(pictures.begin(), pictures.end(), [&](const RememberedPicture& known) {
        return known.image.offer == picture.image.offer && known.image.fileId == picture.image.fileId;
    });
    if (same != pictures.end())
        *same = std::move(picture);
    else
        pictures.push_back(std::move(picture));
    ++revision;
}

std::string pictureKey(const RememberedPicture& picture)
{
    return std::string(kPictureKeyPrefix) + picture.fingerprint + "." +
           std::to_string(picture.image.offer.value) + "." + std::to_string(picture.image.fileId);
}

std::string encodePicture(const RememberedPicture& picture)
{
    std::string out;
    putField(out, kVersion);
    putField(out, picture.fingerprint);
    putField(out, std::to_string(picture.image.offer.value));
    putField(out, std::to_string(picture.image.fileId));
    putField(out, picture.image.outgoing ? "1" : "0");
    putField(out, std::to_string(picture.image.timeMs));
    putField(out, picture.image.name);
    putField(out, picture.image.localPath);
    return out;
}

std::optional<RememberedPicture> decodePicture(std::string_view value)
{
    std::string_view fields[8];
    for (std::string_view& field : fields) {
        const auto taken = takeField(value);
        if (!taken) return std::nullopt;
        field = *taken;
    }
    if (!value.empty() || fields[0] != kVersion) return std::nullopt;
    RememberedPicture picture;
    picture.fingerprint = std::string(fields[1]);
    if (!parseNumber(fields[2], picture.image.offer.value) || !parseNumber(fields[3], picture.image.fileId) ||
        !parseNumber(fields[5], picture.image.timeMs))
        return std::nullopt;
    if (fields[4] != "0" && fields[4] != "1") return std::nullopt;
    picture.image.outgoing = fields[4] == "1";
    picture.image.name = std::string(fields[6]);
    picture.image.localPath = std::string(fields[7]);
    // Only absolute paths to picture files: a damaged value never points the decoder anywhere else.
    if (picture.fingerprint.empty() || picture.image.localPath.empty() || picture.image.localPath[0] != '/' ||
        !isImageFileName(picture.image.localPath))
        return std::nullopt;
    return picture;
}

std::optional<RememberedPicture> pictureForFinishedFile(const state::TransferList& transfers,
                                                        const std::string& fingerprint, TransferId offer,
                                                        std::uint64_t fileId)
{
    const state::TransferRow* row = transfers.find(offer);
    if (!row || fingerprint.empty()) return std::nullopt;
    const int index = row->fileIndex(fileId);
    if (index < 0) return std::nullopt;
    const state::TransferFile& file = row->files[static_cast<std::size_t>(index)];
    if (file.directory || file.status != state::FileStatus::Done || file.localPath.empty() ||
        !isImageFileName(file.localPath))
        return std::nullopt;
    return RememberedPicture{fingerprint, ChatImage{offer, fileId, row->outgoing, file.localPath,
                                                    baseName(file.path), file.doneMs}};
}

PictureSelection selectRememberedPictures(std::vector<std::pair<std::string, std::string>> records,
                                          std::size_t limit,
                                          const std::function<bool(const std::string&)>& fileExists)
{
    PictureSelection selection;
    std::vector<std::pair<std::string, RememberedPicture>> usable;
    for (auto& [key, value] : records) {
        std::optional<RememberedPicture> picture = decodePicture(value);
        if (picture && fileExists(picture->image.localPath))
            usable.emplace_back(std::move(key), std::move(*picture));
        else
            selection.forgotten.push_back(std::move(key));
    }
    std::stable_sort(usable.begin(), usable.end(), [](const auto& a, const auto& b) {
        return a.second.image.timeMs < b.second.image.timeMs;
    });
    const std::size_t dropped = usable.size() > limit ? usable.size() - limit : 0;
    for (std::size_t rank = 0; rank < usable.size(); ++rank) {
        if (rank < dropped)
            selection.forgotten.push_back(std::move(usable[rank].first));
        else
            selection.remembered.pictures.push_back(std::move(usable[rank].second));
    }
    selection.remembered.revision = 1;
    return selection;
}

} // namespace duet::ui
