"""A file crosses the link emulator with loss, reordering, duplication and corruption in both directions;
it arrives with the sender's BLAKE2b-256, and the link is never closed for the damage. Corruption leaves
the UDP checksum stale (corrupt-mode=wire), as on a real path: the kernel drops the datagram. With the
checksum fixed up, damaged bulk datagrams are dropped by their AEAD (tests/net/BulkLinkTests.cpp), but
a damaged reliable record on ENet's channel 0 or 1 still breaks that secretstream (ENet carries no
checksum of its own), so that mode is not used here.
The lab's links have Ethernet's 1,500-byte MTU: the sender's path MTU search (PROTOCOL.md §11.9) settles
on the slice that fills 1,500 bytes (its DUET_BULK_TRACE lines say `slice 1440`), and its jumbo probes
fail (the kernel refuses them at the interface) without counting as congestion. Root + TUN, else
skipped (77)."""

import os
import re

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
            os.environ["DUET_BULK_TRACE"] = "1"
            try:
                alice, bob, took, _ = t.send_through(lab, duet, workdir, source, timeout=120)
            finally:
                del os.environ["DUET_BULK_TRACE"]
            counters = lab.counters()
            print("%.1f MB in %.1f s (%.2f MB/s); emulator a->b: %s" % (
                SIZE / 1e6, took, SIZE / 1e6 / took,
                {k: counters["a->b"][k] for k in ("lost", "reordered", "duplicated", "corrupted")}))
            for key in ("reordered", "duplicated", "corrupted"):
                h.check(counters["a->b"][key] > 0 and counters["b->a"][key] > 0, "the emulator applied " + key)
            trace = re.findall(r" slice (\d+) probes (\d+)/(\d+)", alice.stderr_text())
            h.check(trace, "alice wrote no bulk trace")
            sizes = sorted({int(size) for size, _, _ in trace})
            _, sent_probes, lost_probes = (int(x) for x in trace[-1])
            print("slice sizes %r, size probes %d sent, %d lost" % (sizes, sent_probes, lost_probes))
            # The largest reached, not the last: an outage the faults cause sends it back to 1,200.
            h.check(max(sizes) == 1440, "a 1,500-byte path carries 1,440-byte slices; the search reported %r" % sizes)
            h.check(lost_probes >= 3, "the jumbo probes cannot pass a 1,500-byte link")
            h.check(alice.count("disconnected") == 0 and bob.count("disconnected") == 0,
                    "the damage never closed the link")
            h.check(alice.quit() == 0 and bob.quit() == 0, "both quit cleanly")
        finally:
            for peer in (alice, bob):
                if peer is not None:
                    peer.close()


if __name__ == "__main__":
    h.run(test)
