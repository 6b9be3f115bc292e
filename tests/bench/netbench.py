#!/usr/bin/python3
"""Side-by-side throughput benchmark of Duet over emulated links (issue 7). Not a CI test.

For each profile (tests/netlab/lab.py: lan, wifi, wan, bad; also smoke) it builds one lab (two network
namespaces joined by duet-linkemu) and runs, one after the other over that same link, from A to B:
  duet        one file disk to disk (two `duet --headless`), chat every ~50 ms from the sender meanwhile:
              one-way latency to the receiver's `message` event (p50/p99) and to `delivered` (ack);
              CPU seconds and peak RSS (VmHWM) of both processes
  iperf3 tcp  memory to memory for --iperf-seconds (the system's congestion control, reported)
  nc          the same file disk to disk over plain TCP
  scp         the same file to a throwaway sshd in B (cipher aes128-gcm unless --scp-ciphers)
  enet        one stock ENet 1.3.17 reliable connection, 64 KiB packets, 16 in flight (enet_baseline)
With --loopback there is no emulator: both sides on 127.0.0.1, 1 GiB, scp with aes128-gcm and chacha20.
Each measurement is capped (--cap seconds); a capped row says "timed out at X MB" and its MB/s is the
rate so far. MB = 10^6 bytes. q-drops: packets dropped A->B by the emulator's drop-tail queue
during the row. Prints one table and writes --csv. Needs root, /dev/net/tun and `ip netns`
(not for --loopback); exits 77 when the lab cannot be built.

  tests/bench/netbench.py [--profiles lan,wifi,wan,bad] [--size 256M] [--csv out.csv] [--quick]
  tests/bench/netbench.py --loopback [--size 1G]
"""
import argparse
import csv
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "netlab"))
import bench_compete  # noqa: E402
import bench_duet  # noqa: E402
import bench_places as places  # noqa: E402
import bench_tools as tools  # noqa: E402
import lab as netlab  # noqa: E402

ALL_TOOLS = ("duet", "iperf3", "nc", "scp", "enet", "duet+tcp")
FIELDS = ["profile", "link_mbit", "rtt_ms", "jitter_ms", "loss_pct", "tool", "bytes", "seconds", "mb_s",
          "link_ratio", "complete", "note", "chat_count", "chat_missing", "chat_p50_ms", "chat_p99_ms",
          "chat_ack_p50_ms", "chat_ack_p99_ms", "cpu_send_s", "cpu_recv_s", "rss_send_mib", "rss_recv_mib",
          "link_queue_drops", "link_lost"]
LAN_NOTE = ("lan runs at 1 Gbit/s: duet-linkemu sustains 1.3-1.7 Gbit/s of TCP with SCHED_FIFO on the 2-core "
            "reference VM (tests/netlab/README.md); rates count IP bytes, so payload tops out ~3-4 % lower")


