// Pure helpers of the one-shot commands: target parsing, the exit code of a batch, progress text.
#include "OneShot.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace duet::app::oneshot {

std::optional<Target> parseTarget(std::string_view text)
{
    Target target;
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        target.host = std::string(text);
    } else {
        const std::string_view portText = text.substr(colon + 1);
        unsigned port = 0;
        const auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
        if (ec != std::errc() || end != portText.data() + portText.size() || port == 0 || port > 65535)
            return std::nullopt;
        target.host = std::string(text.substr(0, colon));
        target.port = static_cast<std::uint16_t>(port);
    }
    // A second colon would be an IPv6 address, which ENet 1.3 cannot reach.
    if (target.host.empty() || target.host.find(':') != std::string::npos) return std::nullopt;
    return target;
}

int exitCodeFor(const BatchResult& result)
{
    auto any = [&result](std::string_view outcome) {
        return std::find(result.failureOutcomes.begin(), result.failureOutcomes.end(), outcome) !=
               result.failureOutcomes.end();
    };
    if (result.finalState == TransferState::Rejected) return kExitRejected;
    // The most specific failure wins: a bad hash or a full disk says more than the cancel that followed.
    if (any("hash_mismatch")) return kExitVerifyFailed;
    if (any("disk_full") || any("write_failed") || any("source_unreadable") || any("source_changed"))
        return kExitFileIo;
    if (result.finalState == TransferState::Cancelled) return kExitCancelled;
    if (any("protocol_violation")) return kExitTransferFailed;
    if (any("cancelled")) return kExitCancelled;
    if (!result.failureOutcomes.empty()) return kExitTransferFailed;
    if (result.finalState != TransferState::Done) return kExitTransferFailed;
    // Done without failures but not every entry arrived: the receiver accepted only some.
    if (result.done < result.entries) return kExitRejected;
    return 0;
}

std::string formatBytes(std::uint64_t bytes)
{
    static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
        value /= 1024.0;
        ++unit;
    }
    char text[32];
    if (unit == 0)
        std::snprintf(text, sizeof text, "%llu B", static_cast<unsigned long long>(bytes));
    else
        std::snprintf(text, sizeof text, "%.1f %s", value, kUnits[unit]);
    return text;
}

std::string formatProgress(std::uint64_t done, std::uint64_t total, std::uint64_t bytesPerSec,
                           std::int64_t etaSeconds)
{
    const unsigned percent =
        total == 0 ? 100u : static_cast<unsigned>(std::min<std::uint64_t>(done, total) * 100 / total);
    std::string text = formatBytes(done) + " / " + formatBytes(total) + "  " + std::to_string(percent) + "%";
    if (bytesPerSec > 0) text += "  " + formatBytes(bytesPerSec) + "/s";
    if (etaSeconds >= 0) text += "  ETA " + std::to_string(etaSeconds) + " s";
    return text;
}

} // namespace duet::app::oneshot
