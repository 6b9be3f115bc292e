#!/usr/bin/python3
"""Traffic probes for the network lab, run inside a lab namespace (stdlib only).

Every command is bounded in time and count and prints one JSON object on stdout:
  ping            ICMP echo (the kernel on the far side answers): RTTs, lost sequence numbers
  seq-send        numbered UDP datagrams at a fixed interval (or a paced rate)
  seq-recv        receives seq-send traffic: counts, missing, duplicates, reordering, corruption, rate
  echo-server     UDP echo that records every client source port it sees (NAT rebinding)
  echo-client     sends echo requests, reports which came back
Only addresses given on the command line are used; the lab only ever passes its own 10.88.X.Y peers.
"""
import argparse
import json
import os
import select
import socket
import struct
import sys
import time
import zlib

HEADER = struct.Struct("!IQ")  # sequence number, sender's monotonic time in ns
IP_UDP_OVERHEAD = 28


def now_ns():
    return time.monotonic_ns()


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def summarize(values):
    if not values:
        return {}
    ordered = sorted(values)
    n = len(ordered)
    return {
        "min": ordered[0],
        "p10": ordered[n // 10],
        "median": ordered[n // 2],
        "p90": ordered[min(n - 1, (n * 9) // 10)],
        "max": ordered[-1],
        "mean": sum(ordered) / n,
    }


def make_datagram(seq, size):
    """Header, deterministic filler, then a CRC-32 of everything before it (detects any corruption)."""
    body_len = max(0, size - HEADER.size - 4)
    unit = bytes((seq * 31 + i) & 0xFF for i in range(256))
    data = HEADER.pack(seq, now_ns()) + (unit * (body_len // 256 + 1))[:body_len]
    return data + struct.pack("!I", zlib.crc32(data))


def datagram_intact(data):
    return len(data) >= HEADER.size + 4 and struct.unpack("!I", data[-4:])[0] == zlib.crc32(data[:-4])


def cmd_ping(args):
    ident = os.getpid() & 0xFFFF
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sock.setblocking(False)
    sent_at = {}
    rtts = {}
    interval_ns = int(args.interval * 1e9)
    start = now_ns()
    deadline = start + interval_ns * args.count + int(args.timeout * 1e9)
    next_send = start
    seq = 0
    while now_ns() < deadline and (seq < args.count or len(rtts) < seq):
        now = now_ns()
        if seq < args.count and now >= next_send:
            header = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
            body = struct.pack("!Q", now) + b"duet-netlab-ping"
            packet = struct.pack("!BBHHH", 8, 0, checksum(header + body), ident, seq) + body
            sock.sendto(packet, (args.dst, 0))
            sent_at[seq] = now
            seq += 1
            next_send = start + seq * interval_ns
            continue
        wake = min(next_send if seq < args.count else deadline, deadline)
        ready, _, _ = select.select([sock], [], [], max(0.0, (wake - now_ns()) / 1e9))
        if not ready:
            continue
        for _ in range(64):
            try:
                data = sock.recv(2048)
            except BlockingIOError:
                break
            header_len = (data[0] & 0x0F) * 4
            icmp = data[header_len:header_len + 8]
            if len(icmp) < 8:
                continue
            kind, _, _, reply_id, reply_seq = struct.unpack("!BBHHH", icmp)
            if kind == 0 and reply_id == ident and reply_seq in sent_at and reply_seq not in rtts:
                rtts[reply_seq] = (now_ns() - sent_at[reply_seq]) / 1e6
    lost = [s for s in range(seq) if s not in rtts]
    result = {
        "sent": seq,
        "received": len(rtts),
        "lost_seqs": lost,
        "interval_s": args.interval,
        "rtt_ms": summarize(list(rtts.values())),
        "rtts_ms": [round(rtts[s], 4) if s in rtts else None for s in range(seq)],
    }
    print(json.dumps(result))


def open_udp(bind, port=0):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((bind, port))
    return sock


def cmd_seq_send(args):
    sock = open_udp(args.bind or "0.0.0.0", args.src_port)
    if args.rate:
        gap_ns = int((args.size + IP_UDP_OVERHEAD) * 8 * 1e9 / args.rate)
    else:
        gap_ns = int(args.interval * 1e9)
    count = args.count
    if args.duration:
        count = min(count, int(args.duration * 1e9 / gap_ns) + 1)
    start = now_ns()
    hard_deadline = start + gap_ns * count + 5_000_000_000
    sent = 0
    while sent < count and now_ns() < hard_deadline:
        due = start + sent * gap_ns
        wait = due - now_ns()
        if wait > 200_000:
            time.sleep((wait - 100_000) / 1e9)
            continue
        payload = make_datagram(sent, args.size)
        try:
            sock.sendto(payload, (args.dst, args.port))
        except OSError:
            pass  # ENOBUFS under overload: the datagram is simply not sent
        sent += 1
    print(json.dumps({"sent": sent, "size": args.size, "seconds": (now_ns() - start) / 1e9}))


def cmd_seq_recv(args):
    sock = open_udp(args.bind, args.port)
    sock.setblocking(False)
    start = now_ns()
    deadline = start + int(args.duration * 1e9)
    idle_ns = int(args.idle * 1e9)
    seen = set()
    order = []
    duplicates = corrupted = total_bytes = 0
    first = last = None
    highest = -1
    reordered = 0
    while now_ns() < deadline:
        ready, _, _ = select.select([sock], [], [], 0.05)
        if not ready:
            if last is not None and now_ns() - last > idle_ns:
                break
            continue
        for _ in range(256):
            try:
                data = sock.recv(65536)
            except BlockingIOError:
                break
            arrival = now_ns()
            if not datagram_intact(data):
                corrupted += 1
                continue
            seq, _ = HEADER.unpack_from(data)
            first = arrival if first is None else first
            last = arrival
            total_bytes += len(data)
            if seq in seen:
                duplicates += 1
                continue
            if seq < highest:
                reordered += 1
            highest = max(highest, seq)
            seen.add(seq)
            order.append(seq)
    received = len(seen)
    span = (last - first) / 1e9 if first is not None and last != first else 0.0
    packets = received + duplicates
    result = {
        "received": received,
        "duplicates": duplicates,
        "reordered": reordered,
        "corrupted": corrupted,
        "missing": sorted(set(range(args.expect)) - seen) if args.expect else [],
        "bytes": total_bytes,
        "seconds": span,
        "goodput_bps": (total_bytes * 8 / span) if span else 0.0,
        "wire_bps": ((total_bytes + packets * IP_UDP_OVERHEAD) * 8 / span) if span else 0.0,
    }
    print(json.dumps(result))


def cmd_echo_server(args):
    sock = open_udp(args.bind, args.port)
    sock.setblocking(False)
    deadline = now_ns() + int(args.duration * 1e9)
    ports = []  # distinct client source ports, in order of first appearance
    requests = 0
    while now_ns() < deadline:
        ready, _, _ = select.select([sock], [], [], 0.05)
        if not ready:
            continue
        for _ in range(256):
            try:
                data, peer = sock.recvfrom(65536)
            except BlockingIOError:
                break
            requests += 1
            if peer[1] not in [p for p, _ in ports]:
                ports.append((peer[1], requests))
            sock.sendto(data, peer)
    print(json.dumps({"requests": requests, "source_ports": [p for p, _ in ports],
                      "first_request_per_port": [n for _, n in ports]}))


def cmd_echo_client(args):
    sock = open_udp(args.bind or "0.0.0.0", args.src_port)
    sock.setblocking(False)
    interval_ns = int(args.interval * 1e9)
    start = now_ns()
    deadline = start + interval_ns * args.count + int(args.timeout * 1e9)
    answered = set()
    reply_sources = set()
    seq = 0
    while now_ns() < deadline and (seq < args.count or len(answered) < seq):
        if seq < args.count and now_ns() >= start + seq * interval_ns:
            sock.sendto(HEADER.pack(seq, now_ns()), (args.dst, args.port))
            seq += 1
            continue
        ready, _, _ = select.select([sock], [], [], 0.01)
        if not ready:
            continue
        for _ in range(64):
            try:
                data, peer = sock.recvfrom(2048)
            except BlockingIOError:
                break
            if len(data) >= HEADER.size:
                answered.add(HEADER.unpack_from(data)[0])
                reply_sources.add(f"{peer[0]}:{peer[1]}")
    print(json.dumps({"sent": seq, "answered": len(answered), "local_port": sock.getsockname()[1],
                      "unanswered": sorted(set(range(seq)) - answered), "reply_sources": sorted(reply_sources)}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    ping = sub.add_parser("ping")
    ping.add_argument("--dst", required=True)
    ping.add_argument("--count", type=int, default=20)
    ping.add_argument("--interval", type=float, default=0.05)
    ping.add_argument("--timeout", type=float, default=2.0)
    send = sub.add_parser("seq-send")
    send.add_argument("--dst", required=True)
    send.add_argument("--port", type=int, required=True)
    send.add_argument("--bind")
    send.add_argument("--src-port", type=int, default=0)
    send.add_argument("--count", type=int, default=100)
    send.add_argument("--interval", type=float, default=0.002)
    send.add_argument("--rate", type=float, help="IP-level bit/s; overrides --interval")
    send.add_argument("--duration", type=float, help="stop after this many seconds")
    send.add_argument("--size", type=int, default=1200)
    recv = sub.add_parser("seq-recv")
    recv.add_argument("--bind", required=True)
    recv.add_argument("--port", type=int, required=True)
    recv.add_argument("--duration", type=float, default=10.0)
    recv.add_argument("--idle", type=float, default=1.0, help="stop this long after the last datagram")
    recv.add_argument("--expect", type=int, default=0)
    server = sub.add_parser("echo-server")
    server.add_argument("--bind", required=True)
    server.add_argument("--port", type=int, required=True)
    server.add_argument("--duration", type=float, default=10.0)
    client = sub.add_parser("echo-client")
    client.add_argument("--dst", required=True)
    client.add_argument("--port", type=int, required=True)
    client.add_argument("--bind")
    client.add_argument("--src-port", type=int, default=0)
    client.add_argument("--count", type=int, default=50)
    client.add_argument("--interval", type=float, default=0.05)
    client.add_argument("--timeout", type=float, default=1.0)
    args = parser.parse_args()
    commands = {"ping": cmd_ping, "seq-send": cmd_seq_send, "seq-recv": cmd_seq_recv,
                "echo-server": cmd_echo_server, "echo-client": cmd_echo_client}
    commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