def parse_size(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text and text[-1].upper() in units:
        return int(float(text[:-1]) * units[text[-1].upper()])
    return int(text)


def find_binary(relative):
    """Newest build/*/<relative>, Release builds first (the figures are meant for optimised code)."""
    found = []
    for path in (HERE.parent.parent / "build").glob("*/" + relative):
        cache = path.parents[len(Path(relative).parts) - 1] / "CMakeCache.txt"
        release = cache.exists() and "CMAKE_BUILD_TYPE:STRING=Release" in cache.read_text(errors="replace")
        found.append((release, path.stat().st_mtime, str(path)))
    return max(found)[2] if found else None


def make_source(path, size):
    """Random (incompressible) content, written once and shared by every tool of the run."""
    block = 8 << 20
    with open(path, "wb") as f:
        left = size
        while left > 0:
            f.write(os.urandom(min(block, left)))
            left -= block
    return path


def compete_source(profile, args, source, size, workdir):
    """The file for duet+tcp: large enough that Duet, even alone at the link rate, is still sending when
    the competing flow ends (on lan 256 MiB took 3.9 s, over before TCP began at 4 s)."""
    if not profile:
        return source, size
    needed = int(profile["rate"] / 8 * (bench_compete.DELAY_S + args.iperf_seconds))
    if needed <= size:
        return source, size
    path = os.path.join(workdir, "compete-%d.bin" % needed)
    if not os.path.exists(path):
        make_source(path, needed)
    return path, needed


def measure(place, tool, args, source, size, workdir, servers, profile=None):
    """Runs one tool; returns one or more result dicts (scp: one per cipher)."""
    if tool == "duet":
        return [bench_duet.run_duet(place, args.duet, source, size, args.cap, workdir)]
    if tool == "iperf3":
        return [tools.run_iperf3(place, args.iperf_seconds)]
    if tool == "nc":
        return [tools.run_nc(place, source, size, args.cap, workdir)]
    if tool == "scp":
        if "sshd" not in servers:
            servers["sshd"] = tools.Sshd(place, workdir)
        sshd = servers["sshd"]
        return [tools.run_scp(place, sshd, cipher, source, size, args.cap, workdir) for cipher in args.scp_ciphers]
    if tool == "enet":
        return [tools.run_enet(place, args.enet_baseline, size, args.cap)]
    if tool == "duet+tcp":
        source, size = compete_source(profile, args, source, size, workdir)
        return bench_compete.run_duet_with_tcp(place, args.duet, args.iperf_seconds, source, size, args.cap, workdir)
    raise ValueError(tool)


def run_place(place, profile_name, profile, args, source, size, workdir):
    rows = []
    servers = {}  # started on first use, stopped at the end of the place
    try:
        for tool in args.tools:
            before = place.link_counters()
            try:
                results = measure(place, tool, args, source, size, workdir, servers, profile)
            except Exception as error:  # one broken tool must not hide the others' figures
                results = [{"tool": tool, "bytes": 0, "seconds": 0.0, "complete": False,
                            "note": "error: %s" % str(error)[-300:]}]
            after = place.link_counters()
            for result in results:
                row = complete_row(result, profile_name, profile)
                if before and after:
                    row["link_queue_drops"] = after["queue_drops"] - before["queue_drops"]
                    row["link_lost"] = after["lost"] - before["lost"]
                rows.append(row)
                print_row(row, flush=True)
    finally:
        for server in servers.values():
            server.close()
    return rows


def complete_row(result, profile_name, profile):
    row = dict(result, profile=profile_name)
    row["mb_s"] = result["bytes"] / 1e6 / result["seconds"] if result["seconds"] > 0 else 0.0
    if profile:
        row.update(link_mbit=profile["rate"] / 1e6, rtt_ms=profile["rtt_ms"], jitter_ms=profile["jitter_ms"],
                   loss_pct=profile["loss"] * 100)
        row["link_ratio"] = row["mb_s"] * 8e6 / profile["rate"]
    return row


def fmt(value, spec):
    return "-" if value is None or value == "" else format(value, spec)


HEADER = ("%-7s %-15s %9s %6s %7s  %-8s %17s %11s %13s %6s %7s  %s"
          % ("profile", "tool", "MB/s", "×link", "seconds", "result", "chat p50/p99 ms", "ack p99 ms",
             "CPU s snd/rcv", "RSS MiB", "q-drops", "note"))


def print_row(row, flush=False):
    chat = "%s/%s" % (fmt(row.get("chat_p50_ms"), ".1f"), fmt(row.get("chat_p99_ms"), ".1f"))
    if row.get("chat_missing"):
        chat += " (%d lost)" % row["chat_missing"]
    cpu = "%s/%s" % (fmt(row.get("cpu_send_s"), ".1f"), fmt(row.get("cpu_recv_s"), ".1f"))
    rss = "%s/%s" % (fmt(row.get("rss_send_mib"), ".0f"), fmt(row.get("rss_recv_mib"), ".0f"))
    result = "done" if row["complete"] else "partial"
    print("%-7s %-15s %9.2f %6s %7.1f  %-8s %17s %11s %13s %6s %7s  %s"
          % (row["profile"], row["tool"], row["mb_s"], fmt(row.get("link_ratio"), ".2f"), row["seconds"], result,
             chat, fmt(row.get("chat_ack_p99_ms"), ".1f"), cpu, rss, fmt(row.get("link_queue_drops"), "d"),
             row.get("note", "")), flush=flush)


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("%.4f" % v if isinstance(v, float) else v) for k, v in row.items()})


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duet", default=None,
                        help="duet binary (default: newest build/*/src/app/duet, Release builds first)")
    parser.add_argument("--linkemu", default=None, help="duet-linkemu binary (default: like --duet)")
    parser.add_argument("--enet-baseline", default=None, help="enet_baseline binary (default: like --duet)")
    parser.add_argument("--profiles", default="lan,wifi,wan,bad")
    parser.add_argument("--loopback", action="store_true", help="no emulator: 127.0.0.1, default size 1G")
    parser.add_argument("--size", default=None, help="file size (default 256M, loopback 1G, quick 32M)")
    parser.add_argument("--tools", default=None, help="comma list of %s (default: all)" % ",".join(ALL_TOOLS))
    parser.add_argument("--scp-ciphers", default=None,
                        help="aes128-gcm and/or chacha20 (default: aes128-gcm; loopback: both)")
    parser.add_argument("--cap", type=float, default=None, help="seconds per measurement (default 60, quick 20)")
    parser.add_argument("--iperf-seconds", type=int, default=None, help="default 10, quick 2")
    parser.add_argument("--quick", action="store_true", help="smaller file and shorter runs")
    parser.add_argument("--with-tcp", action="store_true",
                        help="add the duet+tcp tool: an iperf3 TCP flow competing with Duet's transfer")
    parser.add_argument("--csv", default=None)
    parser.add_argument("--dir", default="/var/tmp", help="where the source file and received copies go")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.size = parse_size(args.size or ("32M" if args.quick else "1G" if args.loopback else "256M"))
    args.cap = args.cap or (20.0 if args.quick else 60.0)
    args.iperf_seconds = args.iperf_seconds or (2 if args.quick else 10)
    default_tools = "duet,scp,nc,enet" if args.loopback else ",".join(ALL_TOOLS)
    args.tools = [t for t in (args.tools or default_tools).split(",") if t]
    if args.with_tcp and "duet+tcp" not in args.tools:
        args.tools.append("duet+tcp")
    args.scp_ciphers = (args.scp_ciphers or ("aes128-gcm,chacha20" if args.loopback else "aes128-gcm")).split(",")
    args.profiles = [p for p in args.profiles.split(",") if p]
    for tool in args.tools:
        if tool not in ALL_TOOLS:
            parser.error("unknown tool %r" % tool)
    for cipher in args.scp_ciphers:
        if cipher not in tools.SSH_CIPHERS:
            parser.error("unknown scp cipher %r" % cipher)
    for profile in args.profiles:
        if profile not in netlab.PROFILES:
            parser.error("unknown profile %r (known: %s)" % (profile, ", ".join(netlab.PROFILES)))
    args.duet = args.duet or find_binary("src/app/duet")
    args.linkemu = args.linkemu or find_binary("tests/netlab/duet-linkemu")
    args.enet_baseline = args.enet_baseline or find_binary("tests/bench/enet_baseline")
    needed = {"duet": args.duet, "enet": args.enet_baseline}
    if not args.loopback:
        needed["linkemu"] = args.linkemu
    for name, path in needed.items():
        if (name in args.tools or name == "linkemu" or (name == "duet" and "duet+tcp" in args.tools)) and not (path and os.access(path, os.X_OK)):
            parser.error("no %s binary: build it or pass its path" % name)
    for name in ("duet", "linkemu", "enet_baseline"):
        value = getattr(args, name)
        if value:
            setattr(args, name, os.path.abspath(value))
    return args


