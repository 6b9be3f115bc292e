// `duet send [--yes] [--retry-for SECONDS] HOST[:PORT] PATH...`: connect (retrying), offer once, follow
// the offer to its end across lost links, and exit with a code that names how it ended.
#include "CommandLine.hpp"
#include "OneShot.hpp"
#include "OneShotRuntime.hpp"
#include "duet/wire/Messages.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <set>

namespace duet::app {
namespace {

using namespace oneshot;
using Clock = Runtime::Clock;

// Pauses between connection attempts: quick at first, then every few seconds.
constexpr std::chrono::milliseconds kFirstRetryDelay{500};
constexpr std::chrono::milliseconds kMaxRetryDelay{4000};
// How long a cancelled send waits for the peer to hear about it before exiting.
constexpr std::chrono::seconds kCancelGrace{3};

bool refusedForGood(const event::PeerDisconnected& e)
{
    // Asking again would only repeat these answers. Busy, NotAccepting, a lost link and the rest may
    // change, so they are retried. The code, never the text: texts are for people and may change.
    if (!e.closeCode) return false;
    switch (static_cast<wire::CloseReason>(*e.closeCode)) {
    case wire::CloseReason::UserRejected:
    case wire::CloseReason::KeyMismatch:
    case wire::CloseReason::VersionUnsupported:
        return true;
    default:
        return false;
    }
}

class Sender {
public:
    Sender(const Options& options, Target target, std::vector<std::string> paths)
        : m_options(options), m_target(std::move(target)), m_paths(std::move(paths)),
          m_retryFor(std::chrono::seconds(options.retryForSeconds))
    {
    }

    int run()
    {
        if (!m_runtime.ok()) return kExitInternal;
        net::EngineConfig config;
        config.port = m_options.portGiven ? m_options.port : 0;
        config.displayName = m_options.name;
        config.profileDir = m_options.profileDir;
        config.downloadDir = m_options.downloadDir;
        config.acceptIncoming = false; // this process only dials out
        config.autoConfirm = m_options.yes;
        config.autoReconnect = false; // redialling is ours, bounded by --retry-for
        config.discovery = false;
        m_runtime.start(std::move(config));
        m_retryUntil = Clock::now() + m_retryFor;
        // Bounded by the deadlines below: every turn waits at most a second.
        while (!m_exitCode) {
            const Clock::time_point now = Clock::now();
            if (m_runtime.stopRequested()) onStop(now);
            if (m_listening && !m_dialing && m_nextDial && now >= *m_nextDial) dial(now);
            if (m_dialing && !m_peerConnected && now >= m_retryUntil) giveUp("no answer");
            if (m_cancelDeadline && now >= *m_cancelDeadline) m_exitCode = kExitCancelled;
            if (m_exitCode) break;
            Clock::time_point wake = now + std::chrono::seconds(1);
            if (m_nextDial) wake = std::min(wake, *m_nextDial);
            for (const Event& event : m_runtime.wait(wake))
                std::visit([this](const auto& e) { on(e); }, event);
        }
        return *m_exitCode;
    }

private:
    void dial(Clock::time_point)
    {
        m_nextDial.reset();
        m_dialing = true;
        m_peer = PeerId{};
        m_peerConnected = false;
        m_runtime.engine().post(command::Connect{m_target.host, m_target.port});
    }

    void attemptFailed(const std::string& reason)
    {
        m_dialing = false;
        m_peer = PeerId{};
        m_peerConnected = false;
        const Clock::time_point now = Clock::now();
        if (now >= m_retryUntil) return giveUp(reason);
        m_runtime.progress("waiting for " + address() + " (" + reason + "), retrying", true);
        m_nextDial = now + m_retryDelay;
        m_retryDelay = std::min(m_retryDelay * 2, kMaxRetryDelay);
    }

    void giveUp(const std::string& reason)
    {
        m_runtime.say("duet send: could not reach " + address() + " within " +
                      std::to_string(m_options.retryForSeconds) + " s: " + reason);
        m_exitCode = kExitUnreachable;
    }

