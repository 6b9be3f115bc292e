#!/usr/bin/python3
"""CTest: LAN discovery of real `duet --headless` processes in network namespaces.

Topology from tests/discovery/discovery_lab.py: h1, h2, h3, h5 on one bridge, h4 on another (routed) subnet,
m on both (multi-homed), x the attacker. Checks: each of h1..h3 lists the other two within 2 s; two instances
in h5 on different ENet ports, with default options, list each other and h1..h3 (and are listed) within
2 s; h4 is not listed but can be joined by IP; m restricted to eth0 is listed on that subnet only and
neither announces to nor lists h4, and unrestricted is listed on both; a forged beacon carrying h2's name and fingerprint hint from x is listed at x's address, marked as
matching a pinned key, and connecting to it does not yield h2's verified identity; malformed beacons are
dropped; chat round-trips stay fast under a 1,000 beacons/s flood; a clean quit is noticed at once and a
kill -9 after about 3.5 intervals. Exits 77 (SKIP) when namespaces cannot be created."""
import argparse
import bisect
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
DISCOVERY_TESTS = os.path.join(HERE, "..", "discovery")
sys.path.insert(0, DISCOVERY_TESTS)
import discovery_lab as dl  # noqa: E402

ENET_PORT = 55555
failures = []
measured = {}


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        failures.append(message)


