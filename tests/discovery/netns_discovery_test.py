#!/usr/bin/python3
"""CTest: LAN discovery across network namespaces (see discovery_lab.py for the topology).

Three hosts on one bridge run discovery_probe with the default 2 s interval; a fourth host on another,
routed subnet must stay invisible to them. An attacker host sends forged, malformed and flood beacons.
Checks: discovery within 2 s, answers to a late starter's query, forged beacons reported at the forger's
address, malformed ones dropped and counted, announces on schedule and CPU bounded under a 1,000 beacons/s
flood, a clean exit removing the peer at once and a killed peer expiring after about three intervals.
Exits 77 (SKIP) when namespaces cannot be created (not root, no `ip netns`)."""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import discovery_lab as dl  # noqa: E402

INTERVAL_MS = 2000
failures = []
measured = {}


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        failures.append(message)


def found_at(observer, peer):
    """mono_ms at which observer first reported peer's real instance, or None."""
    for line in observer.events("found", instance=peer.instance):
        return line["mono_ms"]
    return None


def lists_real(observer, peer):
    line = observer.wait_for(lambda l: l["event"] == "found" and l["instance"] == peer.instance, 0)
    return line is not None and any(e["address"] == peer.address and e["port"] == peer.enet_port
                                    and e["interface"] == "eth0" for e in line["endpoints"])


# --- attacker side: runs inside the attacker's namespace ---

def attacker_send(pairs):
    sock = dl.broadcast_socket()
    for destination, payload in pairs:
        sock.sendto(bytes.fromhex(payload), (destination, dl.DISCOVERY_PORT))
    return {"sent": len(pairs)}


def attacker_flood(seconds, rate):
    """Forged-source flood: two thirds distinct valid announces, one third garbage of assorted sizes."""
    sock = dl.raw_socket()
    broadcast = f"{dl.SUBNET1}.255"
    start = time.monotonic()
    sent = 0
    rng = random.Random(7)
    while True:
        elapsed = time.monotonic() - start
        if elapsed >= seconds:
            break
        due = int(elapsed * rate) + 1
        while sent < due:
            source = f"{dl.SUBNET1}.{100 + rng.randrange(150)}"
            if sent % 3 == 2:
                payload = rng.randbytes(rng.choice([1, 20, 40, 129, 1400]))
            else:
                payload = dl.beacon(dl.ANNOUNCE, 0x7700000000 + sent, 40000 + sent % 1000, rng.randbytes(20),
                                    f"flood{sent}")
            sock.sendto(dl.udp_packet(source, broadcast, dl.DISCOVERY_PORT, dl.DISCOVERY_PORT, payload),
                        (broadcast, 0))
            sent += 1
        time.sleep(0.002)
    return {"sent": sent, "seconds": round(time.monotonic() - start, 3)}


def run_attacker(lab, *args):
    result = lab.run("x", ["/usr/bin/python3", os.path.abspath(__file__), "--attacker", *args], timeout=30)
    return json.loads(result.stdout.strip().splitlines()[-1])


def send_from_attacker(lab, pairs):
    args = []
    for destination, payload in pairs:
        args += [destination, payload.hex()]
    return run_attacker(lab, "send", *args)


# --- scenarios ---

def scenario_discovery(probes, p4, p5):
    """h3 hears only multicast and h5 only broadcast (sends too): either path alone must be enough."""
    p1, p2, p3 = probes
    lan = (p1, p2, p3, p5)
    expected = [(o, p) for o in lan for p in lan if o is not p and not (o is p3 and p is p5)]
    for observer, peer in expected:
        observer.wait_for(lambda l, p=peer: l["event"] == "found" and l["instance"] == p.instance, 3)
    latencies = []
    for observer, peer in expected:
        at = found_at(observer, peer)
        check(at is not None and lists_real(observer, peer),
              f"{observer.role} reports {peer.role} at {peer.address}:{peer.enet_port} on eth0")
        if at is not None:
            latencies.append(at - max(observer.ready_ms, peer.ready_ms))
            measured[f"discovery_ms_{observer.role}_finds_{peer.role}"] = latencies[-1]
    measured["discovery_ms_max"] = max(latencies, default=None)
    check(len(latencies) == len(expected) and max(latencies) <= 2000,
          f"every pair with a path discovered within 2 s (max {max(latencies, default=None)} ms)")
    check(found_at(p3, p1) is not None and found_at(p3, p2) is not None,
          "h3, which hears no broadcast, finds h1 and h2 by multicast")
    check(found_at(p1, p5) is not None and found_at(p5, p1) is not None,
          "h5, without multicast, finds and is found by broadcast")
    check(sum(len(p.events("answer")) for p in (p1, p2)) >= 1, "the late starter's query was answered")

    # h4 is on another subnet: two announce rounds later still nobody has heard of it, nor it of them.
    time.sleep(max(0, (p4.ready_ms + 2 * INTERVAL_MS + 500 - dl.mono_ms()) / 1000))
    check(found_at(p3, p5) is None, "h3 cannot hear h5 (no common path), as set up")
    check(all(found_at(o, p4) is None for o in lan), "the host on the other subnet is not discovered")
    check(not p4.events("found"), "the host on the other subnet discovers nobody")
    check(p4.last_stats().get("rounds", 0) >= 2, "the host on the other subnet did announce")


