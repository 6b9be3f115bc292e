"""The router variants of the NAT lab (nat_lab_test.py): Debian's miniupnpd runs as A's NAT box, serving
UPnP IGD ("upnp" variant) or NAT-PMP only ("nat-pmp"). Both NATs are otherwise port-restricted, so a
connection can only come in through the port A's router mapped. One run checks:
- before anyone asks for a code, A sends nothing at all (no SSDP multicast, NAT-PMP or STUN), although
  port mapping is on (the default), counted by iptables in A's namespace;
- `code` on A gets a mapping by the expected method, and miniupnpd records it (its lease file);
- B pastes A's code and connects to the mapped port; A never sees B's code (one code is enough);
- when A quits, the mapping is gone from miniupnpd.
"""

import os
import subprocess
import time

from duet_harness import HeadlessPeer, TestFailure, check
from nat_lab_common import nat_events, stop_peers, wrapper

HERE = os.path.dirname(os.path.abspath(__file__))
IDLE_SECONDS = 2.0
ONE_CODE_BUDGET = 8.0  # B may wait for A's dial up to 3 s before dialling the mapped port itself
COUNTED_PORTS = {"ssdp": 1900, "natpmp": 5351, "stun": 3478}


def start_router(lab, method):
    """miniupnpd on A's NAT box (wan0 outside, lan0 inside), with the nftables chains it writes into."""
    config = os.path.join(lab.workdir, "miniupnpd-%s.conf" % method)
    lab.leases = os.path.join(lab.workdir, "miniupnpd-%s.leases" % method)
    with open(config, "w") as f:
        f.write("\n".join([
            "ext_ifname=wan0", "listening_ip=lan0", "http_port=0",
            "enable_upnp=%s" % ("yes" if method == "upnp" else "no"),
            "enable_natpmp=%s" % ("yes" if method == "nat-pmp" else "no"),
            "secure_mode=yes", "system_uptime=yes", "lease_file=" + lab.leases,
            "upnp_table_name=filter", "upnp_nat_table_name=nat",
            "uuid=3a1c6f5e-8d2b-4c1a-9e7f-0b1d2c3e4f50",
            "allow 1024-65535 10.1.0.0/24 1024-65535", "deny 0-65535 0.0.0.0/0 0-65535", ""]))
    lab.ns(lab.nat_a, "/usr/bin/python3", os.path.join(HERE, "nft_inet.py"))
    log_path = os.path.join(lab.workdir, "miniupnpd-%s.log" % method)
    log = open(log_path, "wb")
    lab.daemons.append(subprocess.Popen(
        ["ip", "netns", "exec", lab.nat_a, "/usr/sbin/miniupnpd", "-d", "-f", config,
         "-P", os.path.join(lab.workdir, "miniupnpd-%s.pid" % method)], stdout=log, stderr=subprocess.STDOUT))
    ready = "HTTP listening" if method == "upnp" else "Listening for NAT-PMP"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with open(log_path, "rb") as f:
            if ready.encode() in f.read():
                return
        check(lab.daemons[-1].poll() is None, "miniupnpd exited at start (see %s)" % log_path)
        time.sleep(0.1)
    raise TestFailure("miniupnpd did not start within 5 s (see %s)" % log_path)


def count_rules(lab):
    """Counting rules on A's side: every UDP datagram A sends out, and those to the ports of interest."""
    lab.ns(lab.peer_a, "iptables", "-A", "OUTPUT", "-o", "eth0", "-p", "udp")
    for port in COUNTED_PORTS.values():
        lab.ns(lab.peer_a, "iptables", "-A", "OUTPUT", "-o", "eth0", "-p", "udp", "--dport", str(port))


def counters(lab):
    """{"udp": n, "ssdp": n, ...} packets sent by A so far."""
    out = lab.ns(lab.peer_a, "iptables", "-L", "OUTPUT", "-n", "-v", "-x", "-Z").stdout.decode()
    # -Z prints a "Zeroing chain" line; the rule rows are the ones that start with a packet count.
    rows = [line.split() for line in out.splitlines() if line.split() and line.split()[0].isdigit()]
    result = {"udp": 0, "ssdp": 0, "natpmp": 0, "stun": 0}
    for row in rows:
        packets = int(row[0])
        port = next((int(field[4:]) for field in row if field.startswith("dpt:")), None)
        name = next((n for n, p in COUNTED_PORTS.items() if p == port), None) if port else "udp"
        if name:
            result[name] += packets
    return result