    void onStop(Clock::time_point now)
    {
        if (m_cancelDeadline) return;
        if (!m_offer || !m_peer) {
            m_runtime.say("duet send: cancelled");
            m_exitCode = kExitCancelled;
            return;
        }
        m_runtime.say("duet send: cancelling");
        m_runtime.engine().post(command::ControlTransfer{m_peer, *m_offer, 0, TransferAction::Cancel});
        m_cancelDeadline = now + kCancelGrace;
    }

    std::string address() const { return m_target.host + ":" + std::to_string(m_target.port); }

    template <typename T>
    void on(const T&)
    {
    }
    void on(const event::Listening&)
    {
        m_listening = true;
        m_nextDial = Clock::now();
    }
    void on(const event::Error& e)
    {
        if (!m_listening) {
            if (auto code = Runtime::startupExitCode(e.reason)) {
                m_runtime.say("duet send: " + e.reason);
                m_exitCode = *code;
                return;
            }
        }
        // A dial that failed before it started (unknown host) announces no peer.
        if (!e.peer && m_dialing && !m_peer &&
            (e.reason.rfind("cannot resolve", 0) == 0 || e.reason.rfind("cannot connect", 0) == 0))
            return attemptFailed(e.reason);
        if (e.peer == m_peer && e.reason.rfind("send: skipped ", 0) == 0) ++m_skipped;
        if (e.peer == m_peer && e.reason == "send: nothing to send") {
            m_runtime.say("duet send: nothing to send");
            m_exitCode = kExitFileIo;
            return;
        }
        m_runtime.say("duet send: " + e.reason);
    }
    void on(const event::PeerConnecting& e)
    {
        if (e.outgoing && m_dialing && !m_peer) m_peer = e.peer;
    }
    void on(const event::PeerConnected& e)
    {
        if (e.peer != m_peer) return;
        m_peerConnected = true;
        m_peerName = e.name;
        if (e.trust == Trust::Verified || m_options.yes) return;
        m_runtime.ask("Connected to \"" + e.name + "\" at " + e.address + ".\nVerification code: " + e.code +
                          "\nDoes the receiver show the same code? [y/N]",
                      [this, peer = e.peer](bool yes) {
                          if (yes) return m_runtime.engine().post(command::ConfirmPeer{peer});
                          m_runtime.engine().post(command::RejectPeer{peer});
                          m_runtime.say("duet send: code not confirmed");
                          m_exitCode = kExitPeerRefused;
                      });
    }
    void on(const event::PeerKeyChanged& e)
    {
        m_runtime.say("duet send: " + address() + " presented a different key than the one pinned for \"" +
                      e.name + "\" (pinned " + e.pinnedFingerprint + ", now " + e.presentedFingerprint +
                      "); refusing");
        m_exitCode = kExitPeerRefused;
    }
    void on(const event::PeerVerified& e)
    {
        if (e.peer != m_peer) return;
        m_retryDelay = kFirstRetryDelay;
        if (m_offerPosted) {
            m_runtime.say("duet send: reconnected to " + address() + "; resuming");
            return;
        }
        m_offerPosted = true;
        m_runtime.engine().post(command::SendFiles{e.peer, m_paths});
    }
    void on(const event::PeerDisconnected& e)
    {
        if (e.peer != m_peer || !m_dialing) return;
        if (refusedForGood(e)) {
            m_runtime.say("duet send: " + address() + " refused: " + e.reason);
            m_exitCode = kExitPeerRefused;
            return;
        }
        // A lost link gets the whole retry window again, counted from now.
        if (m_peerConnected) {
            m_runtime.say("duet send: link to " + address() + " lost (" + e.reason + "); reconnecting");
            m_retryUntil = Clock::now() + m_retryFor;
        }
        attemptFailed(e.reason);
    }
    void on(const event::OfferSent& e)
    {
        if (e.peer != m_peer || m_offer) return;
        m_offer = e.offer;
        std::size_t files = 0;
        for (const TransferEntry& entry : e.entries) {
            files += entry.directory ? 0 : 1;
            if (!entry.directory) m_files.insert(entry.fileId);
        }
        m_result.entries = files;
        m_runtime.say("duet send: offered " + std::to_string(files) + " file(s), " +
                      std::to_string(e.entries.size() - files) + " folder(s), " + formatBytes(e.totalBytes) +
                      " to \"" + m_peerName + "\"; waiting for the receiver to accept");
    }
    void on(const event::TransferProgress& e)
    {
        if (!m_offer || e.offer != *m_offer) return;
        const char* state = e.state == TransferState::Paused    ? "paused "
                            : e.state == TransferState::Waiting ? "waiting "
                                                                : "";
        m_runtime.progress(std::string(state) +
                           formatProgress(e.bytesDone, e.totalBytes, e.bytesPerSec, e.etaSeconds));
    }
    void on(const event::TransferFileDone& e)
    {
        // Folders are not always reported; only files count.
        if (m_offer && e.offer == *m_offer && m_files.erase(e.fileId) == 1) ++m_result.done;
    }
    void on(const event::TransferFileFailed& e)
    {
        if (!m_offer || e.offer != *m_offer) return;
        m_result.failureOutcomes.push_back(e.outcome);
        m_runtime.say("duet send: failed: file " + std::to_string(e.fileId) + ": " + e.reason);
    }
    void on(const event::OfferFinished& e)
    {
        if (!m_offer || e.offer != *m_offer) return;
        m_result.finalState = e.state;
        int code = exitCodeFor(m_result);
        if (code == 0 && m_skipped > 0) code = kExitFileIo; // part of the selection could not be offered
        m_runtime.say(code == 0
                          ? "duet send: done, every file verified by the receiver"
                          : "duet send: ended (" + std::string(e.reason.empty() ? "see above" : e.reason) +
                                "), exit code " + std::to_string(code));
        m_exitCode = code;
    }

