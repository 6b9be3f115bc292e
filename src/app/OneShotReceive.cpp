// `duet receive [--yes] [--port P] [--downloads DIR]`: listen, take one batch (asking on the terminal
// unless --yes), follow it to its end across lost links, and exit with a code that names how it ended.
// A receiver restarted after a crash adopts the unfinished incoming offer it finds in its profile.
#include "CommandLine.hpp"
#include "OneShot.hpp"
#include "OneShotRuntime.hpp"

#include <iostream>
#include <set>

namespace duet::app {
namespace {

using namespace oneshot;
using Clock = Runtime::Clock;

constexpr std::chrono::seconds kCancelGrace{3};
constexpr std::size_t kEntriesShown = 10;

bool isFinal(TransferState state)
{
    return state == TransferState::Done || state == TransferState::Failed ||
           state == TransferState::Cancelled || state == TransferState::Rejected;
}

class Receiver {
public:
    explicit Receiver(const Options& options) : m_options(options) {}

    int run()
    {
        if (!m_runtime.ok()) return kExitInternal;
        net::EngineConfig config;
        config.port = m_options.port;
        config.displayName = m_options.name;
        config.profileDir = m_options.profileDir;
        config.downloadDir = m_options.downloadDir;
        config.acceptIncoming = true;
        config.autoConfirm = m_options.yes; // also accepts every offer without asking
        config.autoReconnect = false;       // the sender redials; we only wait
        config.discovery = m_options.discovery;
        config.discoveryPort = m_options.discoveryPort;
        config.discoveryLoopback = m_options.discoveryLoopback;
        m_runtime.start(std::move(config));
        // Bounded: every turn waits at most a second; the loop ends with the batch, a refusal or Ctrl-C.
        while (!m_exitCode) {
            const Clock::time_point now = Clock::now();
            if (m_runtime.stopRequested()) onStop(now);
            if (m_cancelDeadline && now >= *m_cancelDeadline) m_exitCode = exitCodeFor(cancelledBatch());
            if (m_exitCode) break;
            for (const Event& event : m_runtime.wait(now + std::chrono::seconds(1)))
                std::visit([this](const auto& e) { on(e); }, event);
        }
        return *m_exitCode;
    }

private:
    void onStop(Clock::time_point now)
    {
        if (m_cancelDeadline) return;
        if (!m_batch) {
            m_runtime.say("duet receive: cancelled");
            m_exitCode = kExitCancelled;
            return;
        }
        m_runtime.say("duet receive: cancelling");
        m_runtime.engine().post(command::ControlTransfer{m_batchPeer, *m_batch, 0, TransferAction::Cancel});
        m_cancelDeadline = now + kCancelGrace;
    }

    BatchResult cancelledBatch() const
    {
        BatchResult result = m_result;
        result.finalState = TransferState::Cancelled;
        return result;
    }

    void adopt(PeerId peer, TransferId offer)
    {
        m_batch = offer;
        m_batchPeer = peer;
    }

