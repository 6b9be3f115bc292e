#!/usr/bin/python3
"""A small LAN in network namespaces for the discovery test (stdlib only).

Topology (names are dscnt<pid>-<role>; nothing outside these namespaces is touched):

    h1 10.231.1.11 ┐                         ┌ h4 10.231.2.14   (another subnet, routed)
    h2 10.231.1.12 │                         │
    h3 10.231.1.13 ├ br1 ── rt (router) ── br2
    h5 10.231.1.15 │      10.231.1.1  10.231.2.1
    x  10.231.1.50 ┘  (the attacker: forged, malformed and flood beacons)
    m  eth0 10.231.1.30 on br1 and eth1 10.231.2.30 on br2 (multi-homed, no route between its two legs)

block_broadcast_to() stops the bridge flooding broadcasts to one host (it then hears only multicast);
disable_multicast() takes multicast off a host's eth0 (it then sends and hears only broadcast).

Every host has eth0 and lo; m also has eth1. Namespaces left behind by a run whose process died are removed at start.
"""
import json
import os
import re
import signal
import socket
import struct
import subprocess
import threading
import time

PREFIX = "dscnt"
SUBNET1 = "10.231.1"
SUBNET2 = "10.231.2"
HOSTS = {"h1": (1, f"{SUBNET1}.11"), "h2": (1, f"{SUBNET1}.12"), "h3": (1, f"{SUBNET1}.13"),
         "h5": (1, f"{SUBNET1}.15"), "x": (1, f"{SUBNET1}.50"), "h4": (2, f"{SUBNET2}.14")}
# Multi-homed hosts: role -> ((segment, address of eth0), (segment, address of eth1)).
MULTIHOMED = {"m": ((1, f"{SUBNET1}.30"), (2, f"{SUBNET2}.30"))}
DISCOVERY_PORT = 55556


def ip(*args, check=True):
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True, timeout=10)


def unavailable_reason():
    """Why this machine cannot build the lab, or None."""
    if os.geteuid() != 0:
        return "not root"
    probe = f"{PREFIX}{os.getpid()}-probe"
    try:
        ip("netns", "add", probe)
    except (OSError, subprocess.SubprocessError) as error:
        return f"ip netns add failed: {error}"
    ip("netns", "del", probe, check=False)
    return None


def remove_orphans():
    """Namespaces of earlier runs of this test whose process is gone (e.g. killed by a CTest timeout)."""
    listing = ip("netns", "list", check=False).stdout
    for name in re.findall(rf"^({PREFIX}(\d+)-\S+)", listing, flags=re.M):
        full, pid = name
        if not os.path.exists(f"/proc/{pid}"):
            ip("netns", "del", full, check=False)