def main():
    args = parse_args()
    if not args.loopback:
        reason = netlab.lab_available()
        if reason:
            print("SKIP: lab unavailable: %s" % reason)
            return 77
    netlab.install_signal_exit()
    workdir = tempfile.mkdtemp(prefix="duet-netbench-", dir=args.dir)
    rows = []
    try:
        print("duet %s\nenet_baseline %s" % (args.duet, args.enet_baseline))
        if not args.loopback:
            print("duet-linkemu %s (seed %d)" % (args.linkemu, args.seed))
        print("file %d bytes (%.0f MiB) of random data, cap %.0f s per measurement, load average %.2f %.2f %.2f"
              % ((args.size, args.size / (1 << 20), args.cap) + os.getloadavg()))
        if "lan" in args.profiles and not args.loopback:
            print(LAN_NOTE)
        source = make_source(os.path.join(workdir, "bench.bin"), args.size)
        print(HEADER, flush=True)
        if args.loopback:
            place = places.HostPlace()
            try:
                rows += run_place(place, "loopback", None, args, source, args.size, workdir)
            finally:
                place.close()
        for name in ([] if args.loopback else args.profiles):
            profile = netlab.PROFILES[name]
            with netlab.Lab(args.linkemu, profile=name, seed=args.seed,
                            max_runtime_s=int(len(args.tools) * (args.cap + 60) + 120)) as lab:
                rows += run_place(places.LabPlace(lab), name, profile, args, source, args.size, workdir)
        print("\n" + HEADER)
        for row in rows:
            print_row(row)
        if args.csv:
            write_csv(args.csv, rows)
            print("csv: %s" % args.csv)
    except KeyboardInterrupt:
        print("netbench: interrupted, torn down", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if any(row.get("note", "").startswith("error") for row in rows) else 0


if __name__ == "__main__":
    started = time.monotonic()
    code = main()
    print("netbench: %.0f s" % (time.monotonic() - started), file=sys.stderr)
    sys.exit(code)