    template <typename T>
    void on(const T&)
    {
    }
    void on(const event::Listening& e)
    {
        m_listening = true;
        m_runtime.say("duet receive: waiting for a sender on UDP port " + std::to_string(e.port) +
                      " (our fingerprint " + e.fingerprint + ")");
    }
    void on(const event::Error& e)
    {
        if (!m_listening) {
            if (auto code = Runtime::startupExitCode(e.reason)) {
                m_runtime.say("duet receive: " + e.reason);
                m_exitCode = *code;
                return;
            }
        }
        m_runtime.say("duet receive: " + e.reason);
    }
    void on(const event::PeerConnected& e)
    {
        if (e.trust == Trust::Verified || m_options.yes) return;
        m_runtime.ask("\"" + e.name + "\" at " + e.address + " wants to send files.\nVerification code: " +
                          e.code + "\nDoes the sender show the same code? [y/N]",
                      [this, peer = e.peer](bool yes) {
                          if (yes) return m_runtime.engine().post(command::ConfirmPeer{peer});
                          m_runtime.engine().post(command::RejectPeer{peer});
                          m_runtime.say("duet receive: sender refused");
                      });
    }
    void on(const event::PeerDisconnected& e)
    {
        if (m_batch && e.peer == m_batchPeer)
            m_runtime.say("duet receive: link lost (" + e.reason + "); waiting for the sender to come back");
    }
    void on(const event::OfferReceived& e)
    {
        if (m_batch) {
            // One batch per run: later offers are turned away (or cancelled if --yes took them already).
            if (e.autoAccepted)
                m_runtime.engine().post(command::ControlTransfer{e.peer, e.offer, 0, TransferAction::Cancel});
            else
                m_runtime.engine().post(
                    command::RejectOffer{e.peer, e.offer, "the receiver takes one batch"});
            return;
        }
        adopt(e.peer, e.offer);
        std::string listing;
        std::size_t files = 0;
        for (std::size_t i = 0; i < e.entries.size(); ++i) {
            files += e.entries[i].directory ? 0 : 1;
            if (!e.entries[i].directory) m_files.insert(e.entries[i].fileId);
            if (i < kEntriesShown)
                listing += "  " + e.entries[i].path +
                           (e.entries[i].directory ? "/" : "  " + formatBytes(e.entries[i].size)) + "\n";
        }
        m_result.entries = files;
        if (e.entries.size() > kEntriesShown)
            listing += "  ... and " + std::to_string(e.entries.size() - kEntriesShown) + " more\n";
        const std::string summary = std::to_string(files) + " file(s), " +
                                    std::to_string(e.entries.size() - files) + " folder(s), " +
                                    formatBytes(e.totalBytes);
        if (e.autoAccepted) {
            m_runtime.say("duet receive: accepted " + summary + " into " + m_options.downloadDir.string());
            return;
        }
        m_runtime.ask(
            "Offer: " + summary + "\n" + listing + "Accept into " + m_options.downloadDir.string() +
                "? [y/N]",
            [this, peer = e.peer, offer = e.offer](bool yes) {
                if (yes) return m_runtime.engine().post(command::AcceptOffer{peer, offer, {}});
                m_runtime.engine().post(command::RejectOffer{peer, offer, "rejected by the receiver"});
                m_rejectedByUs = true;
            });
    }
    void on(const event::TransferProgress& e)
    {
        // After a restart, the unfinished incoming offer restored from the profile is this run's batch.
        if (!m_batch && !e.outgoing && !isFinal(e.state) && e.state != TransferState::Offered) {
            adopt(e.peer, e.offer);
            m_restored = true;
            m_runtime.say("duet receive: resuming an unfinished batch");
        }
        if (!m_batch || e.offer != *m_batch) return;
        if (e.peer) m_batchPeer = e.peer;
        m_runtime.progress(formatProgress(e.bytesDone, e.totalBytes, e.bytesPerSec, e.etaSeconds));
    }
    void on(const event::TransferFileDone& e)
    {
        // Folders are not always reported; only files count.
        if (m_batch && e.offer == *m_batch && (m_restored || m_files.erase(e.fileId) == 1)) ++m_result.done;
    }
    void on(const event::TransferFileFailed& e)
    {
        if (!m_batch || e.offer != *m_batch) return;
        m_result.failureOutcomes.push_back(e.outcome);
        m_runtime.say("duet receive: failed: file " + std::to_string(e.fileId) + ": " + e.reason);
        // The engine holds such an offer open for the user to repair and resume; a one-shot run has no
        // one to do that, so it ends the batch (exit code 7; its partial data goes with the offer).
        if ((e.outcome == "disk_full" || e.outcome == "write_failed") && !m_cancelDeadline) {
            m_runtime.engine().post(
                command::ControlTransfer{m_batchPeer, *m_batch, 0, TransferAction::Cancel});
            m_cancelDeadline = Clock::now() + kCancelGrace;
        }
    }
    void on(const event::OfferFinished& e)
    {
        if (!m_batch || e.offer != *m_batch) return;
        m_result.finalState = e.state;
        // A restored batch does not know how many entries arrived before the restart.
        if (m_restored) m_result.entries = m_result.done;
        const int code = exitCodeFor(m_result);
        if (code == 0)
            m_runtime.say("duet receive: done, every file verified, in " + m_options.downloadDir.string());
        else
            m_runtime.say("duet receive: ended (" + (e.reason.empty() ? std::string("see above") : e.reason) +
                          "), exit code " + std::to_string(code));
        m_exitCode = m_rejectedByUs ? kExitRejected : code;
    }

    const Options& m_options;
    Runtime m_runtime;
    std::optional<int> m_exitCode;
    bool m_listening = false;
    std::optional<TransferId> m_batch;
    PeerId m_batchPeer;
    bool m_restored = false;
    bool m_rejectedByUs = false;
    std::optional<Clock::time_point> m_cancelDeadline;
    BatchResult m_result;
    std::set<std::uint64_t> m_files; // file ids of the batch not yet reported done
};

} // namespace

int runReceive(const Options& options)
{
    Receiver receiver(options);
    return receiver.run();
}

} // namespace duet::app
