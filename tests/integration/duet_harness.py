"""Drives `duet --headless` processes for integration tests (Python 3 standard library only).

A HeadlessPeer runs one duet process with its own temporary profile, feeds it command lines on stdin and
collects the JSON events it prints, one per line. Every wait has a deadline. Every line on stdout must be
a JSON object with an "event" key; anything else fails the test, since stdout is the scripting interface.
"""

import argparse
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

SKIP = 77  # CTest's SKIP_RETURN_CODE for these tests


class TestFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise TestFailure(message)


def escape(text):
    """Encodes text for a `say` or `name` line: backslash and newline are the only escapes."""
    return text.replace("\\", "\\\\").replace("\n", "\\n")


class HeadlessPeer:
    def __init__(self, duet, name, yes=False, profile=None, port=0, workdir=None, reconnect=False):
        self.name = name
        self._own_dir = workdir is None
        self.dir = workdir or tempfile.mkdtemp(prefix="duet-it-")
        self.profile = profile or os.path.join(self.dir, "profile-" + name)
        downloads = os.path.join(self.dir, "downloads-" + name)
        # --no-discovery: these tests talk over 127.0.0.1 only; LAN beacons would go out on real interfaces.
        command = [duet, "--headless", "--port", str(port), "--name", name, "--profile", self.profile,
                   "--downloads", downloads, "--no-discovery"]
        # Automatic redialling of pinned peers is off unless a test is about it: the others expect a
        # quiet peer that only connects when told to.
        if not reconnect:
            command.append("--no-reconnect")
        if yes:
            command.append("--yes")
        self._stderr = open(os.path.join(self.dir, "stderr-%s-%d.log" % (name, time.monotonic_ns())), "wb")
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._stderr, bufsize=0)
        self._cond = threading.Condition()
        self._pending = []   # events not yet consumed by a wait
        self.history = []    # every event, in order
        self.bad_lines = []  # stdout lines that were not a JSON event
        self._eof = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        listening = self.wait_for("listening", timeout=10)
        self.port = listening["port"]
        self.fingerprint = listening["fingerprint"]

    def _read(self):
        # Buffered here: a readline on the unbuffered pipe reads one byte per system call, which made
        # a large offer's event line (300 KB for 3,000 files) take seconds to arrive.
        for raw in io.BufferedReader(self.proc.stdout, 1 << 16):
            try:
                event = json.loads(raw.decode("utf-8"))
                ok = isinstance(event, dict) and "event" in event
            except (UnicodeDecodeError, ValueError):
                ok = False
            with self._cond:
                if ok:
                    self._pending.append(event)
                    self.history.append(event)
                else:
                    self.bad_lines.append(raw)
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def send(self, line):
        self.proc.stdin.write((line + "\n").encode("utf-8"))
        self.proc.stdin.flush()

    def wait_for(self, kind, match=None, timeout=10.0):
        """Returns (and consumes) the first unconsumed event of this kind that satisfies match."""
        deadline = time.monotonic() + timeout
        scanned = 0  # events before this index were already looked at: each wake scans only new ones
        with self._cond:
            while True:
                check(not self.bad_lines, "%s printed non-JSON on stdout: %r" % (self.name, self.bad_lines[:3]))
                for i in range(scanned, len(self._pending)):
                    event = self._pending[i]
                    if event["event"] == kind and (match is None or match(event)):
                        return self._pending.pop(i)
                scanned = len(self._pending)
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    recent = [e["event"] for e in self.history[-12:]]
                    raise TestFailure("%s: no %r event within %.1f s (exited: %s; recent: %s)"
                                      % (self.name, kind, timeout, self._eof, recent))
                self._cond.wait(min(left, 0.5))

    def count(self, kind):
        with self._cond:
            return sum(1 for e in self.history if e["event"] == kind)

    def alive(self):
        return self.proc.poll() is None

    def quit(self, timeout=5.0):
        self.send("quit")
        return self.proc.wait(timeout=timeout)

    def kill(self):
        self.proc.kill()
        self.proc.wait(timeout=5)

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=3)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._stderr.close()
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def stderr_text(self):
        self._stderr.flush()
        with open(self._stderr.name, "rb") as f:
            return f.read().decode("utf-8", "replace")


def blake(path):
    """The file's BLAKE2b-256 in hex, as Duet reports it in `transfer_done` (and as `b2sum -l 256`)."""
    digest = hashlib.blake2b(digest_size=32)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def free_port():
    """A UDP port on 127.0.0.1 that nothing uses right now (for peers that restart on the same port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connect_verified(initiator, responder, timeout=10.0):
    """initiator connects to responder; both must become verified. Returns (peer at initiator, at responder)."""
    initiator.send("connect 127.0.0.1:%d" % responder.port)
    at_initiator = initiator.wait_for("connected", timeout=timeout)
    at_responder = responder.wait_for("connected", timeout=timeout)
    check(at_initiator["code"] == at_responder["code"], "verification codes differ")
    check(at_initiator["fingerprint"] == responder.fingerprint, "initiator sees the wrong fingerprint")
    check(at_responder["fingerprint"] == initiator.fingerprint, "responder sees the wrong fingerprint")
    initiator.wait_for("verified", lambda e: e["peer"] == at_initiator["peer"], timeout=timeout)
    responder.wait_for("verified", lambda e: e["peer"] == at_responder["peer"], timeout=timeout)
    return at_initiator, at_responder


def chat(sender, receiver, text, timeout=10.0):
    """sender says text to its active peer; checks sent, message (exact text) and delivered."""
    sender.send("say " + escape(text))
    sent = sender.wait_for("sent", timeout=timeout)
    check(len(sent["id"]) == 16 and all(c in "0123456789abcdef" for c in sent["id"]), "bad id %r" % sent["id"])
    message = receiver.wait_for("message", lambda e: e["id"] == sent["id"], timeout=timeout)
    check(message["text"] == text, "text changed in transit (%d vs %d chars)" % (len(message["text"]), len(text)))
    check(message["from"] == sender.name, "from is %r, expected %r" % (message["from"], sender.name))
    check(message["time"] == sent["time"], "time differs between sent and message")
    sender.wait_for("delivered", lambda e: e["id"] == sent["id"], timeout=timeout)
    return sent["id"]


def run(test):
    """Entry point for a test script: parses --duet, runs test(duet, workdir), reports, exits."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--duet", required=True)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="duet-it-")
    started = time.monotonic()
    try:
        result = test(os.path.abspath(args.duet), workdir)
    except Exception:  # report any failure, including harness errors, then fail the test
        traceback.print_exc()
        print("FAIL after %.1f s (logs in %s)" % (time.monotonic() - started, workdir))
        sys.exit(1)
    if result == SKIP:
        shutil.rmtree(workdir, ignore_errors=True)
        sys.exit(SKIP)
    print("PASS in %.1f s" % (time.monotonic() - started))
    shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(0)
