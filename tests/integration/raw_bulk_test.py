"""Bulk file data in raw datagrams beside ENet (PROTOCOL.md §11.8), between real processes:
- two current peers use raw datagrams (their stderr says so) and a 24 MiB file arrives intact while a
  third socket sprays forged raw datagrams at both (every ENet peer index 0-63 and session 0-3, random
  frames, truncated, oversized, empty): they are dropped without a strike, nobody disconnects;
- they send data in the compact format (§11.10), and on loopback the path MTU search (§11.9) ends at
  jumbo-sized datagrams (the sender's DUET_BULK_TRACE lines say `slice 8940`); forged datagrams of up to
  9,100 bytes, with either marker, change nothing;
- a peer started with DUET_LARGE_BULK=0 and DUET_COMPACT_BULK=0 (as a build without bits 3 and 4 would)
  gets full frames in raw datagrams of the base size only (`slice 1200`, no probes);
- a peer started with DUET_RAW_BULK=0 (as an older build would) still gets the file, on ENet channel 3."""

import os
import random
import socket
import struct
import threading
import time

import duet_harness as h

SIZE = 24 * 1024 * 1024


def spray(ports, stop, counter):
    """Forged raw bulk datagrams from a socket no peer knows, until `stop` (bounded by count too)."""
    rng = random.Random(7)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for n in range(200000):
            if stop.is_set():
                break
            index, session = rng.randrange(64), rng.randrange(4)
            length = rng.choice([0, 1, 16, 40, 600, 1236, 1396, 1500, 4000, 8924, 8968, 9100])
            marker = rng.choice([0x7E, 0x7F])
            datagram = struct.pack("<BBH", marker, session, index) + os.urandom(length)
            for port in ports:
                try:
                    s.sendto(datagram, ("127.0.0.1", port))
                    counter[0] += 1
                except OSError:
                    pass
            if n % 64 == 0:
                time.sleep(0.002)


def send_file(sender, receiver, path, timeout=120):
    sender.send('send "%s"' % path)
    sent = sender.wait_for("offer_sent", timeout=10)
    done = receiver.wait_for("offer_finished", lambda e: e["offer"] == sent["offer"], timeout=timeout)
    h.check(done["state"] == "done", "receiver finished as %r: %r" % (done["state"], done.get("reason")))
    received = os.path.join(receiver.dir, "downloads-" + receiver.name, os.path.basename(path))
    h.check(h.blake(received) == h.blake(path), "the received file differs from the source")


def bulk_mode(peer):
    text = peer.stderr_text()
    if "bulk transport in raw datagrams" in text:
        return "raw"
    if "bulk transport on ENet channel 3" in text:
        return "enet"
    return None


def with_environment(settings, start):
    """Runs start() with `settings` added to the environment, which the started process inherits."""
    previous = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        return start()
    finally:
        for name, value in previous.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value


def slice_sizes(peer):
    """The data slice sizes the peer's DUET_BULK_TRACE lines reported, in order."""
    return [int(part.split()[0]) for part in peer.stderr_text().split(" slice ")[1:]]


def test(duet, workdir):
    source = os.path.join(workdir, "payload.bin")
    with open(source, "wb") as f:
        f.write(os.urandom(SIZE))

    alice = with_environment({"DUET_BULK_TRACE": "1"},
                             lambda: h.HeadlessPeer(duet, "alice", yes=True, workdir=workdir))
    bob = h.HeadlessPeer(duet, "bob", yes=True, workdir=workdir)
    try:
        h.connect_verified(alice, bob)
        stop, counter = threading.Event(), [0]
        sprayer = threading.Thread(target=spray, args=((alice.port, bob.port), stop, counter), daemon=True)
        sprayer.start()
        try:
            send_file(alice, bob, source)
        finally:
            stop.set()
            sprayer.join(timeout=10)
        h.check(counter[0] > 1000, "the sprayer sent only %d datagrams" % counter[0])
        h.check(bulk_mode(alice) == "raw" and bulk_mode(bob) == "raw",
                "expected raw bulk on both sides: %r / %r" % (bulk_mode(alice), bulk_mode(bob)))
        if "read through ENet" in alice.stderr_text() + bob.stderr_text():
            # No kernel steering (EnetHost's report): ENet's intercept reads at most 4 KiB, so no side
            # announces large datagrams (§11.9); compact data still goes.
            h.check("compact data" in alice.stderr_text() and "probing the path" not in alice.stderr_text(),
                    "without steering: compact data, no path MTU search")
        else:
            h.check("compact data, probing the path for larger datagrams" in alice.stderr_text(),
                    "both announce compact and large datagrams, so alice should use both")
            sizes = slice_sizes(alice)
            h.check(sizes and sizes[-1] == 8940,
                    "loopback carries jumbo datagrams; the search reported %r" % sorted(set(sizes)))
        for peer in (alice, bob):
            h.check(peer.count("disconnected") == 0, "%s lost the link to forged datagrams" % peer.name)
            h.check(peer.alive(), "%s died" % peer.name)
        h.chat(bob, alice, "still here after %d forged datagrams" % counter[0])
    finally:
        alice.close()
        bob.close()

    erin = with_environment({"DUET_LARGE_BULK": "0", "DUET_COMPACT_BULK": "0"},
                            lambda: h.HeadlessPeer(duet, "erin", yes=True, workdir=workdir))
    frank = with_environment({"DUET_BULK_TRACE": "1"},
                             lambda: h.HeadlessPeer(duet, "frank", yes=True, workdir=workdir))
    try:
        h.connect_verified(frank, erin)
        send_file(frank, erin, source)
        h.check(bulk_mode(frank) == "raw", "frank should still send raw datagrams: %r" % bulk_mode(frank))
        h.check("probing the path" not in frank.stderr_text(), "erin reads base-size datagrams only")
        h.check("compact data" not in frank.stderr_text(), "erin reads full frames only")
        sizes = slice_sizes(frank)
        h.check(sizes and set(sizes) == {1200}, "frank sent slices of %r" % sorted(set(sizes)))
        h.check("probes 0/0" in frank.stderr_text(), "no probe may go to a peer without bit 3")
    finally:
        erin.close()
        frank.close()

    carol = with_environment({"DUET_RAW_BULK": "0"},
                             lambda: h.HeadlessPeer(duet, "carol", yes=True, workdir=workdir))
    dave = h.HeadlessPeer(duet, "dave", yes=True, workdir=workdir)
    try:
        h.connect_verified(dave, carol)
        send_file(dave, carol, source)
        h.check(bulk_mode(dave) == "enet" and bulk_mode(carol) == "enet",
                "a peer without the capability must get channel 3: %r / %r" % (bulk_mode(dave), bulk_mode(carol)))
    finally:
        carol.close()
        dave.close()


if __name__ == "__main__":
    h.run(test)
