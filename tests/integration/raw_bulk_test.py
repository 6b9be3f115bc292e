"""Bulk file data in raw datagrams beside ENet (PROTOCOL.md §11.8), between real processes:
- two current peers use raw datagrams (their stderr says so) and a 24 MiB file arrives intact while a
  third socket sprays forged raw datagrams at both (every ENet peer index 0-63 and session 0-3, random
  frames, truncated, oversized, empty): they are dropped without a strike, nobody disconnects;
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
            length = rng.choice([0, 1, 16, 40, 600, 1236, 1396, 1500, 4000])
            datagram = struct.pack("<BBH", 0x7E, session, index) + os.urandom(length)
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


def test(duet, workdir):
    source = os.path.join(workdir, "payload.bin")
    with open(source, "wb") as f:
        f.write(os.urandom(SIZE))

    alice = h.HeadlessPeer(duet, "alice", yes=True, workdir=workdir)
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
        for peer in (alice, bob):
            h.check(peer.count("disconnected") == 0, "%s lost the link to forged datagrams" % peer.name)
            h.check(peer.alive(), "%s died" % peer.name)
        h.chat(bob, alice, "still here after %d forged datagrams" % counter[0])
    finally:
        alice.close()
        bob.close()

    previous = os.environ.get("DUET_RAW_BULK")
    os.environ["DUET_RAW_BULK"] = "0"
    try:
        carol = h.HeadlessPeer(duet, "carol", yes=True, workdir=workdir)
    finally:
        if previous is None:
            del os.environ["DUET_RAW_BULK"]
        else:
            os.environ["DUET_RAW_BULK"] = previous
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
