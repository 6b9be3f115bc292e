#!/usr/bin/python3
"""Network lab: two fresh network namespaces joined by duet-linkemu over TUN devices (stdlib only).

    with Lab(emulator, profile="wan", seed=1) as lab:
        lab.run("b", ["iperf3", "-s", "-1"], ...)      # or lab.popen(...)
        counters = lab.counters()

Topology: namespace duetA-<id> has tl0 = 10.88.X.1 (peer 10.88.X.2), namespace duetB-<id> has
tl0 = 10.88.X.2 (peer 10.88.X.1). The lab creates both persistent TUN devices with `ip tuntap`;
duet-linkemu attaches to them by name after setns(). Nothing outside the two namespaces is touched,
and everything (processes, emulator, namespaces) is removed on exit, exceptions and Ctrl-C included.

CLI:
    lab.py profiles                              list profiles and the emulator arguments they become
    lab.py run [--profile P] [--in a|b] -- CMD   run CMD (in namespace A/B, or on the host with LAB_* vars)
    lab.py up [--profile P]                      set up, print the names, wait for Ctrl-C
    lab.py cleanup                               remove namespaces left by labs whose owner died
"""
import argparse
import os
import re
import secrets
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
STATE_DIR = Path("/run/duet-netlab")
KIB = 1024
MIN_QUEUE_BYTES = 64 * KIB
# SCHED_FIFO priority for the emulator threads of profiles that ask for it ("realtime" below). On a busy
# 2-core machine it roughly doubles TCP through the emulator, but a CPU-bound UDP sender then loses its
# CPU to the per-packet wake-ups (README has the figures), so it is not the default.
REALTIME_PRIORITY = 10

# rate in bit/s, RTT and RTT jitter in ms, loss per direction. RTT and jitter are split evenly over the
# two directions. "lan" is capped at what duet-linkemu sustains on the 2-core reference VM (README).
PROFILES = {
    "lan": {"rate": 1_000_000_000, "rtt_ms": 0.5, "jitter_ms": 0.0, "loss": 0.0, "realtime": REALTIME_PRIORITY},
    "wifi": {"rate": 200_000_000, "rtt_ms": 5.0, "jitter_ms": 0.0, "loss": 0.002},
    "wan": {"rate": 50_000_000, "rtt_ms": 40.0, "jitter_ms": 0.0, "loss": 0.005},
    "bad": {"rate": 10_000_000, "rtt_ms": 200.0, "jitter_ms": 20.0, "loss": 0.02},
    "smoke": {"rate": 20_000_000, "rtt_ms": 10.0, "jitter_ms": 0.0, "loss": 0.0},
}


def queue_bytes(profile):
    """One bandwidth-delay product, but at least 64 KiB (a 0.5 ms LAN BDP is only 62.5 kB)."""
    bdp = profile["rate"] * profile["rtt_ms"] / 1000.0 / 8.0
    return max(MIN_QUEUE_BYTES, int(bdp))


def profile_args(name):
    profile = PROFILES[name]
    delay_us = profile["rtt_ms"] * 1000.0 / 2.0
    spec = [f"rate={profile['rate']}", f"delay={delay_us:g}us", f"queue={queue_bytes(profile)}"]
    if profile["jitter_ms"]:
        spec.append(f"jitter={profile['jitter_ms'] * 1000.0 / 2.0:g}us")
    if profile["loss"]:
        spec.append(f"loss={profile['loss']:g}")
    return ["--both", ",".join(spec)]


def default_emulator():
    env = os.environ.get("DUET_LINKEMU")
    if env:
        return env
    candidates = sorted(HERE.parent.parent.glob("build/*/tests/netlab/duet-linkemu"),
                        key=lambda p: p.stat().st_mtime, reverse=True)
    return str(candidates[0]) if candidates else "duet-linkemu"


def ip(*args, check=True):
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True, timeout=10)


def parse_counter_line(line):
    match = re.match(r"linkemu (stats|final) t=([\d.]+) (a->b|b->a) (.*)", line)
    if not match:
        return None
    values = {k: int(v) for k, v in (item.split("=") for item in match.group(4).split())}
    return match.group(1), float(match.group(2)), match.group(3), values


class LabError(RuntimeError):
    pass


