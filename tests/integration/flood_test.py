"""Two peers keep chatting while a raw UDP sender floods one of them with 200 ENet connection attempts
that never complete (from 50 loopback addresses, enough to fill its peer table) and with garbage
datagrams of every size up to 5000 bytes. Afterwards the half-open slots expire and a new peer gets in."""

import random
import socket
import struct
import threading
import time

import duet_harness as h


def enet_connect_datagram(rng):
    # ENet 1.3.17 wire format, big-endian: protocol header (peer id 0xFFF + "sent time" flag, sent time),
    # then a CONNECT command (number 2, acknowledge flag) on channel 0xFF with its 44-byte body.
    header = struct.pack(">HH", 0x8FFF, rng.randrange(65536))
    command = struct.pack(">BBH", 0x82, 0xFF, 1)
    body = struct.pack(">HBBIIIIIIIIII", 0, 0xFF, 0xFF, 1400, 65536, 3, 0, 0, 5000, 2, 2,
                       rng.randrange(1 << 32), 0)
    return header + command + body


class Flooder(threading.Thread):
    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.connects = 0
        self.garbage = 0
        self.replies = 0
        self.error = None

    def run(self):
        try:
            rng = random.Random(1234)
            sockets = []
            for i in range(50):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.bind(("127.0.0.%d" % (10 + i), 0))
                s.setblocking(False)
                sockets.append(s)
            target = ("127.0.0.1", self.port)
            for round_ in range(4):
                for s in sockets:
                    s.sendto(enet_connect_datagram(rng), target)
                    self.connects += 1
                    for _ in range(3):
                        s.sendto(bytes(rng.randrange(256) for _ in range(rng.randrange(5001))), target)
                        self.garbage += 1
                time.sleep(0.2)
            # ENet answers a well-formed CONNECT with VERIFY_CONNECT: proof that the flood was real.
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline:
                for s in sockets:
                    try:
                        while s.recv(4096):
                            self.replies += 1
                    except BlockingIOError:
                        pass
                time.sleep(0.05)
            for s in sockets:
                s.close()
        except Exception as e:  # reported by the test
            self.error = e


def test(duet, workdir):
    alice = h.HeadlessPeer(duet, "alice", yes=True, workdir=workdir)
    bob = h.HeadlessPeer(duet, "bob", yes=True, workdir=workdir)
    carol = None
    try:
        h.connect_verified(bob, alice)
        flooder = Flooder(alice.port)
        flooder.start()
        rounds = 0
        while flooder.is_alive() and rounds < 2000:
            h.chat(bob, alice, "during the flood %d" % rounds, timeout=5)
            h.chat(alice, bob, "reply %d" % rounds, timeout=5)
            rounds += 1
        flooder.join(timeout=10)
        h.check(flooder.error is None, "flooder failed: %r" % flooder.error)
        print("flood: %d connects, %d garbage datagrams, %d ENet replies; %d chat rounds meanwhile"
              % (flooder.connects, flooder.garbage, flooder.replies, rounds))
        h.check(flooder.connects == 200, "200 connection attempts")
        h.check(flooder.replies > 0, "ENet must have taken the connection attempts seriously")
        h.check(rounds >= 3, "chat kept flowing during the flood")
        h.check(alice.alive() and bob.alive(), "nobody crashed")

        # Half-open connections give their slots back within 5 s; then a new connection gets in. It uses
        # bob's profile: any other key from 127.0.0.1 would rightly be refused, since alice pinned bob there.
        carol = h.HeadlessPeer(duet, "carol", yes=True, profile=bob.profile, workdir=workdir)
        started = time.monotonic()
        carol.send("connect 127.0.0.1:%d" % alice.port)
        at_carol = carol.wait_for("connected", timeout=15)
        h.check(at_carol["verified"] is True, "alice's key is pinned in bob's profile")
        carol.wait_for("verified", timeout=5)
        waited = time.monotonic() - started
        print("a new peer got in %.1f s after the flood" % waited)
        h.check(waited < 8.0, "half-open connections must give their slots back within about 5 s")
        h.check(at_carol["name"] == "alice", "carol reached alice")
        # Carol is bob's identity dialling again, as a restarted bob would: her connection replaces his.
        replaced = bob.wait_for("disconnected", timeout=5)
        h.check("replaced" in replaced["reason"], "bob's connection replaced: %r" % replaced["reason"])
        h.chat(carol, alice, "after the flood")
        h.chat(alice, carol, "welcome back")
    finally:
        alice.close()
        bob.close()
        if carol is not None:
            carol.close()


if __name__ == "__main__":
    h.run(test)
