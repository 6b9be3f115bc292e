"""The reference tools of netbench, each moving data from side a to side b of a Place: iperf3 TCP
(memory to memory, time-based), nc and scp (disk to disk, the same file Duet sends) and one stock ENet
reliable connection (enet_baseline, memory to memory). Each returns a result dict like bench_duet's.
Every run is capped in time; a capped run reports the bytes that arrived. Standard library only.
"""
import json
import os
import subprocess
import time

import bench_places as places

IPERF_PORT = 5201
NC_PORT = 5202
ENET_PORT = 5203
SSH_PORT = 2222
POLL_S = 0.01
SSH_CIPHERS = {"aes128-gcm": "aes128-gcm@openssh.com", "chacha20": "chacha20-poly1305@openssh.com"}


def finish_copy(place, receiver, sender_argv, size, dest, cap_s, stdin_path=None, clock_from_dest=False):
    """Starts the sender on a, waits for sender and receiver (at most cap_s), measures dest. The clock runs
    from the sender's start, or with clock_from_dest from when dest appears (scp: login not counted), to
    when dest holds every byte (polled every POLL_S)."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    started = time.monotonic()
    try:
        sender = place.popen("a", sender_argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=False)
    finally:
        if stdin is not subprocess.DEVNULL:
            stdin.close()
    running = [p for p in (sender, receiver) if p is not None]
    clock_start = None if clock_from_dest else started
    last_byte = None  # when dest first reached the full size: session teardown is not counted
    deadline = started + cap_s
    while time.monotonic() < deadline and any(p.poll() is None for p in running):
        now = time.monotonic()
        if clock_start is None and os.path.exists(dest):
            clock_start = now
        if last_byte is None and os.path.exists(dest) and os.path.getsize(dest) >= size:
            last_byte = now
        time.sleep(POLL_S)
    ended = last_byte or time.monotonic()
    timed_out = any(p.poll() is None for p in running)
    for proc in running:
        places.stop(proc)
    received = os.path.getsize(dest) if os.path.exists(dest) else 0
    errors = sender.stderr.read().decode("utf-8", "replace").strip() if sender.stderr else ""
    seconds = ended - (clock_start if clock_start is not None else ended)
    result = {"bytes": received, "seconds": seconds, "complete": received == size and not timed_out}
    if timed_out:
        result["note"] = "timed out at %.1f MB" % (received / 1e6)
    elif received != size:
        result["note"] = "incomplete (%d of %d bytes; exit %s) %s" % (received, size, sender.returncode,
                                                                     errors[-200:])
    return result


def run_nc(place, source, size, cap_s, workdir):
    port = place.free_port("tcp", NC_PORT)
    dest = os.path.join(workdir, "nc.out")
    with open(dest, "wb") as out:
        receiver = place.popen("b", ["nc", "-l", place.address("b"), str(port)], stdout=out,
                               stderr=subprocess.DEVNULL, text=False)
    try:
        if not places.wait_listening(place, "b", port, "tcp"):
            raise RuntimeError("nc did not listen")
        result = finish_copy(place, receiver, ["nc", "-N", place.address("b"), str(port)], size, dest, cap_s,
                             stdin_path=source)
    finally:
        places.stop(receiver)
        if os.path.exists(dest):
            os.unlink(dest)
    result.setdefault("note", "disk to disk, plain TCP")
    return dict(result, tool="nc")


class Sshd:
    """A throwaway sshd on side b: fresh host and client keys in a temporary folder, key login only."""

    def __init__(self, place, workdir):
        self.place = place
        self.dir = os.path.join(workdir, "ssh")
        os.makedirs(self.dir, exist_ok=True)
        self.port = place.free_port("tcp", SSH_PORT)
        self.host_key = os.path.join(self.dir, "host_ed25519")
        self.client_key = os.path.join(self.dir, "client_ed25519")
        for key in (self.host_key, self.client_key):
            if not os.path.exists(key):
                subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "duet-bench", "-f", key],
                               check=True, capture_output=True, timeout=20)
        authorized = os.path.join(self.dir, "authorized_keys")
        with open(self.client_key + ".pub") as src, open(authorized, "w") as dst:
            dst.write(src.read())
        config = os.path.join(self.dir, "sshd_config")
        with open(config, "w") as f:
            f.write("HostKey %s\nAuthorizedKeysFile %s\nPidFile %s\nUsePAM no\nStrictModes no\n"
                    "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
                    "Subsystem sftp internal-sftp\n"
                    % (self.host_key, authorized, os.path.join(self.dir, "sshd.pid")))
        # sshd insists on its privilege separation folder; Debian creates it only when the service starts.
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        self.proc = place.popen("b", ["/usr/sbin/sshd", "-D", "-e", "-f", config, "-p", str(self.port),
                                      "-o", "ListenAddress=%s" % place.address("b")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if not places.wait_listening(place, "b", self.port, "tcp"):
            places.stop(self.proc)
            raise RuntimeError("sshd did not start: %s" % self.proc.stderr.read()[-300:])

    def _options(self, cipher):
        return ["-i", self.client_key, "-c", cipher, "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "Compression=no",
                "-o", "LogLevel=ERROR"]

    def _login(self):
        return "%s@%s" % (os.environ.get("USER") or "root", self.place.address("b"))

    def scp_argv(self, cipher, source, dest):
        return ["scp", "-q", "-P", str(self.port), *self._options(cipher), source, "%s:%s" % (self._login(), dest)]

    def close(self):
        places.stop(self.proc)


def run_scp(place, sshd, cipher_name, source, size, cap_s, workdir):
    """The clock starts when scp creates the destination, after its login (Duet's rows exclude connecting)."""
    dest = os.path.join(workdir, "scp.out")
    try:
        result = finish_copy(place, None, sshd.scp_argv(SSH_CIPHERS[cipher_name], source, dest), size, dest, cap_s,
                             clock_from_dest=True)
    finally:
        if os.path.exists(dest):
            os.unlink(dest)
    result.setdefault("note", "disk to disk, from the first byte (login excluded)")
    return dict(result, tool="scp " + cipher_name)


def run_iperf3(place, seconds):
    port = place.free_port("tcp", IPERF_PORT)
    server = place.popen("b", ["iperf3", "-s", "-1", "-B", place.address("b"), "-p", str(port)])
    try:
        if not places.wait_listening(place, "b", port, "tcp"):
            raise RuntimeError("iperf3 server did not listen")
        done = place.run("a", ["iperf3", "-c", place.address("b"), "-p", str(port), "-t", str(seconds), "-J"],
                         timeout=seconds + 30)
        report = json.loads(done.stdout)
        if "end" not in report or "sum_received" not in report["end"]:
            raise RuntimeError("iperf3: %s" % report.get("error", "no result"))
        end = report["end"]
        received = end["sum_received"]
        congestion = end.get("sender_tcp_congestion", "?")
        return {"tool": "iperf3 tcp", "bytes": received["bytes"], "seconds": received["seconds"], "complete": True,
                "note": "memory to memory, %s, %d retransmits" % (congestion, end["sum_sent"].get("retransmits", 0))}
    finally:
        places.stop(server)


def run_enet(place, enet_baseline, size, cap_s):
    port = place.free_port("udp", ENET_PORT)
    receiver = place.popen("b", [enet_baseline, "receive", "--bind", place.address("b"), "--port", str(port),
                                 "--bytes", str(size), "--max-seconds", str(cap_s)])
    try:
        if not places.wait_listening(place, "b", port, "udp"):
            raise RuntimeError("enet_baseline did not listen")
        place.run("a", [enet_baseline, "send", "--connect", "%s:%d" % (place.address("b"), port),
                        "--bytes", str(size), "--max-seconds", str(cap_s)], timeout=cap_s + 30)
        out, err = receiver.communicate(timeout=30)
    finally:
        places.stop(receiver)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError("enet_baseline printed no result: %s" % err[-300:])
    report = json.loads(lines[-1])
    result = {"tool": "enet 1 conn", "bytes": report["bytes"], "seconds": report["seconds"],
              "complete": report["complete"] and report["out_of_order"] == 0,
              "note": "memory to memory, reliable 64 KiB, 16 in flight"}
    if not report["complete"]:
        result["note"] = "timed out at %.1f MB" % (report["bytes"] / 1e6)
    return result
