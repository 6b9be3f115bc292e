#pragma once
// Pictures of earlier runs: transfer rows live only as long as the process (and "Clear finished" drops
// them), so every picture that finishes is also remembered with its conversation's fingerprint. The front
// end keeps them in the profile (one setting per picture, encoded here) and lists, at start, the ones whose
// file is still on disk; updateChatImages (ChatImages.hpp) merges them into the conversation.
// Pure: no I/O. Thread: UI thread.
#include "duet/ui/ChatImages.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace duet::ui {

struct RememberedPicture {
    std::string fingerprint; // the conversation (the peer's identity)
    ChatImage image;
    bool operator==(const RememberedPicture&) const = default;
};

struct RememberedPictures {
    std::vector<RememberedPicture> pictures;
    std::uint64_t revision = 0; // bumps on every change, so views rebuild
    void add(RememberedPicture picture);
};

// Setting key and value of one picture; the value holds every field as length-prefixed text, so any
// byte in a path survives.
inline constexpr std::string_view kPictureKeyPrefix = "gui.picture.";
std::string pictureKey(const RememberedPicture& picture);
std::string encodePicture(const RememberedPicture& picture);
// Nullopt for anything malformed (a damaged or foreign value is skipped, never trusted).
std::optional<RememberedPicture> decodePicture(std::string_view value);

// At start: the stored records (key, value) become the pictures to show, the newest `limit` whose file
// still exists (`fileExists`), oldest first; `forgotten` lists the keys of the rest (malformed, file gone,
// or too old), which the caller deletes so the records stay bounded.
struct PictureSelection {
    RememberedPictures remembered;
    std::vector<std::string> forgotten;
};
PictureSelection selectRememberedPictures(std::vector<std::pair<std::string, std::string>> records,
                                          std::size_t limit,
                                          const std::function<bool(const std::string&)>& fileExists);

// The remembered picture for a file that just finished, when it is an image exchanged with a known
// identity (`fingerprint` not empty) and its row and file are in `transfers`.
std::optional<RememberedPicture> pictureForFinishedFile(const state::TransferList& transfers,
                                                        const std::string& fingerprint, TransferId offer,
                                                        std::uint64_t fileId);

} // namespace duet::ui
