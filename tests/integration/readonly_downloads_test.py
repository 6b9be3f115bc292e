"""The download folder becomes read-only in the middle of a 64 MiB transfer (issue 4).

The receiving `duet --headless` runs as the user nobody (setpriv), since root ignores file modes; its
profile and download folder belong to nobody. The sender pauses at about half, the test makes the download
folder and every folder of its partial area read-only (0555) and the sender resumes. The receiver must end the file with a
reason that names the permission problem, put nothing under the final name and keep running (chat still
works). After the mode is restored, the file is sent again and arrives with the right hash.
Skipped (77) unless run as root with setpriv and the user nobody available.
"""

import os
import pwd
import shutil
import stat

import duet_harness as h

MIB = 1024 * 1024
SIZE = 64 * MIB
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

    alice = bob = None
    try:
        alice = h.HeadlessPeer(duet, "alice", yes=True, workdir=workdir)
        bob = h.HeadlessPeer(as_nobody_wrapper(duet, workdir), "bob", yes=True, workdir=home)
        h.check(os.stat(os.path.join(home, "profile-bob")).st_uid == nobody.pw_uid, "bob does not run as nobody")
        h.connect_verified(alice, bob)
        alice.send('send "%s"' % source)
        offer = alice.wait_for("offer_sent", timeout=10)["offer"]
        # Pause at about half, so the mode changes while the file is half written.
        alice.wait_for("progress", progress_at_least(offer, 0.45), timeout=60)
        alice.send("pause " + offer)
        bob.wait_for("progress", lambda e: e["offer"] == offer and e["state"] == "paused", timeout=10)
        written = max(e["bytes"] for e in bob.history if e["event"] == "progress" and e["offer"] == offer)
        print("paused at %.0f %%; download folder now read-only" % (100.0 * written / SIZE))
        set_mode(downloads, READ_ONLY)
        alice.send("resume " + offer)

        failed = bob.wait_for("transfer_failed", lambda e: e["offer"] == offer, timeout=60)
        print("receiver: %s (%s)" % (failed["reason"], failed["outcome"]))
        h.check("permission" in failed["reason"].lower(), "the reason does not name the permission problem")
        bob.wait_for("offer_finished", lambda e: e["offer"] == offer, timeout=10)
        alice.wait_for("transfer_failed", lambda e: e["offer"] == offer, timeout=10)
        h.check(sorted(os.listdir(downloads)) in ([], [".duet-partial"]),
                "something appeared under a final name: %r" % os.listdir(downloads))
        h.check(bob.alive() and alice.alive(), "a process died")
        h.chat(alice, bob, "still there?")
        h.chat(bob, alice, "yes, but my folder is read-only")

        # The user fixes the mode; the same file sent again arrives whole.
        set_mode(downloads, 0o755)
        alice.send('send "%s"' % source)
        again = alice.wait_for("offer_sent", timeout=10)["offer"]
        done = bob.wait_for("transfer_done", lambda e: e["offer"] == again, timeout=90)
        h.check(done["hash"] == source_hash == h.blake(done["path"]), "the re-sent file differs")
        h.check(os.path.dirname(done["path"]) == downloads, "landed in %r" % done["path"])
        h.check(bob.quit() == 0 and alice.quit() == 0, "a process exited non-zero")
    finally:
        set_mode(downloads, 0o755)
        for peer in (alice, bob):
            if peer is not None:
                peer.close()


if __name__ == "__main__":
    h.run(test)
