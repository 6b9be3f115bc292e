#!/usr/bin/env python3
"""Loopback file-transfer benchmark of the real `duet --headless` (not a CTest).

Sends one sparse file (1 GiB by default; --size 10G for the 10 GiB memory check) from one process to
another on 127.0.0.1 and prints a table: size, seconds, throughput, and the peak RSS (VmHWM) of the
sender and the receiver, sampled from /proc while it runs. The received file is deleted afterwards.
Usage: transfer_bench.py --duet build/files/src/app/duet [--size 1G] [--dir /var/tmp]
"""

import argparse
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import duet_harness as h  # noqa: E402


def parse_size(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text[-1].upper() in units:
        return int(float(text[:-1]) * units[text[-1].upper()])
    return int(text)


def peak_rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duet", required=True)
    parser.add_argument("--size", default="1G")
    parser.add_argument("--dir", default=None, help="where the sparse source and the received copy go")
    args = parser.parse_args()
    size = parse_size(args.size)
    workdir = tempfile.mkdtemp(prefix="duet-bench-", dir=args.dir)
    sender = receiver = None
    try:
        source = os.path.join(workdir, "bench.bin")
        with open(source, "wb") as f:
            f.truncate(size)
        sender = h.HeadlessPeer(os.path.abspath(args.duet), "sender", yes=True, workdir=workdir)
        receiver = h.HeadlessPeer(os.path.abspath(args.duet), "receiver", yes=True, workdir=workdir)
        h.connect_verified(sender, receiver)
        started = time.monotonic()
        sender.send('send "%s"' % source)
        offer = sender.wait_for("offer_sent", timeout=30)["offer"]
        deadline = started + max(120, size / (5 << 20))
        finished = None
        while finished is None and time.monotonic() < deadline:
            try:
                finished = receiver.wait_for("offer_finished", lambda e: e["offer"] == offer, timeout=1)
            except h.TestFailure:
                pass
        seconds = time.monotonic() - started
        send_rss = peak_rss_kib(sender.proc.pid)
        recv_rss = peak_rss_kib(receiver.proc.pid)
        if finished is None or finished["state"] != "done":
            print("transfer did not finish: %r" % finished)
            return 1
        print("| size | seconds | MiB/s | sender peak RSS | receiver peak RSS |")
        print("|---|---|---|---|---|")
        print("| %.2f GiB | %.1f | %.1f | %.1f MiB | %.1f MiB |" % (
            size / (1 << 30), seconds, size / (1 << 20) / seconds, send_rss / 1024, recv_rss / 1024))
        return 0
    finally:
        for peer in (sender, receiver):
            if peer is not None:
                peer.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
