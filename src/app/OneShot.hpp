#pragma once
// The one-shot commands, like croc's: `duet send HOST[:PORT] PATH...` connects (retrying for a while),
// offers the selection once, shows progress on stderr, reconnects and resumes after a lost link, and
// exits when the offer is over; `duet receive` listens, takes one batch and exits when it is over.
// Questions (verification code, accept?) are asked on the terminal unless --yes answers them.
// Thread: run*() owns the main thread; the engine runs on its own. The helpers below are pure.
#include "Options.hpp"
#include "duet/core/EngineApi.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace duet::app {

// Exit codes of `duet send` and `duet receive` besides 0 and the CommandLine.hpp ones (64 usage,
// 69 cannot listen, 70 internal, 74 profile unusable). The README lists them.
inline constexpr int kExitRejected = 3;     // the receiver declined the offer or some of its files
inline constexpr int kExitVerifyFailed = 4; // a file's whole-file hash did not match
inline constexpr int kExitUnreachable = 5;  // no connection within --retry-for, or the link never came back
inline constexpr int kExitCancelled = 6;    // cancelled on either side (Ctrl-C included)
inline constexpr int kExitFileIo = 7; // reading or writing a file failed (disk full, unreadable, changed)
inline constexpr int kExitPeerRefused =
    8; // the peer refused us, its key changed, or the code was not confirmed
inline constexpr int kExitTransferFailed = 9; // the peer broke the transfer protocol, or another failure

int runSend(const Options& options);
int runReceive(const Options& options);

namespace oneshot {

struct Target {
    std::string host;
    std::uint16_t port = kDefaultPort;
};
// "HOST" or "HOST:PORT" (port 1..65535); nullopt when malformed.
std::optional<Target> parseTarget(std::string_view text);

// What one side saw of its batch, to choose the exit code.
struct BatchResult {
    TransferState finalState = TransferState::Failed;
    std::size_t entries = 0;                  // files in the offer (folders do not count)
    std::size_t done = 0;                     // files reported done (verified)
    std::vector<std::string> failureOutcomes; // TransferFileFailed::outcome of each failed entry
};
int exitCodeFor(const BatchResult& result);

// "12.3 MiB / 100.0 MiB  12%  45.6 MiB/s  ETA 2 s" (speed and ETA left out when unknown).
std::string formatProgress(std::uint64_t done, std::uint64_t total, std::uint64_t bytesPerSec,
                           std::int64_t etaSeconds);
std::string formatBytes(std::uint64_t bytes);

} // namespace oneshot
} // namespace duet::app
