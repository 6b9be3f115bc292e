"""A transfer across the link emulator survives a blackout longer than the engine's 8 s peer timeout:
the connection drops, both sides redial by themselves, and the transfer resumes from the receiver's
verified chunks (not from zero) and arrives with the sender's BLAKE2b-256. Root + TUN, else skipped."""

import os

import duet_harness as h
import transfer_netns as t

SIZE = 48 * 1024 * 1024
# 20 Mbit/s: the file takes about 20 s, so the 12 s blackout from 6 s cuts it in the middle.
LINK = "rate=20mbit,delay=10ms,queue=128k,blackout-at=6s-18s"


def test(duet, workdir):
    reason = t.skip_reason()
    if reason:
        print("SKIP: " + reason)
        return h.SKIP
    t.netlab.install_signal_exit()
    source = os.path.join(workdir, "blackout.bin")
    t.random_file(source, SIZE)
    with t.netlab.Lab(emu_args=["--both", LINK], seed=9) as lab:
        alice = bob = None
        try:
            alice, bob, took, _ = t.send_through(lab, duet, workdir, source, timeout=150, reconnect=True)
            history = list(bob.history)
            gone = next(i for i, e in enumerate(history) if e["event"] == "disconnected")
            back = next(i for i, e in enumerate(history) if i > gone and e["event"] == "verified")
            resumed = [e["bytes"] for e in history[back:] if e["event"] == "progress"]
            print("%.1f MB in %.1f s; alice saw %d disconnections, bob %d" % (
                SIZE / 1e6, took, alice.count("disconnected"), bob.count("disconnected")))
            h.check(alice.count("disconnected") >= 1 and bob.count("disconnected") >= 1,
                    "the blackout dropped the connection")
            print("first progress after reconnecting: %d of %d bytes" % (resumed[0], SIZE))
            h.check(0 < resumed[0] < SIZE, "resumed from the verified chunks, not from zero")
            h.check(alice.quit() == 0 and bob.quit() == 0, "both quit cleanly")
        finally:
            for peer in (alice, bob):
                if peer is not None:
                    peer.close()


if __name__ == "__main__":
    h.run(test)
