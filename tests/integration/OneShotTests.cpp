// The pure parts of `duet send` / `duet receive`: targets, exit codes, progress text, and the command line.
#include "CommandLine.hpp"
#include "OneShot.hpp"

#include <doctest/doctest.h>
#include <sstream>

using namespace duet;
using namespace duet::app;
using oneshot::BatchResult;

TEST_CASE("oneshot: targets are HOST or HOST:PORT")
{
    auto plain = oneshot::parseTarget("example.org");
    REQUIRE(plain);
    CHECK(plain->host == "example.org");
    CHECK(plain->port == kDefaultPort);
    auto withPort = oneshot::parseTarget("127.0.0.1:4000");
    REQUIRE(withPort);
    CHECK(withPort->host == "127.0.0.1");
    CHECK(withPort->port == 4000);
    CHECK_FALSE(oneshot::parseTarget(""));
    CHECK_FALSE(oneshot::parseTarget(":4000"));
    CHECK_FALSE(oneshot::parseTarget("host:0"));
    CHECK_FALSE(oneshot::parseTarget("host:65536"));
    CHECK_FALSE(oneshot::parseTarget("host:12x"));
    CHECK_FALSE(oneshot::parseTarget("::1:4000"));
}

TEST_CASE("oneshot: every ending has its own exit code")
{
    BatchResult ok{TransferState::Done, 3, 3, {}};
    CHECK(oneshot::exitCodeFor(ok) == 0);
    CHECK(oneshot::exitCodeFor({TransferState::Rejected, 3, 0, {}}) == kExitRejected);
    CHECK(oneshot::exitCodeFor({TransferState::Done, 3, 2, {}}) == kExitRejected); // accepted only some
    CHECK(oneshot::exitCodeFor({TransferState::Cancelled, 3, 1, {}}) == kExitCancelled);
    CHECK(oneshot::exitCodeFor({TransferState::Done, 3, 2, {"hash_mismatch"}}) == kExitVerifyFailed);
    CHECK(oneshot::exitCodeFor({TransferState::Done, 3, 2, {"disk_full"}}) == kExitFileIo);
    CHECK(oneshot::exitCodeFor({TransferState::Done, 3, 2, {"source_changed"}}) == kExitFileIo);
    CHECK(oneshot::exitCodeFor({TransferState::Done, 3, 2, {"cancelled"}}) == kExitCancelled);
    CHECK(oneshot::exitCodeFor({TransferState::Failed, 3, 0, {"protocol_violation"}}) == kExitTransferFailed);
    CHECK(oneshot::exitCodeFor({TransferState::Failed, 3, 0, {}}) == kExitTransferFailed);
    // The most telling failure wins over a cancel that followed it.
    CHECK(oneshot::exitCodeFor({TransferState::Done, 3, 1, {"cancelled", "hash_mismatch"}}) ==
          kExitVerifyFailed);
    // A receiver that could not write ends its batch with a cancel: the cause is what the code says.
    CHECK(oneshot::exitCodeFor({TransferState::Cancelled, 3, 1, {"write_failed"}}) == kExitFileIo);
    CHECK(oneshot::exitCodeFor({TransferState::Cancelled, 3, 1, {"disk_full", "cancelled"}}) == kExitFileIo);
    const int codes[] = {kExitRejected,     kExitVerifyFailed, kExitUnreachable,    kExitCancelled,
                         kExitFileIo,       kExitPeerRefused,  kExitTransferFailed, kExitUsage,
                         kExitCannotListen, kExitInternal,     kExitProfileUnusable};
    for (std::size_t i = 0; i < std::size(codes); ++i)
        for (std::size_t j = i + 1; j < std::size(codes); ++j)
            CHECK(codes[i] != codes[j]);
}

TEST_CASE("oneshot: progress text")
{
    CHECK(oneshot::formatBytes(512) == "512 B");
    CHECK(oneshot::formatBytes(1536) == "1.5 KiB");
    CHECK(oneshot::formatProgress(5u << 20, 10u << 20, 1u << 20, 5) ==
          "5.0 MiB / 10.0 MiB  50%  1.0 MiB/s  ETA 5 s");
    CHECK(oneshot::formatProgress(0, 0, 0, -1) == "0 B / 0 B  100%");
}

TEST_CASE("oneshot: the command line selects send and receive")
{
    std::ostringstream out;
    std::ostringstream err;
    {
        Options options;
        const char* argv[] = {"duet", "send", "--yes", "--retry-for", "7", "host:9", "a", "b"};
        const CommandLineResult result = parseCommandLine(8, argv, options, out, err);
        REQUIRE(result.run);
        CHECK(options.mode == Mode::Send);
        CHECK(options.yes);
        CHECK(options.retryForSeconds == 7);
        CHECK(options.target == "host:9");
        REQUIRE(options.paths.size() == 2);
        CHECK(options.paths[1] == "b");
    }
    {
        Options options;
        const char* argv[] = {"duet", "receive", "--yes", "--port", "4100", "--downloads", "/tmp/x"};
        const CommandLineResult result = parseCommandLine(7, argv, options, out, err);
        REQUIRE(result.run);
        CHECK(options.mode == Mode::Receive);
        CHECK(options.port == 4100);
        CHECK(options.downloadDir == "/tmp/x");
    }
    {
        Options options;
        const char* argv[] = {"duet", "send", "host-only"};
        CHECK(parseCommandLine(3, argv, options, out, err).exitCode == kExitUsage);
    }
    {
        Options options;
        const char* argv[] = {"duet", "--headless", "receive"};
        CHECK(parseCommandLine(3, argv, options, out, err).exitCode == kExitUsage);
    }
}
