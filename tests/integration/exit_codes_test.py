"""Exit codes of `duet --headless`: 64 for usage errors, 69 when the port is taken, 74 when the profile
cannot be used, 0 on end of input; a failed start prints exactly one JSON error event first."""

import json
import os
import socket
import subprocess

import duet_harness as h


def run(duet, *args):
    result = subprocess.run([duet, *args], input=b"", capture_output=True, timeout=20)
    lines = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    return result.returncode, lines


def test(duet, workdir):
    profile = os.path.join(workdir, "profile")

    code, _ = run(duet, "--headless", "--no-such-flag")
    h.check(code == 64, "unknown flag: exit %d" % code)
    code, _ = run(duet, "--headless", "--port", "70000")
    h.check(code == 64, "port out of range: exit %d" % code)
    code, _ = run(duet, "--headless", "--name", "x" * 65, "--profile", profile)
    h.check(code == 64, "over-long name: exit %d" % code)

    taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    taken.bind(("0.0.0.0", 0))
    try:
        code, lines = run(duet, "--headless", "--port", str(taken.getsockname()[1]), "--profile", profile)
    finally:
        taken.close()
    h.check(code == 69, "port in use: exit %d" % code)
    h.check(len(lines) == 1 and lines[0]["event"] == "error" and lines[0]["reason"].startswith("cannot listen"),
            "one error event: %r" % lines)

    not_a_dir = os.path.join(workdir, "file")
    with open(not_a_dir, "w") as f:
        f.write("x")
    code, lines = run(duet, "--headless", "--port", "0", "--profile", not_a_dir)
    h.check(code == 74, "unusable profile: exit %d" % code)
    h.check(len(lines) == 1 and lines[0]["reason"].startswith("profile unusable"), "one error event: %r" % lines)

    code, lines = run(duet, "--headless", "--port", "0", "--profile", profile, "--no-discovery")
    h.check(code == 0, "end of input: exit %d" % code)
    h.check(lines and lines[0]["event"] == "listening", "listening first: %r" % lines[:1])


if __name__ == "__main__":
    h.run(test)