class Lab:
    def __init__(self):
        self.tag = f"{PREFIX}{os.getpid()}"
        self.namespaces = []
        self.processes = []

    def ns(self, role):
        return f"{self.tag}-{role}"

    def __enter__(self):
        remove_orphans()
        try:
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def _add_ns(self, role):
        name = self.ns(role)
        ip("netns", "add", name)
        self.namespaces.append(name)
        ip("-n", name, "link", "set", "lo", "up")
        return name

    def _build(self):
        rt = self._add_ns("rt")
        for bridge, subnet in (("br1", SUBNET1), ("br2", SUBNET2)):
            ip("-n", rt, "link", "add", bridge, "type", "bridge")
            ip("-n", rt, "addr", "add", f"{subnet}.1/24", "dev", bridge)
            ip("-n", rt, "link", "set", bridge, "up")
        subprocess.run(["ip", "netns", "exec", rt, "sysctl", "-qw", "net.ipv4.ip_forward=1"], check=True,
                       timeout=10)
        for role, (segment, address) in HOSTS.items():
            host = self._add_ns(role)
            port = f"p-{role}"
            ip("-n", rt, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", host)
            ip("-n", rt, "link", "set", port, "master", f"br{segment}")
            ip("-n", rt, "link", "set", port, "up")
            ip("-n", host, "addr", "add", f"{address}/24", "dev", "eth0")
            ip("-n", host, "link", "set", "eth0", "up")
            gateway = f"{SUBNET1 if segment == 1 else SUBNET2}.1"
            ip("-n", host, "route", "add", "default", "via", gateway)
        for role, legs in MULTIHOMED.items():
            host = self._add_ns(role)
            for index, (segment, address) in enumerate(legs):
                port = f"p-{role}{index}"
                ip("-n", rt, "link", "add", port, "type", "veth", "peer", "name", f"eth{index}", "netns", host)
                ip("-n", rt, "link", "set", port, "master", f"br{segment}")
                ip("-n", rt, "link", "set", port, "up")
                ip("-n", host, "addr", "add", f"{address}/24", "dev", f"eth{index}")
                ip("-n", host, "link", "set", f"eth{index}", "up")

    def block_broadcast_to(self, role):
        subprocess.run(["ip", "netns", "exec", self.ns("rt"), "bridge", "link", "set", "dev", f"p-{role}",
                        "bcast_flood", "off"], check=True, capture_output=True, timeout=10)

    def disable_multicast(self, role):
        ip("-n", self.ns(role), "link", "set", "eth0", "multicast", "off")

    def close(self):
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        for name in reversed(self.namespaces):
            ip("netns", "del", name, check=False)
        self.namespaces = []

    def popen(self, role, argv, **kwargs):
        process = subprocess.Popen(["ip", "netns", "exec", self.ns(role), *argv], **kwargs)
        self.processes.append(process)
        return process

    def run(self, role, argv, timeout=30):
        return subprocess.run(["ip", "netns", "exec", self.ns(role), *argv], capture_output=True, text=True,
                              timeout=timeout, check=True)


class Probe:
    """A discovery_probe in one namespace; its JSON lines are collected by a reader thread."""

    def __init__(self, lab, role, probe_path, name, enet_port, fingerprint_hex, extra=()):
        self.role = role
        self.name = name
        self.enet_port = enet_port
        self.fingerprint = fingerprint_hex
        self.address = HOSTS[role][1]
        self.lines = []
        self.lock = threading.Lock()
        argv = [probe_path, "--name", name, "--enet-port", str(enet_port), "--fingerprint", fingerprint_hex,
                *extra]
        self.process = lab.popen(role, argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        ready = self.wait_for(lambda line: line["event"] == "ready", 5)
        if ready is None:
            raise RuntimeError(f"probe {role} did not start: {self.process.stderr.read()}")
        self.instance = ready["instance"]
        self.ready_ms = ready["mono_ms"]

    def _read(self):
        for text in self.process.stdout:
            try:
                line = json.loads(text)
            except json.JSONDecodeError:
                continue
            with self.lock:
                self.lines.append(line)

    def snapshot(self):
        with self.lock:
            return list(self.lines)

    def wait_for(self, predicate, timeout):
        end = time.monotonic() + timeout
        while True:
            for line in self.snapshot():
                if predicate(line):
                    return line
            if time.monotonic() >= end:
                return None
            time.sleep(0.02)

    def events(self, kind, **match):
        return [line for line in self.snapshot()
                if line["event"] == kind and all(line.get(k) == v for k, v in match.items())]

    def last_stats(self):
        stats = self.events("stats")
        return stats[-1] if stats else {}

    def cpu_seconds(self):
        fields = open(f"/proc/{self.process.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self, sig):
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.reader.join(timeout=5)


def mono_ms():
    return int(time.monotonic() * 1000)


# --- Beacons as PROTOCOL.md section 10 defines them, built independently of the C++ encoder ---

def beacon(kind, instance, port, fingerprint, name, version=1, magic=b"DUBC"):
    encoded = name.encode() if isinstance(name, str) else name
    return (magic + struct.pack("<BBQH", version, kind, instance, port) + fingerprint
            + struct.pack("<H", len(encoded)) + encoded)


ANNOUNCE, QUERY, LEAVING = 0, 1, 2


def broadcast_socket():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    return sock


def udp_packet(source, destination, sport, dport, payload):
    """IPv4 + UDP with a forged source. The kernel fills in the IP checksum and length (raw(7))."""
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 1, socket.IPPROTO_UDP, 0,
                         socket.inet_aton(source), socket.inet_aton(destination))
    return header + udp


def raw_socket():
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    return sock


def signal_name(sig):
    return signal.Signals(sig).name
