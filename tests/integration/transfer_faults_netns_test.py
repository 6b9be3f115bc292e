"""A file crosses the link emulator with loss, reordering, duplication and corruption in both directions;
it arrives with the sender's BLAKE2b-256, and the link is never closed for the damage. Corruption leaves
the UDP checksum stale (corrupt-mode=wire), as on a real path: the kernel drops the datagram. With the
checksum fixed up, damaged bulk datagrams are dropped by their AEAD (tests/net/BulkLinkTests.cpp), but
a damaged reliable record on ENet's channel 0 or 1 still breaks that secretstream (ENet carries no
checksum of its own), so that mode is not used here. Root + TUN, else skipped (77)."""

import os

import duet_harness as h
import transfer_netns as t

SIZE = 24 * 1024 * 1024 + 4321
FAULTS = "rate=50mbit,delay=10ms,queue=256k,loss=0.02,reorder=10%:4ms,dup=0.02,corrupt=0.02,corrupt-mode=wire"


def test(duet, workdir):
    reason = t.skip_reason()
    if reason:
        print("SKIP: " + reason)
        return h.SKIP
    t.netlab.install_signal_exit()
    source = os.path.join(workdir, "faults.bin")
    t.random_file(source, SIZE)
    with t.netlab.Lab(emu_args=["--both", FAULTS], seed=7) as lab:
        alice = bob = None
        try:
            alice, bob, took, _ = t.send_through(lab, duet, workdir, source, timeout=120)
            counters = lab.counters()
            print("%.1f MB in %.1f s (%.2f MB/s); emulator a->b: %s" % (
                SIZE / 1e6, took, SIZE / 1e6 / took,
                {k: counters["a->b"][k] for k in ("lost", "reordered", "duplicated", "corrupted")}))
            for key in ("reordered", "duplicated", "corrupted"):
                h.check(counters["a->b"][key] > 0 and counters["b->a"][key] > 0, "the emulator applied " + key)
            h.check(alice.count("disconnected") == 0 and bob.count("disconnected") == 0,
                    "the damage never closed the link")
            h.check(alice.quit() == 0 and bob.quit() == 0, "both quit cleanly")
        finally:
            for peer in (alice, bob):
                if peer is not None:
                    peer.close()


if __name__ == "__main__":
    h.run(test)
