#!/usr/bin/python3
"""Launch-to-first-frame of the window under a private Xvfb (a benchmark, not a test).

Starts `duet` RUNS times, each on a fresh profile, with DUET_PRINT_STARTUP_MS=1: the app prints
"duet: startup ms=N (exec to first swap)" on stderr after its first buffer swap. Prints every run and the
median. Use a Release build; the number includes the dynamic loader, fontconfig and the first GL frame
(llvmpipe). With --against OTHER the two builds take turns (A B B A ...) on the same Xvfb, so a machine
whose load changes during the runs weighs on both alike; each gets RUNS runs and its own median. Every
wait is bounded.

  tests/gui/startup_bench.py --duet build/release/src/app/duet [--runs 5] [--against /tmp/duet-before]
"""

import argparse
import itertools
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gui_harness import free_udp_port_pair, start_xvfb  # noqa: E402


def one_run(duet, env, workdir, index):
    port, _ = free_udp_port_pair()
    profile = os.path.join(workdir, f"profile-{index}")
    process = subprocess.Popen([duet, "--port", str(port), "--profile", profile, "--name", "Bench",
                                "--no-discovery", "--no-reconnect", "--no-port-mapping"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    found = None
    try:
        while time.monotonic() < deadline and found is None:
            line = process.stderr.readline()
            if not line:
                break
            found = re.search(r"startup ms=(\d+)", line)
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    if found is None:
        raise SystemExit(f"run {index}: no startup line within 20 s")
    return int(found.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duet", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--against", help="a second duet binary to alternate with --duet")
    args = parser.parse_args()
    builds = [args.duet] + ([args.against] if args.against else [])
    xvfb, display, fd = start_xvfb()
    workdir = tempfile.mkdtemp(prefix="duet-startup-")
    env = dict(os.environ, DISPLAY=display, LIBGL_ALWAYS_SOFTWARE="1", DUET_PRINT_STARTUP_MS="1", HOME=workdir,
               XDG_DATA_HOME=os.path.join(workdir, "data"), XDG_CONFIG_HOME=os.path.join(workdir, "config"))
    env.pop("WAYLAND_DISPLAY", None)
    times = {build: [] for build in builds}
    launches = itertools.count()  # each launch gets a fresh profile
    try:
        for i in range(max(1, min(args.runs, 50))):
            for build in (builds if i % 2 == 0 else builds[::-1]):
                times[build].append(one_run(build, env, workdir, next(launches)))
    finally:
        xvfb.terminate()
        try:
            xvfb.wait(5)
        except subprocess.TimeoutExpired:
            xvfb.kill()
        os.close(fd)
        shutil.rmtree(workdir, ignore_errors=True)
    for build in builds:
        if len(builds) > 1:
            print(build)
        print("runs (ms):", " ".join(str(t) for t in times[build]))
        print("median (ms):", statistics.median(times[build]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
