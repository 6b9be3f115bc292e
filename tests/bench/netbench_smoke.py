#!/usr/bin/python3
"""CTest bench/netbench_smoke: netbench.py end to end on the tiny `smoke` profile (20 Mbit/s, 10 ms) with a
2 MiB file, so that the benchmark harness keeps working. Asserts a complete row per tool: Duet's file
arrived verified with chat latencies measured, CPU and peak RSS of both sides; iperf3, nc, scp and the
ENet baseline moved data. Needs root, /dev/net/tun and `ip netns`; otherwise SKIP, exit 77."""
import argparse
import csv
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(HERE, "..", "netlab"))
import lab as netlab  # noqa: E402

SIZE = 2 << 20
TOOLS = ("duet", "iperf3 tcp", "nc", "scp aes128-gcm", "enet 1 conn")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duet", required=True)
    parser.add_argument("--linkemu", required=True)
    parser.add_argument("--enet-baseline", required=True)
    args = parser.parse_args()
    reason = netlab.lab_available()
    if reason:
        print("SKIP: %s" % reason)
        return 77
    with tempfile.TemporaryDirectory(prefix="duet-netbench-smoke-") as workdir:
        table = os.path.join(workdir, "smoke.csv")
        run = subprocess.run([sys.executable, os.path.join(HERE, "netbench.py"), "--profiles", "smoke",
                              "--size", str(SIZE), "--quick", "--iperf-seconds", "1", "--cap", "30",
                              "--csv", table, "--dir", workdir, "--duet", args.duet, "--linkemu", args.linkemu,
                              "--enet-baseline", args.enet_baseline], capture_output=True, text=True, timeout=100)
        print(run.stdout)
        print(run.stderr, file=sys.stderr)
        if run.returncode == 77:
            return 77
        failures = [] if run.returncode == 0 else ["netbench exited %d" % run.returncode]
        rows = {}
        if os.path.exists(table):
            with open(table) as f:
                rows = {row["tool"]: row for row in csv.DictReader(f)}
        for tool in TOOLS:
            row = rows.get(tool)
            if row is None:
                failures.append("no row for %s" % tool)
                continue
            if row["complete"] != "True" or float(row["mb_s"]) <= 0 or row["profile"] != "smoke":
                failures.append("%s: incomplete row %r" % (tool, row))
            if float(row["link_ratio"]) > 1.05:
                failures.append("%s: faster than the link (%s)" % (tool, row["link_ratio"]))
        duet = rows.get("duet")
        if duet:
            if int(duet["bytes"]) != SIZE:
                failures.append("duet moved %s bytes" % duet["bytes"])
            if int(duet["chat_count"] or 0) < 1 or not duet["chat_p99_ms"] or int(duet["chat_missing"] or 0):
                failures.append("duet chat latency not measured: %r" % duet)
            elif float(duet["chat_p50_ms"]) < 5.0:  # one way crosses 5 ms of emulated delay
                failures.append("chat faster than the link's delay: %s ms" % duet["chat_p50_ms"])
            for key in ("cpu_send_s", "cpu_recv_s", "rss_send_mib", "rss_recv_mib"):
                if not duet[key] or float(duet[key]) <= 0:
                    failures.append("duet %s missing" % key)
        for message in failures:
            print("FAIL:", message)
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
