"""Where benchmark processes run: the two namespaces of a netlab Lab, or this host over 127.0.0.1.

A Place starts processes on side "a" (the sender) or "b" (the receiver), knows each side's address and
cleans up every process it started. Standard library only.
"""
import os
import socket
import subprocess
import time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system CPU seconds of a live process (0.0 once it is gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def peak_rss_kib(pid):
    """VmHWM of a live process in KiB (0 once it is gone)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class LabPlace:
    """Side a = namespace A, side b = namespace B of a running netlab Lab."""

    def __init__(self, lab):
        self.lab = lab
        self.loopback = False

    def address(self, side):
        return self.lab.address(side)

    def argv(self, side, argv):
        return ["ip", "netns", "exec", self.lab.namespace(side), *argv]

    def popen(self, side, argv, **kwargs):
        return self.lab.popen(side, argv, **kwargs)

    def run(self, side, argv, timeout):
        return self.lab.run(side, argv, timeout=timeout, check=False)

    def free_port(self, _proto, fallback):
        return fallback  # the namespaces are ours alone

    def link_counters(self):
        counters = self.lab.counters()
        return counters["a->b"] if counters else None

    def close(self):
        pass  # the Lab terminates its children


class HostPlace:
    """Both sides on this host over 127.0.0.1 (no emulator)."""

    def __init__(self):
        self.children = []
        self.loopback = True

    def address(self, _side):
        return "127.0.0.1"

    def argv(self, _side, argv):
        return list(argv)

    def popen(self, _side, argv, **kwargs):
        kwargs.setdefault("stdout", subprocess.PIPE)
        kwargs.setdefault("stderr", subprocess.PIPE)
        kwargs.setdefault("text", True)
        child = subprocess.Popen(argv, **kwargs)
        self.children.append(child)
        return child

    def run(self, _side, argv, timeout):
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)

    def free_port(self, proto, _fallback):
        kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
        with socket.socket(socket.AF_INET, kind) as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    def link_counters(self):
        return None

    def close(self):
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


def wait_listening(place, side, port, proto, timeout=5.0):
    """Waits (bounded) until something listens on port in `side`; True if it does."""
    flag = "-Hltn" if proto == "tcp" else "-Hlun"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = place.run(side, ["ss", flag, "sport = :%d" % port], timeout=5).stdout
        if out.strip():
            return True
        time.sleep(0.05)
    return False


def stop(proc, timeout=3.0):
    """Terminates proc if it still runs, then reaps it (bounded)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)
