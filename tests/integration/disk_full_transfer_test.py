"""The download folder is a small tmpfs this test mounts (root only, else skipped). Filling it in the
middle of a transfer ends in a clear transfer_failed and a paused offer; no file appears under its final
name and a file that was already there is untouched. After the filler is removed, `resume` finishes the
same offer from the data already written.
An offer larger than the free space is refused before anything is written."""

import os
import subprocess

import duet_harness as h

MIB = 1024 * 1024


def mount_tmpfs(path, size_mib):
    os.makedirs(path, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm" % size_mib, "tmpfs", path], check=True)


def umount(path):
    subprocess.run(["umount", "-l", path], check=False)


def sparse(path, size):
    with open(path, "wb") as f:
        f.write(os.urandom(4096))
        f.truncate(size)


def run_case(duet, workdir, name, break_it, expect, repair=None, expect_pause=False):
    downloads = os.path.join(workdir, "downloads-" + name)
    mount_tmpfs(downloads, 64)
    alice = bob = None
    try:
        keep = os.path.join(downloads, "big.bin")
        with open(keep, "wb") as f:
            f.write(os.urandom(1000))
        kept_hash = h.blake(keep)
        source = os.path.join(workdir, "src-" + name, "big.bin")
        os.makedirs(os.path.dirname(source))
        sparse(source, 48 * MIB)
        alice = h.HeadlessPeer(duet, "alice-" + name, yes=True, workdir=workdir)
        bob = h.HeadlessPeer(duet, name, yes=True, workdir=workdir)
        h.connect_verified(alice, bob)
        alice.send('send "%s"' % source)
        offer = alice.wait_for("offer_sent", timeout=10)["offer"]
        bob.wait_for("progress", lambda e: e["offer"] == offer and e["bytes"] > 0, timeout=20)
        break_it(downloads)
        failed = bob.wait_for("transfer_failed", lambda e: e["offer"] == offer, timeout=60)
        print("%s: %s" % (name, failed["reason"]))
        h.check(any(word in failed["reason"].lower() for word in expect), "unclear reason: %r" % failed["reason"])
        if not expect_pause:
            finished = bob.wait_for("offer_finished", lambda e: e["offer"] == offer, timeout=20)
            h.check(finished["state"] == "failed", "offer ended as %r" % finished["state"])
        else:
            # A full disk pauses the offer so the user can make room, then resume: nothing is lost.
            bob.wait_for("progress", lambda e: e["offer"] == offer and e["state"] == "paused", timeout=20)
        names = sorted(n for n in os.listdir(downloads) if n not in (".duet-partial", "filler"))
        h.check(names == ["big.bin"], "something appeared under a final name: %r" % names)
        h.check(h.blake(keep) == kept_hash, "the file that was already there changed")
        h.check(bob.alive() and alice.alive(), "a process died")
        if repair is not None:
            repair(downloads)
            written = max(e["bytes"] for e in bob.history if e["event"] == "progress" and e["offer"] == offer)
            with bob._cond:
                bob._pending = [e for e in bob._pending if e["event"] != "progress"]
            bob.send("resume " + offer)
            resumed = bob.wait_for("progress", lambda e: e["offer"] == offer and e["state"] in ("active", "done"),
                                   timeout=30)["bytes"]
            print("%s: %d bytes written before the disk filled; resumed at %d" % (name, written, resumed))
            h.check(resumed >= written - 48 * MIB // 100, "resumed at %d, not at about %d" % (resumed, written))
            finished = bob.wait_for("offer_finished", lambda e: e["offer"] == offer, timeout=60)
            failures = [e["reason"] for e in bob.history if e["event"] in ("transfer_failed", "error")]
            h.check(finished["state"] == "done", "after making room: %r %r" % (finished, failures))
            done = bob.wait_for("transfer_done", lambda e: e["offer"] == offer, timeout=5)
            h.check(done["hash"] == h.blake(source) == h.blake(done["path"]), "resumed file differs")
            h.check(os.path.basename(done["path"]) == "big (1).bin", "landed as %r" % done["path"])
    finally:
        for peer in (alice, bob):
            if peer is not None:
                peer.close()
        umount(downloads)


def fill(downloads):
    with open(os.path.join(downloads, "filler"), "wb") as f:
        try:
            while True:
                f.write(b"\0" * MIB)
                f.flush()
        except OSError:
            pass


def make_room(downloads):
    os.remove(os.path.join(downloads, "filler"))


def refused_up_front(duet, workdir):
    downloads = os.path.join(workdir, "downloads-erin")
    mount_tmpfs(downloads, 8)
    alice = bob = None
    try:
        source = os.path.join(workdir, "src-erin.bin")
        sparse(source, 16 * MIB)
        alice = h.HeadlessPeer(duet, "frank", yes=True, workdir=workdir)
        bob = h.HeadlessPeer(duet, "erin", yes=True, workdir=workdir)
        h.connect_verified(alice, bob)
        alice.send('send "%s"' % source)
        offer = alice.wait_for("offer_sent", timeout=10)["offer"]
        error = bob.wait_for("error", lambda e: "accept" in e["reason"], timeout=10)
        print("too large: %s" % error["reason"])
        h.check("space" in error["reason"].lower(), "unclear: %r" % error["reason"])
        h.check(os.listdir(downloads) in ([], [".duet-partial"]), "something was written")
    finally:
        for peer in (alice, bob):
            if peer is not None:
                peer.close()
        umount(downloads)


def test(duet, workdir):
    if os.geteuid() != 0:
        return h.SKIP
    os.environ["DUET_FREE_SPACE_RESERVE"] = "0"
    run_case(duet, workdir, "full", fill, ("space", "full"), repair=make_room, expect_pause=True)
    # Not covered: a read-only remount mid-transfer. The kernel refuses it (EBUSY) while the partial is
    # open for writing, and a paused transfer keeps its partial open.
    refused_up_front(duet, workdir)


if __name__ == "__main__":
    h.run(test)
