"""The download folder becomes read-only in the middle of a 256 MiB transfer (issue 4).

The receiving `duet --headless` runs as the user nobody (setpriv), since root ignores file modes; its
profile and download folder belong to nobody. The sender pauses early (10 %: on loopback the whole file
takes well under a second, and a pause sent later can arrive after the end), the test makes the download
folder and every folder of its partial area read-only (0555) and the sender resumes. The receiver must fail
the file with a reason that names the permission problem, put nothing under the final name, keep running
(chat still works) and hold the offer open, paused, on both sides. After the mode is restored, `resume` on
the receiver finishes the same offer from its verified partial (re-sent bytes at most 1 % of the file) and
the file arrives with the right hash.
One-shot `duet receive` into a read-only folder (and the `duet send` talking to it) ends with exit code 7
and the reason instead of waiting for a repair nobody will make.
Skipped (77) unless run as root with setpriv and the user nobody available.
"""

import os
import pwd
import shutil
import stat
import subprocess
import time

import duet_harness as h

MIB = 1024 * 1024
SIZE = 256 * MIB
READ_ONLY = stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH


def as_nobody_wrapper(duet, workdir):
    """An executable that runs duet as nobody:nogroup without supplementary groups."""
    wrapper = os.path.join(workdir, "duet-as-nobody")
    with open(wrapper, "w") as f:
        f.write('#!/bin/sh\nexec setpriv --reuid=nobody --regid=nogroup --clear-groups "%s" "$@"\n' % duet)
    os.chmod(wrapper, 0o755)
    return wrapper


def set_mode(downloads, mode):
    """The download folder and every folder of its partial area (the open partial file stays writable:
    modes are checked when a file is opened)."""
    folders = [downloads]
    for folder, dirs, _ in os.walk(os.path.join(downloads, ".duet-partial")):
        folders += [os.path.join(folder, d) for d in dirs]
        folders.append(folder)
    for path in folders:
        if os.path.isdir(path):
            os.chmod(path, mode)


def progress_at_least(offer, fraction):
    return lambda e: e["offer"] == offer and e["total"] > 0 and e["bytes"] >= e["total"] * fraction