def scenario_forgery(lab, p1, p2):
    fingerprint = bytes.fromhex(p1.fingerprint)
    forged_new = 0x5F5F5F5F5F5F5F5F
    broadcast = f"{dl.SUBNET1}.255"
    send_from_attacker(lab, [(broadcast, dl.beacon(dl.ANNOUNCE, forged_new, 40555, fingerprint, p1.name))])
    line = p2.wait_for(lambda l: l["event"] == "found" and l["instance"] == f"{forged_new:016x}", 2)
    check(line is not None and line["name"] == p1.name and line["fingerprint"] == p1.fingerprint
          and [e["address"] for e in line["endpoints"]] == [f"{dl.SUBNET1}.50"],
          "a forged beacon with h1's name and fingerprint is reported at the forger's address")

    real_id = int(p1.instance, 16)
    send_from_attacker(lab, [(broadcast, dl.beacon(dl.ANNOUNCE, real_id, 40999, fingerprint, p1.name))])
    line = p2.wait_for(lambda l: l["event"] == "updated" and l["instance"] == p1.instance, 2)
    addresses = [(e["address"], e["port"]) for e in line["endpoints"]] if line else []
    check(addresses[:1] == [(p1.address, p1.enet_port)] and (f"{dl.SUBNET1}.50", 40999) in addresses,
          "a beacon copying h1's instance id adds the forger's address as a separate endpoint; h1's stays")

    send_from_attacker(lab, [(broadcast, dl.beacon(dl.LEAVING, real_id, 40999, fingerprint, p1.name))])
    time.sleep(0.3)
    check(not p2.events("lost", instance=p1.instance), "a forged Leaving from another address does not remove h1")


def scenario_malformed(lab, p2):
    before = p2.last_stats()
    time.sleep(0.6)  # the next stats line starts from a settled count
    before = p2.last_stats()
    broadcast = f"{dl.SUBNET1}.255"
    good = dl.beacon(dl.ANNOUNCE, 0x1234, 41000, bytes(20), "ok")
    bad = [
        good[:20],                                                      # truncated
        dl.beacon(dl.ANNOUNCE, 0x1235, 41000, bytes(20), "x", magic=b"XXXX"),
        dl.beacon(dl.ANNOUNCE, 0x1236, 41000, bytes(20), "x", version=9),
        dl.beacon(7, 0x1237, 41000, bytes(20), "x"),                    # unknown kind
        dl.beacon(dl.ANNOUNCE, 0x1238, 41000, bytes(20), "a\x1b[2Jb"),  # terminal escape in the name
        dl.beacon(dl.ANNOUNCE, 0x1239, 41000, bytes(20), b"\xc3("),     # invalid UTF-8
        good + b"\0",                                                   # trailing byte
    ]
    oversized = [good + bytes(200), bytes(65000)]
    pairs = [(broadcast, payload) for payload in bad + oversized]
    pairs.append((p2.address, dl.beacon(dl.ANNOUNCE, 0x123A, 41000, bytes(20), "unicast")))
    pairs.append((broadcast, dl.beacon(dl.ANNOUNCE, 0x123B, 22, bytes(20), "ssh-port")))
    send_from_attacker(lab, pairs)
    time.sleep(1.2)
    after = p2.last_stats()
    delta = {k: after.get(k, 0) - before.get(k, 0) for k in ("malformed", "oversized", "unicast", "low_port")}
    measured["malformed_counts"] = delta
    check(delta == {"malformed": len(bad), "oversized": len(oversized), "unicast": 1, "low_port": 1},
          f"malformed, oversized, unicast and low-port beacons dropped and counted ({delta})")
    forged_ids = {f"{i:016x}" for i in range(0x1234, 0x123C)}
    check(not [l for l in p2.events("found") if l["instance"] in forged_ids], "none of them was listed")