    const Options& m_options;
    Target m_target;
    std::vector<std::string> m_paths;
    std::chrono::seconds m_retryFor;
    Runtime m_runtime;
    std::optional<int> m_exitCode;
    bool m_listening = false;
    bool m_dialing = false;       // an attempt is under way (PeerDisconnected ends it)
    bool m_peerConnected = false; // that attempt got through the handshake
    PeerId m_peer;
    std::string m_peerName;
    std::optional<Clock::time_point> m_nextDial;
    Clock::time_point m_retryUntil{};
    std::chrono::milliseconds m_retryDelay = kFirstRetryDelay;
    bool m_offerPosted = false;
    std::optional<TransferId> m_offer;
    std::optional<Clock::time_point> m_cancelDeadline;
    BatchResult m_result;
    std::set<std::uint64_t> m_files; // file ids of the batch not yet reported done
    std::size_t m_skipped = 0;
};

} // namespace

int runSend(const Options& options)
{
    const std::optional<Target> target = parseTarget(options.target);
    if (!target) {
        std::cerr << "duet send: not HOST[:PORT]: " << options.target << '\n';
        return kExitUsage;
    }
    std::vector<std::string> paths;
    for (const std::filesystem::path& path : options.paths) {
        std::error_code error;
        const std::filesystem::path absolute = std::filesystem::absolute(path, error);
        if (error || !std::filesystem::exists(std::filesystem::symlink_status(absolute, error))) {
            std::cerr << "duet send: cannot find " << path.string() << '\n';
            return kExitFileIo;
        }
        std::filesystem::path normal = absolute.lexically_normal();
        if (!normal.has_filename() && normal.has_parent_path()) normal = normal.parent_path(); // "dir/"
        paths.push_back(normal.string());
    }
    Sender sender(options, *target, std::move(paths));
    return sender.run();
}

} // namespace duet::app