class Lab:
    def __init__(self, emulator=None, profile=None, emu_args=(), seed=1, max_runtime_s=900, device="tl0",
                 realtime=None):
        self.emulator = emulator or default_emulator()
        if realtime is None:
            realtime = PROFILES[profile].get("realtime", 0) if profile else 0
        self.realtime = realtime
        self.profile = profile
        self.seed = seed
        self.max_runtime_s = max_runtime_s
        self.device = device
        self.emu_args = (profile_args(profile) if profile else []) + list(emu_args)
        suffix = secrets.token_hex(3)
        self.ns_a, self.ns_b = f"duetA-{suffix}", f"duetB-{suffix}"
        self.subnet = secrets.randbelow(254) + 1
        self.addr_a, self.addr_b = f"10.88.{self.subnet}.1", f"10.88.{self.subnet}.2"
        self.marker = STATE_DIR / suffix
        self.children = []
        self.emu = None
        self.emu_lines = []
        self.emu_lock = threading.Lock()
        self.emu_reader = None
        self.final_counters = None

    # ---- setup and teardown -------------------------------------------------------------------
    def __enter__(self):
        try:
            self._create_namespaces()
            self.start_emulator()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _create_namespaces(self):
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        self.marker.write_text(f"{os.getpid()}\n{self.ns_a}\n{self.ns_b}\n")
        for ns, local, peer in ((self.ns_a, self.addr_a, self.addr_b), (self.ns_b, self.addr_b, self.addr_a)):
            ip("netns", "add", ns)
            ip("-n", ns, "link", "set", "lo", "up")
            # No IPv6: router solicitations and MLD reports would add packets that the seeded
            # per-packet decisions would count, making runs differ.
            subprocess.run(["ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                            "net.ipv6.conf.default.disable_ipv6=1"], check=True, capture_output=True, timeout=10)
            ip("-n", ns, "tuntap", "add", "dev", self.device, "mode", "tun")
            ip("-n", ns, "addr", "add", local, "peer", peer, "dev", self.device)
            ip("-n", ns, "link", "set", self.device, "up")

    def start_emulator(self, emu_args=None, seed=None):
        """(Re)starts duet-linkemu on the existing devices, optionally with new arguments."""
        self.stop_emulator()
        if emu_args is not None:
            self.emu_args = list(emu_args)
        if seed is not None:
            self.seed = seed
        argv = [self.emulator, "--netns-a", self.ns_a, "--netns-b", self.ns_b, "--dev-a", self.device,
                "--dev-b", self.device, "--seed", str(self.seed), "--max-runtime", f"{self.max_runtime_s}s",
                "--realtime", str(self.realtime), *self.emu_args]
        self.emu_lines = []
        self.final_counters = None
        self.emu = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ready, _, _ = select.select([self.emu.stdout], [], [], 10.0)
        first = self.emu.stdout.readline() if ready else "(no ready line within 10 s)"
        if not first.startswith("linkemu ready"):
            err = self.emu.stderr.read() if self.emu.poll() is not None else ""
            self.stop_emulator()
            raise LabError(f"duet-linkemu did not start: {first.strip()} {err.strip()}")
        self.emu_reader = threading.Thread(target=self._read_emulator, args=(self.emu,), daemon=True)
        self.emu_reader.start()

    def _read_emulator(self, proc):
        for line in proc.stdout:
            with self.emu_lock:
                self.emu_lines.append(line.rstrip("\n"))

    def _counters_from(self, kind, after_index=0):
        with self.emu_lock:
            lines = self.emu_lines[after_index:]
        found = {}
        for line in lines:
            parsed = parse_counter_line(line)
            if parsed and parsed[0] == kind:
                found[parsed[2]] = parsed[3]
                found["t"] = parsed[1]
        return found if "a->b" in found and "b->a" in found else None

    def counters(self, timeout_s=3.0):
        """Current counters {'a->b': {...}, 'b->a': {...}} (asks the emulator with SIGUSR1)."""
        if self.emu is None:
            return self.final_counters
        with self.emu_lock:
            start = len(self.emu_lines)
        self.emu.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = self._counters_from("stats", start)
            if found:
                return found
            time.sleep(0.02)
        raise LabError("no counters from duet-linkemu")

    def stop_emulator(self):
        """Stops the emulator; returns its final counters (also kept in self.final_counters)."""
        proc, self.emu = self.emu, None
        if proc is None:
            return self.final_counters
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        if self.emu_reader:
            self.emu_reader.join(timeout=2)
        proc.stdout.close()
        proc.stderr.close()
        self.final_counters = self._counters_from("final")
        return self.final_counters

    def close(self):
        # A second Ctrl-C must not cut the teardown short.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
        try:
            self._teardown()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def _teardown(self):
        for child in self.children:
            if child.poll() is None:
                child.terminate()
        for child in self.children:
            try:
                child.wait(timeout=3)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(timeout=3)
        self.children = []
        try:
            self.stop_emulator()
        finally:
            for ns in (self.ns_a, self.ns_b):
                ip("netns", "del", ns, check=False)
            self.marker.unlink(missing_ok=True)

    # ---- running things inside ------------------------------------------------------------------
    def namespace(self, side):
        return {"a": self.ns_a, "b": self.ns_b}[side]

    def address(self, side):
        return {"a": self.addr_a, "b": self.addr_b}[side]

    def _argv(self, side, argv):
        return ["ip", "netns", "exec", self.namespace(side), *argv]

    def run(self, side, argv, timeout, check=True):
        """Runs argv in namespace `side` to completion (at most `timeout` seconds)."""
        return subprocess.run(self._argv(side, argv), capture_output=True, text=True, timeout=timeout, check=check)

    def popen(self, side, argv, **kwargs):
        """Starts argv in namespace `side`; it is terminated at teardown if still running."""
        kwargs.setdefault("stdout", subprocess.PIPE)
        kwargs.setdefault("stderr", subprocess.PIPE)
        kwargs.setdefault("text", True)
        child = subprocess.Popen(self._argv(side, argv), **kwargs)
        self.children.append(child)
        return child

    @staticmethod
    def probe(*args):
        """argv of probe.py with Debian's python (the namespace runs it with ip netns exec)."""
        return ["/usr/bin/python3", str(HERE / "probe.py"), *args]


def lab_available():
    """None if a lab can be built here, else the reason it cannot."""
    if os.geteuid() != 0:
        return "not root"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun"
    try:
        if ip("netns", "list", check=False).returncode != 0:
            return "`ip netns` is unavailable"
    except (OSError, subprocess.TimeoutExpired):
        return "`ip` is unavailable"
    return None


def install_signal_exit():
    """Turns SIGINT/SIGTERM/SIGHUP into an exception so that `with Lab(...)` always tears down (also when
    started in the background, where SIGINT would otherwise be ignored)."""
    def handler(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, handler)


def process_alive(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def cleanup_stale():
    """Removes namespaces of labs whose owning process died without tearing down (e.g. SIGKILL)."""
    removed = []
    if not STATE_DIR.exists():
        return removed
    for marker in STATE_DIR.iterdir():
        lines = marker.read_text().split()
        if len(lines) != 3 or not lines[0].isdigit():
            continue
        if process_alive(int(lines[0])):
            continue
        for ns in lines[1:]:
            if re.fullmatch(r"duet[AB]-[0-9a-f]{6}", ns):
                ip("netns", "del", ns, check=False)
                removed.append(ns)
        marker.unlink(missing_ok=True)
    return removed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--emulator", default=None, help="path of duet-linkemu (default: $DUET_LINKEMU or newest build)")
    parser.add_argument("--profile", choices=sorted(PROFILES), default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--emu", action="append", default=[], help="extra emulator argument (repeat)")
    parser.add_argument("--max-runtime", type=int, default=3600, help="seconds before the emulator exits by itself")
    parser.add_argument("--realtime", type=int, default=None,
                        help="SCHED_FIFO priority of the emulator threads (0 = normal; default: the profile's)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("profiles")
    sub.add_parser("cleanup")
    sub.add_parser("up")
    run = sub.add_parser("run")
    run.add_argument("--in", dest="side", choices=["a", "b"], default=None)
    run.add_argument("--timeout", type=float, default=600)
    run.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args()

    if args.command == "profiles":
        for name in PROFILES:
            print(f"{name:6s} {' '.join(profile_args(name))}")
        return 0
    if args.command == "cleanup":
        print("removed:", " ".join(cleanup_stale()) or "nothing")
        return 0
    reason = lab_available()
    if reason:
        print(f"lab unavailable: {reason}", file=sys.stderr)
        return 77
    install_signal_exit()
    cmd = [c for c in getattr(args, "cmd", []) if c != "--"] if args.command == "run" else []
    if args.command == "run" and not cmd:
        parser.error("run needs a command after --")
    try:
        with Lab(args.emulator, args.profile, args.emu, args.seed, args.max_runtime,
                 realtime=args.realtime) as lab:
            env = dict(os.environ, LAB_NS_A=lab.ns_a, LAB_NS_B=lab.ns_b, LAB_ADDR_A=lab.addr_a, LAB_ADDR_B=lab.addr_b)
            print(f"lab: {lab.ns_a} {lab.addr_a} <-> {lab.ns_b} {lab.addr_b}; emulator {' '.join(lab.emu_args)}",
                  file=sys.stderr)
            if args.command == "up":
                deadline = time.monotonic() + args.max_runtime
                while time.monotonic() < deadline and lab.emu.poll() is None:
                    time.sleep(0.5)
                return 0
            argv = lab._argv(args.side, cmd) if args.side else cmd
            code = subprocess.run(argv, env=env, timeout=args.timeout).returncode
            final = lab.stop_emulator()
            for direction in ("a->b", "b->a"):
                if final and direction in final:
                    print(f"{direction}: " + " ".join(f"{k}={v}" for k, v in final[direction].items()),
                          file=sys.stderr)
            return code
    except KeyboardInterrupt:
        print("lab: interrupted, torn down", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