def scenario_flood(lab, probes):
    p1, p2, p3 = probes
    cpu_before = p2.cpu_seconds()
    flood_start = dl.mono_ms()
    result = run_attacker(lab, "flood", "3", "1000")
    flood_end = dl.mono_ms()
    cpu = p2.cpu_seconds() - cpu_before
    time.sleep(2.5)  # one more announce after the flood
    measured["flood_sent"] = result["sent"]
    measured["flood_seconds"] = result["seconds"]
    check(result["sent"] >= 2900, f"the flood sent about 1,000 datagrams/s ({result['sent']} in {result['seconds']} s)")

    rounds = [l["mono_ms"] for l in p2.events("announce")]
    window = [t for t in rounds if flood_start - INTERVAL_MS - 500 <= t <= flood_end + INTERVAL_MS + 500]
    gaps = [b - a for a, b in zip(window, window[1:])]
    measured["announce_gap_max_ms_during_flood"] = max(gaps) if gaps else None
    # 250 ms of slack for a busy 2-core machine; the schedule itself does not drift (measured: 2000-2001 ms).
    check(gaps and max(gaps) <= INTERVAL_MS + 250, f"h2's announces stay on schedule (max gap {max(gaps or [0])} ms)")
    measured["probe_cpu_percent_during_flood"] = round(100 * cpu / (result["seconds"] or 1), 1)
    check(cpu / result["seconds"] < 0.5, f"h2's CPU during the flood is bounded ({measured['probe_cpu_percent_during_flood']} %)")

    peer_counts = [l["peers"] for l in p2.events("stats") if l["mono_ms"] >= flood_start]
    measured["table_max_during_flood"] = max(peer_counts)
    check(max(peer_counts) <= 256, f"h2's table stays bounded (max {max(peer_counts)} hints)")
    check(p2.last_stats().get("evicted", 0) > 0, "the flood forced evictions")
    real_lost = [l for l in p2.events("lost") if l["instance"] in (p1.instance, p3.instance)]
    check(not real_lost, "h1 and h3 stay listed at h2 through the flood")


def scenario_departures(probes):
    p1, p2, p3 = probes
    stopped_at = dl.mono_ms()
    p3.stop(signal.SIGTERM)
    for observer in (p1, p2):
        line = observer.wait_for(lambda l: l["event"] == "lost" and l["instance"] == p3.instance, 2)
        check(line is not None and line["reason"] == "left", f"{observer.role} drops h3 on its Leaving")
        if line:
            measured[f"leave_ms_{observer.role}"] = line["mono_ms"] - stopped_at
            check(line["mono_ms"] - stopped_at <= 500, f"... at once ({line['mono_ms'] - stopped_at} ms)")

    last_announce = max([l["mono_ms"] for l in p1.events("announce")] + [p1.ready_ms])
    p1.stop(signal.SIGKILL)
    killed_at = dl.mono_ms()
    line = p2.wait_for(lambda l: l["event"] == "lost" and l["instance"] == p1.instance, 10)
    check(line is not None and line["reason"] == "expired", "h2 drops the killed h1 when it expires")
    if line:
        measured["killed_lost_after_kill_ms"] = line["mono_ms"] - killed_at
        measured["killed_lost_after_last_announce_ms"] = line["mono_ms"] - last_announce
        check(line["mono_ms"] - last_announce <= 3.5 * INTERVAL_MS + 300,
              f"... about three intervals after its last announce ({line['mono_ms'] - last_announce} ms)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--probe")
    parser.add_argument("--attacker", nargs="+")
    args = parser.parse_args()
    if args.attacker:
        mode, rest = args.attacker[0], args.attacker[1:]
        if mode == "send":
            print(json.dumps(attacker_send(list(zip(rest[0::2], rest[1::2])))))
        else:
            print(json.dumps(attacker_flood(float(rest[0]), int(rest[1]))))
        return 0

    # CTest and Ctrl-C stop us with a signal: turn it into an exception so the namespaces are torn down.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    reason = dl.unavailable_reason()
    if reason:
        print(f"SKIP: network namespaces unavailable ({reason})")
        return 77
    with dl.Lab() as lab:
        lab.block_broadcast_to("h3")
        lab.disable_multicast("h5")
        fingerprints = {role: os.urandom(20).hex() for role in dl.HOSTS}
        p1 = dl.Probe(lab, "h1", args.probe, "host one", 41001, fingerprints["h1"])
        p2 = dl.Probe(lab, "h2", args.probe, "host two", 41002, fingerprints["h2"])
        p4 = dl.Probe(lab, "h4", args.probe, "far host", 41004, fingerprints["h4"])
        p5 = dl.Probe(lab, "h5", args.probe, "host five", 41005, fingerprints["h5"])
        time.sleep(1.0)  # h3 starts late: the others learn of it from its query and answer at once
        p3 = dl.Probe(lab, "h3", args.probe, "host three", 41003, fingerprints["h3"])
        probes = (p1, p2, p3)
        scenario_discovery(probes, p4, p5)
        p5.stop(signal.SIGTERM)
        scenario_forgery(lab, p1, p2)
        scenario_malformed(lab, p2)
        scenario_flood(lab, probes)
        scenario_departures(probes)
        for probe in (p2, p4):
            probe.stop(signal.SIGTERM)
        measured["h2_final_stats"] = p2.last_stats()
    print("measured: " + json.dumps(measured))
    print(f"{len(failures)} failure(s)" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