def hint_bytes(fingerprint):
    """The 20 bytes a fingerprint's 32 base32 digits encode (the beacon's fingerprint hint)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    bits = "".join(format(alphabet.index(c), "05b") for c in fingerprint.replace("-", ""))
    return bytes(int(bits[i:i + 8], 2) for i in range(0, 160, 8))


class Duet:
    """One `duet --headless` in a namespace; its JSON lines are collected with arrival times."""

    def __init__(self, lab, role, binary, name, root, extra=(), port=ENET_PORT, label=None, address=None):
        self.role = label or role
        self.name = name
        self.port = port
        self.address = address or dl.HOSTS[role][1]
        self.lines = []
        self.times = []  # arrival time of each line, ascending: waits scan only lines after their start
        self.lock = threading.Lock()
        profile = os.path.join(root, self.role)
        argv = [binary, "--headless", "--yes", "--name", name, "--profile", profile, "--downloads",
                os.path.join(profile, "dl"), "--port", str(port), *extra]
        self.launched = time.monotonic()
        self.process = lab.popen(role, argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        listening = self.wait_for(lambda l: l["event"] == "listening", 5)
        if listening is None:
            raise RuntimeError(f"duet in {role} did not start")
        self.fingerprint = listening["fingerprint"]

    def cpu_seconds(self):
        fields = open(f"/proc/{self.process.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _read(self):
        for text in self.process.stdout:
            try:
                line = json.loads(text)
            except json.JSONDecodeError:
                continue
            line["_t"] = time.monotonic()
            with self.lock:
                self.lines.append(line)
                self.times.append(line["_t"])

    def send(self, command):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def snapshot(self):
        with self.lock:
            return list(self.lines)

    def since(self, after):
        with self.lock:
            return self.lines[bisect.bisect_left(self.times, after):]

    def wait_for(self, predicate, timeout, after=0.0):
        end = time.monotonic() + timeout
        while True:
            for line in self.since(after):
                if predicate(line):
                    return line
            if time.monotonic() >= end:
                return None
            time.sleep(0.01)

    def found(self, other, after=0.0):
        return [l for l in self.snapshot() if l["_t"] >= after and l["event"] == "peer_found"
                and l["fingerprint"] == other.fingerprint]

    def quit(self):
        self.send("quit")
        self.process.wait(timeout=5)


def found_event(observer, other, timeout, after=0.0, address=None):
    at = f"{address or other.address}:{other.port}"
    return observer.wait_for(lambda l: l["event"] == "peer_found" and l["fingerprint"] == other.fingerprint
                             and l["address"] == at, timeout, after)


def check_found_within(observer, other, limit, since, address=None):
    """`observer` lists `other` (at `address`, default its own) within `limit` s of `since`."""
    line = found_event(observer, other, max(0.0, since + limit + 1.0 - time.monotonic()), since, address)
    delay = None if line is None else round((line["_t"] - since) * 1000)
    measured[f"found_{observer.role}_{other.role}_ms"] = delay
    check(line is not None and delay < limit * 1000,
          f"{observer.role} lists {other.role} at {address or other.address}:{other.port} within {limit} s ({delay} ms)")
    return line


def attacker(lab, *args):
    script = os.path.join(DISCOVERY_TESTS, "netns_discovery_test.py")
    result = lab.run("x", ["/usr/bin/python3", script, "--attacker", *args], timeout=40)
    return json.loads(result.stdout.strip().splitlines()[-1])


def send_beacons(lab, payloads):
    args = []
    for payload in payloads:
        args += [f"{dl.SUBNET1}.255", payload.hex()]
    return attacker(lab, "send", *args)


def connect_verified(a, b_address, timeout=5):
    start = time.monotonic()
    a.send(f"connect {b_address}:{ENET_PORT}")
    return a.wait_for(lambda l: l["event"] == "verified", timeout, start)


def scenario_discovery(hosts, far):
    for observer in hosts:
        for other in hosts:
            if other is observer:
                continue
            line = found_event(observer, other, 3.0)
            later_start = max(observer.launched, other.launched)
            delay = None if line is None else line["_t"] - later_start
            measured[f"found_{observer.role}_{other.role}_ms"] = None if delay is None else round(delay * 1000)
            check(line is not None and delay < 2.0,
                  f"{observer.role} lists {other.role} within 2 s ({measured[f'found_{observer.role}_{other.role}_ms']} ms)")
            if line is not None:
                check(line["name"] == other.name and line["port"] == other.port and line["known"] is False,
                      f"{observer.role} sees {other.role}'s name and port, not yet known")
    time.sleep(2.5)
    for observer in hosts:
        check(not observer.found(far), f"{observer.role} does not list the host on the other subnet")
        check(not far.found(observer), f"the host on the other subnet does not list {observer.role}")
    h1 = hosts[0]
    check(connect_verified(h1, far.address) is not None, "h1 joins the other-subnet host by IP")


def scenario_same_machine(pair, hosts):
    """Two instances in one namespace, default options (no loopback flag): found over eth0 like any host."""
    a, b = pair
    for observer, other in ((a, b), (b, a)):
        check_found_within(observer, other, 2.0, max(a.launched, b.launched))
    for instance in pair:
        for host in hosts:
            check_found_within(instance, host, 2.0, instance.launched)
            check_found_within(host, instance, 2.0, instance.launched)
    state = a.wait_for(lambda l: l["event"] == "discovery", 0)
    check(state is not None and state["available"] and "lo" not in state["machine_interfaces"],
          f"the same-machine instances announce on real interfaces only ({state and state['machine_interfaces']})")
    for instance in pair:
        check(not instance.found(instance), f"{instance.role} does not list itself")


def scenario_multihomed(lab, binary, root, near, far):
    """m restricted to eth0 (set once and saved, so it holds from the first beacon), then unrestricted."""
    eth0, eth1 = (leg[1] for leg in dl.MULTIHOMED["m"])
    setup = Duet(lab, "m", binary, "multi homed", root, ("--no-discovery",), address=eth0)
    start = time.monotonic()
    setup.send("interfaces eth0")
    # With discovery off the state line reports nothing in force; the restart below shows what was saved.
    saved = setup.wait_for(lambda l: l["event"] in ("discovery", "error") and l["_t"] >= start, 3, start)
    check(saved is not None and saved["event"] == "discovery" and saved["available"] is False,
          f"the interface restriction is accepted with discovery off ({saved})")
    setup.quit()

    m = Duet(lab, "m", binary, "multi homed", root, address=eth0)
    state = m.wait_for(lambda l: l["event"] == "discovery", 3)
    check(state is not None and state["interfaces"] == ["eth0"]
          and {"eth0", "eth1"} <= set(state["machine_interfaces"]),
          f"m starts restricted to eth0 and has eth0 and eth1 ({state})")
    check_found_within(near, m, 2.0, m.launched)
    check_found_within(m, near, 2.0, m.launched)
    time.sleep(max(0.0, m.launched + 3.5 - time.monotonic()))  # more than an interval after m's first beacon
    check(not far.found(m), "restricted to eth0, m is not listed on eth1's subnet (it does not announce there)")
    check(not m.found(far), "restricted to eth0, m does not list the peer on eth1's subnet")
    lan = found_event(near, m, 0, m.launched)
    check(lan is not None and lan["addresses"] == [f"{eth0}:{m.port}"],
          f"the peer on eth0's subnet sees m only at its eth0 address ({lan and lan['addresses']})")

    start = time.monotonic()
    m.send("interfaces")
    state = m.wait_for(lambda l: l["event"] == "discovery" and l["interfaces"] == [], 3, start)
    check(state is not None, "m is unrestricted again")
    check_found_within(far, m, 2.5, start, address=eth1)
    check_found_within(m, far, 2.5, start)
    key = lan["key"] if lan else None
    check(not any(l["event"] == "peer_lost" and l["key"] == key for l in near.since(start)),
          "unrestricting keeps m listed on eth0's subnet")
    check(found_event(near, m, 0) is not None and found_event(far, m, 0, address=eth1) is not None,
          "unrestricted, m is listed on both subnets")
    m.quit()


def scenario_spoof(lab, h1, h2, imposter):
    check(connect_verified(h1, h2.address) is not None, "h1 connects to h2 and pins its key")
    start = time.monotonic()
    forged = dl.beacon(dl.ANNOUNCE, 0x5EED5EED5EED, ENET_PORT, hint_bytes(h2.fingerprint), h2.name)
    send_beacons(lab, [forged])
    spoofed = h1.wait_for(lambda l: l["event"] == "peer_found" and l["fingerprint"] == h2.fingerprint
                          and l["address"].startswith(dl.HOSTS["x"][1] + ":"), 3, start)
    check(spoofed is not None, "the forged beacon is listed at the forger's source address")
    if spoofed is not None:
        check(spoofed["known"] is True, "... marked as matching a pinned key (unproven)")
        check(spoofed["key"] != found_event(h1, h2, 0)["key"], "... as an entry separate from the real h2")
    start = time.monotonic()
    h1.send(f"connect {dl.HOSTS['x'][1]}:{ENET_PORT}")
    outcome = h1.wait_for(lambda l: l["event"] in ("key_changed", "verified", "connected")
                          and l.get("address", "").startswith(dl.HOSTS["x"][1]), 6, start)
    check(outcome is not None, f"connecting to the forger ends in a handshake verdict ({outcome and outcome['event']})")
    if outcome is not None:
        presented = outcome.get("presented_fingerprint", outcome.get("fingerprint"))
        check(presented == imposter.fingerprint and presented != h2.fingerprint,
              "the handshake shows the forger's own key, never h2's")
        check(outcome["event"] == "key_changed", "... and the engine refuses it as a changed key")
    time.sleep(1.0)
    check(not any(l["event"] == "verified" and l["_t"] >= start for l in h1.snapshot()),
          "no verified peer results from the forged beacon")


def scenario_malformed(lab, h1, h2):
    start = time.monotonic()
    good = dl.beacon(dl.ANNOUNCE, 0xBADBAD, ENET_PORT, os.urandom(20), "malformed")
    payloads = [b"", b"DUBC", good[:-3], good + b"extra", dl.beacon(dl.ANNOUNCE, 1, ENET_PORT, os.urandom(20),
                "x", magic=b"NOPE"), dl.beacon(dl.ANNOUNCE, 2, ENET_PORT, os.urandom(20), "v", version=99),
                dl.beacon(dl.ANNOUNCE, 3, ENET_PORT, os.urandom(20), b"\xff\xfe bad utf8"),
                dl.beacon(dl.ANNOUNCE, 4, ENET_PORT, os.urandom(20), "ctl\x07"),
                dl.beacon(dl.ANNOUNCE, 5, 22, os.urandom(20), "low port"),
                os.urandom(1400), b"A" * 2000]
    send_beacons(lab, payloads)
    time.sleep(1.0)
    new_found = [l for l in h1.snapshot() if l["_t"] >= start and l["event"] == "peer_found"
                 and l["address"].startswith(dl.HOSTS["x"][1] + ":")]
    check(not new_found, f"malformed beacons are dropped ({len(payloads)} sent, {len(new_found)} listed)")
    check(h1.process.poll() is None and h2.process.poll() is None, "both apps still run")


def chat_round_trips(h1, count, spacing):
    samples = []
    for i in range(count):
        start = time.monotonic()
        h1.send(f"say ping {i}")
        sent = h1.wait_for(lambda l: l["event"] == "sent", 3, start)
        if sent is None:
            continue
        done = h1.wait_for(lambda l: l["event"] == "delivered" and l["id"] == sent["id"], 3, start)
        if done is not None:
            samples.append((done["_t"] - start) * 1000)
        time.sleep(spacing)
    return samples


def scenario_flood(lab, h1, h2):
    # h1's newest verified peer is h2 (connected in the spoof scenario); say goes there.
    baseline = chat_round_trips(h1, 10, 0.05)
    result = {}
    cpu_before = h1.cpu_seconds()
    flood_start = time.monotonic()
    flood = threading.Thread(target=lambda: result.update(attacker(lab, "flood", "6", "1000")))
    flood.start()
    time.sleep(1.0)
    during = chat_round_trips(h1, 30, 0.1)
    flood.join(timeout=40)
    flood_end = time.monotonic()
    churn = [l for l in h1.snapshot() if l["event"] in ("peer_found", "peer_lost")
             and flood_start <= l["_t"] <= flood_end + 0.5]
    measured["discovery_events_during_flood"] = len(churn)
    # The engine's budget: 64 at once, then 20/s; every reported peer may also be reported lost.
    budget = 2 * (64 + 20 * (flood_end + 0.5 - flood_start))
    check(len(churn) <= budget,
          f"discovery events during the flood stay within the budget ({len(churn)} <= {budget:.0f})")
    measured["h1_cpu_during_flood_percent"] = round(
        100 * (h1.cpu_seconds() - cpu_before) / (time.monotonic() - flood_start), 1)
    measured["flood"] = result
    for label, samples in (("baseline", baseline), ("flood", during)):
        if samples:
            measured[f"chat_rtt_{label}_ms"] = {"median": round(statistics.median(samples), 1),
                                                "max": round(max(samples), 1), "n": len(samples)}
    check(len(during) == 30, f"every chat message is delivered during the flood ({len(during)}/30)")
    # The median shows the steady state. The worst case is reported, not asserted: on the 2-core CI
    # machine, with the sanitizer build running beside the tests, single round trips took 0.7-2.6 s while
    # the median stayed at 2.6-4.7 ms.
    check(bool(during) and statistics.median(during) < 50,
          f"chat round-trip stays fast during the flood ({measured.get('chat_rtt_flood_ms')})")
    check(found_event(h1, h2, 0) is not None, "h2 is still listed after the flood")
    start = time.monotonic()
    h1.send("peers")
    check(h1.wait_for(lambda l: l["event"] == "peer_found" and l["fingerprint"] == h2.fingerprint, 2, start)
          is not None, "the peers command still lists h2 at once")


def scenario_departures(h1, h2, h3):
    key3 = found_event(h1, h3, 0)["key"]
    start = time.monotonic()
    h3.quit()
    lost = h1.wait_for(lambda l: l["event"] == "peer_lost" and l["key"] == key3, 3, start)
    measured["clean_quit_noticed_ms"] = None if lost is None else round((lost["_t"] - start) * 1000)
    check(lost is not None and lost["reason"] == "left" and lost["_t"] - start < 1.0,
          f"a clean quit is noticed at once ({measured['clean_quit_noticed_ms']} ms)")
    check(lost is not None and lost["name"] == h3.name and lost["address"] == f"{h3.address}:{h3.port}"
          and lost["port"] == h3.port and lost["fingerprint"] == h3.fingerprint,
          f"peer_lost carries name, address, port and fingerprint like peer_found ({lost})")
    key2 = found_event(h1, h2, 0)["key"]
    # Expiry counts from the last beacon h1 heard. The flood before this scenario can cost h2 a beacon
    # or two on a loaded machine (then expiry came 1.7 s after the kill), so let one more announce
    # interval (2 s) pass first: the kill then lands 0-2 s after h2's last beacon.
    time.sleep(2.5)
    start = time.monotonic()
    h2.process.send_signal(signal.SIGKILL)
    h2.process.wait(timeout=5)
    lost = h1.wait_for(lambda l: l["event"] == "peer_lost" and l["key"] == key2, 12, start)
    measured["kill9_noticed_ms"] = None if lost is None else round((lost["_t"] - start) * 1000)
    check(lost is not None and lost["reason"] == "expired" and 4.0 < lost["_t"] - start < 9.0,
          f"a killed peer expires after about 3.5 intervals ({measured['kill9_noticed_ms']} ms)")
    check(lost is not None and lost["address"] == f"{h2.address}:{h2.port}" and lost["port"] == h2.port
          and lost["fingerprint"] == h2.fingerprint and lost["name"] == h2.name,
          "an expired peer_lost carries where it was last heard")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duet", required=True)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    reason = dl.unavailable_reason()
    if reason:
        print(f"SKIP: network namespaces unavailable ({reason})")
        return 77
    with tempfile.TemporaryDirectory(prefix="duet-lan-") as root, dl.Lab() as lab:
        far = Duet(lab, "h4", args.duet, "far host", root)
        h1 = Duet(lab, "h1", args.duet, "host one", root)
        h2 = Duet(lab, "h2", args.duet, "host two", root)
        h3 = Duet(lab, "h3", args.duet, "host three", root)
        # Two instances on one machine: default options, different ENet ports.
        five_a = Duet(lab, "h5", args.duet, "five a", root, label="h5a")
        five_b = Duet(lab, "h5", args.duet, "five b", root, port=ENET_PORT + 46, label="h5b")
        # The forger runs its own identity behind the forged beacon, and announces nothing itself.
        imposter = Duet(lab, "x", args.duet, "host two", root, ("--no-discovery",))
        scenario_discovery((h1, h2, h3), far)
        scenario_same_machine((five_a, five_b), (h1, h2, h3))
        scenario_multihomed(lab, args.duet, root, h1, far)
        scenario_spoof(lab, h1, h2, imposter)
        scenario_malformed(lab, h1, h2)
        scenario_flood(lab, h1, h2)
        scenario_departures(h1, h2, h3)
        for duet in (h1, far, imposter, five_a, five_b):
            duet.quit()
    print("measured: " + json.dumps(measured))
    print(f"{len(failures)} failure(s)" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