def lease_lines(lab, port):
    try:
        with open(lab.leases) as f:
            return [line for line in f if ":10.1.0.2:%d:" % port in line]
    except FileNotFoundError:
        return []


def mapping_run(lab, duet, workdir, run):
    method = lab.variant
    if not lab.daemons:
        start_router(lab, method)
        count_rules(lab)
    rundir = os.path.join(workdir, "%s-%d" % (method, run))
    os.makedirs(rundir)
    port = 40100 + run
    a = HeadlessPeer(wrapper(workdir, duet, lab.peer_a, "a-map", lab.stun_servers, port_mapping=True), "alice",
                     port=port, workdir=rundir)
    b = HeadlessPeer(wrapper(workdir, duet, lab.peer_b, "bob", lab.stun_servers), "bob", port=port, workdir=rundir)
    try:
        counters(lab)  # zeroes what the previous run sent
        time.sleep(IDLE_SECONDS)
        idle = counters(lab)
        check(idle["udp"] == 0, "A sent %d UDP datagrams before anyone asked for a code: %r" % (idle["udp"], idle))
        a.send("code")
        code_a = a.wait_for("code", timeout=15)["code"]
        reach = a.wait_for("reachability", timeout=5)
        check(reach["mapping"] == method, "mapping %r (%s), expected %r" % (reach["mapping"],
                                                                          reach["mapping_detail"], method))
        mapped = reach["mapped"]
        check(mapped.startswith(lab.wan_prefix + ".10:"), "mapped address %r" % mapped)
        asked = counters(lab)
        check(asked["ssdp"] > 0, "no UPnP discovery after `code`: %r" % asked)
        if method == "nat-pmp":
            check(asked["natpmp"] > 0, "no NAT-PMP request after `code`: %r" % asked)
        check(len(lease_lines(lab, port)) == 1, "miniupnpd does not list the mapping for port %d" % port)
        started = time.monotonic()
        b.send("connect " + code_a)
        outcome = b.wait_for("nat", lambda e: e["stage"] in ("connected", "failed"), timeout=ONE_CODE_BUDGET + 5)
        took = time.monotonic() - started
        check(outcome["stage"] == "connected", "B did not connect with A's code alone: %s" % outcome["detail"])
        check(took <= ONE_CODE_BUDGET, "one-code connection took %.2f s" % took)
        connected = b.wait_for("connected", timeout=5)
        check(connected["fingerprint"] == a.fingerprint, "B reached the wrong identity")
        # One code: only B has an attempt, so only B dials.
        check(any(e["stage"] == "connecting" for e in nat_events(b)), "B never dialled")
        check(not any(e["stage"] == "connecting" for e in nat_events(a)), "A dialled without a code")
        check(connected["address"] == mapped, "B is not connected through the mapping: %r" % connected["address"])
        incoming = a.wait_for("connected", timeout=5)
        check(incoming["fingerprint"] == b.fingerprint, "A sees the wrong identity")
        # B's identity came with A's own code to B; A got no code from B, so A's user compares the
        # verification code as for any new peer.
        check(incoming["code"] == connected["code"], "verification codes differ")
        a.send("confirm")
        a.wait_for("verified", timeout=5)
        b.wait_for("verified", timeout=5)  # the pasted code vouches for A on B's side
        b.send("say hello through the mapped port")
        b.wait_for("sent", timeout=5)
        check(a.wait_for("message", timeout=5)["text"] == "hello through the mapped port", "chat text changed")
        check(a.quit(timeout=8) == 0, "A did not exit cleanly")
        deadline = time.monotonic() + 3
        while lease_lines(lab, port) and time.monotonic() < deadline:
            time.sleep(0.1)
        check(not lease_lines(lab, port), "the mapping outlived the app: %r" % lease_lines(lab, port))
        return took
    finally:
        stop_peers(a, b)