def oneshot_into_read_only(wrapper, duet, workdir, home, nobody, source):
    downloads = os.path.join(home, "downloads-oneshot")
    os.makedirs(downloads)
    os.chown(downloads, nobody.pw_uid, nobody.pw_gid)
    os.chmod(downloads, READ_ONLY)
    port = 47000 + os.getpid() % 1000
    receiver = subprocess.Popen([wrapper, "receive", "--yes", "--no-discovery", "--port", str(port),
                                 "--profile", os.path.join(home, "profile-oneshot"), "--downloads", downloads],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    sender = subprocess.Popen([duet, "send", "--yes", "--no-discovery", "--retry-for", "20",
                               "--profile", os.path.join(workdir, "profile-oneshot-sender"),
                               "127.0.0.1:%d" % port, source],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        sent = sender.communicate(timeout=60)[0].decode("utf-8", "replace")
        received = receiver.communicate(timeout=30)[0].decode("utf-8", "replace")
    finally:
        for proc in (sender, receiver):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    print("one-shot: send exit %d, receive exit %d" % (sender.returncode, receiver.returncode))
    h.check(receiver.returncode == 7, "duet receive exit %d:\n%s" % (receiver.returncode, received))
    h.check(sender.returncode == 7, "duet send exit %d:\n%s" % (sender.returncode, sent))
    h.check("Permission denied" in received, "the receiver did not say why:\n" + received)
    h.check(os.listdir(downloads) == [], "something was written: %r" % os.listdir(downloads))


def test(duet, workdir):
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        print("needs root and setpriv: skipped")
        return h.SKIP
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        print("no user nobody: skipped")
        return h.SKIP
    # nobody must reach its own folder through ours (mkdtemp made ours 0700) and run the binary.
    os.chmod(workdir, 0o711)
    home = os.path.join(workdir, "nobody")
    downloads = os.path.join(home, "downloads-bob")
    os.makedirs(downloads)
    for path in (home, downloads):
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    source = os.path.join(workdir, "src", "big.bin")
    os.makedirs(os.path.dirname(source))
    with open(source, "wb") as f:
        for _ in range(SIZE // MIB):
            f.write(os.urandom(MIB))
    source_hash = h.blake(source)

    oneshot_into_read_only(as_nobody_wrapper(duet, workdir), duet, workdir, home, nobody, source)

    alice = bob = None
    try:
        alice = h.HeadlessPeer(duet, "alice", yes=True, workdir=workdir)
        bob = h.HeadlessPeer(as_nobody_wrapper(duet, workdir), "bob", yes=True, workdir=home)
        h.check(os.stat(os.path.join(home, "profile-bob")).st_uid == nobody.pw_uid, "bob does not run as nobody")
        h.connect_verified(alice, bob)
        alice.send('send "%s"' % source)
        offer = alice.wait_for("offer_sent", timeout=10)["offer"]
        # Pause early, so the pause lands while the file is partly written even at several hundred MB/s.
        alice.wait_for("progress", progress_at_least(offer, 0.10), timeout=60)
        alice.send("pause " + offer)
        bob.wait_for("progress", lambda e: e["offer"] == offer and e["state"] == "paused", timeout=10)
        written = max(e["bytes"] for e in bob.history if e["event"] == "progress" and e["offer"] == offer)
        print("paused at %.0f %%; download folder now read-only" % (100.0 * written / SIZE))
        set_mode(downloads, READ_ONLY)
        alice.send("resume " + offer)

        failed = bob.wait_for("transfer_failed", lambda e: e["offer"] == offer, timeout=60)
        print("receiver: %s (%s)" % (failed["reason"], failed["outcome"]))
        h.check("permission" in failed["reason"].lower(), "the reason does not name the permission problem")
        alice.wait_for("transfer_failed", lambda e: e["offer"] == offer, timeout=10)
        # Both sides wait for the repair: paused, not finished.
        bob.wait_for("progress", lambda e: e["offer"] == offer and e["state"] == "paused", timeout=10)
        time.sleep(1)
        for peer in (alice, bob):
            h.check(not any(e["event"] == "offer_finished" and e["offer"] == offer for e in peer.history),
                    "%s ended the offer instead of waiting for the folder to be fixed" % peer.name)
        h.check(sorted(os.listdir(downloads)) in ([], [".duet-partial"]),
                "something appeared under a final name: %r" % os.listdir(downloads))
        h.check(bob.alive() and alice.alive(), "a process died")
        h.chat(alice, bob, "still there?")
        h.chat(bob, alice, "yes, but my folder is read-only")
        verified_before = max(e["bytes"] for e in bob.history if e["event"] == "progress" and e["offer"] == offer)

        # The user fixes the mode and resumes: the same offer finishes from what was already received.
        set_mode(downloads, 0o755)
        with bob._cond:
            bob._pending = [e for e in bob._pending if e["event"] != "progress"]
        bob.send("resume " + offer)
        resumed = bob.wait_for("progress", lambda e: e["offer"] == offer and e["state"] in ("active", "done"),
                               timeout=30)["bytes"]
        print("verified before the repair: %d bytes; resumed at %d (re-sent at most %d bytes)" %
              (verified_before, resumed, SIZE - resumed))
        h.check(resumed >= verified_before - SIZE // 100, "resumed at %d, not at about %d" % (resumed, verified_before))
        done = bob.wait_for("transfer_done", lambda e: e["offer"] == offer, timeout=90)
        h.check(done["hash"] == source_hash == h.blake(done["path"]), "the resumed file differs")
        h.check(os.path.dirname(done["path"]) == downloads, "landed in %r" % done["path"])
        for peer in (alice, bob):
            finished = peer.wait_for("offer_finished", lambda e: e["offer"] == offer, timeout=20)
            h.check(finished["state"] == "done", "%s finished as %r" % (peer.name, finished["state"]))
        h.check(bob.quit() == 0 and alice.quit() == 0, "a process exited non-zero")
    finally:
        set_mode(downloads, 0o755)
        for peer in (alice, bob):
            if peer is not None:
                peer.close()


if __name__ == "__main__":
    h.run(test)
