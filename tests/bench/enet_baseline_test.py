#!/usr/bin/python3
"""CTest bench/enet_baseline_loopback: enet_baseline moves 8 MiB over 127.0.0.1 in order, both sides agree
on the byte count and report complete; a run cut short by its time cap reports partial (exit 2) with the
bytes that did arrive; bad usage exits 64. No root needed; a few seconds."""
import argparse
import json
import socket
import subprocess
import sys


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def transfer(binary, size, cap_s, sender_extra=()):
    port = free_udp_port()
    receiver = subprocess.Popen([binary, "receive", "--bind", "127.0.0.1", "--port", str(port), "--bytes",
                                 str(size), "--max-seconds", str(cap_s)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    try:
        receiver.stderr.readline()  # "listening on ..." once the socket is bound
        sender = subprocess.run([binary, "send", "--connect", "127.0.0.1:%d" % port, "--bytes", str(size),
                                 "--max-seconds", str(cap_s), *sender_extra],
                                capture_output=True, text=True, timeout=cap_s + 30)
        out, _ = receiver.communicate(timeout=cap_s + 30)
    finally:
        if receiver.poll() is None:
            receiver.kill()
            receiver.wait(timeout=5)
    return sender.returncode, json.loads(sender.stdout), receiver.returncode, json.loads(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--enet-baseline", required=True)
    binary = parser.parse_args().enet_baseline
    failures = []

    def check(condition, message):
        if not condition:
            failures.append(message)

    size = 8 << 20
    send_code, sent, receive_code, received = transfer(binary, size, 30)
    print("complete run:", sent, received)
    check(send_code == 0 and receive_code == 0, "exit codes %d/%d" % (send_code, receive_code))
    check(sent["bytes"] == size and received["bytes"] == size, "byte counts differ from %d" % size)
    check(sent["complete"] and received["complete"], "not complete")
    check(received["out_of_order"] == 0, "packets out of order")
    check(received["mb_s"] > 0 and received["seconds"] > 0, "no rate")

    # 4 GiB cannot cross in 1 s: the cap ends it, both sides say partial and report what moved.
    send_code, sent, receive_code, received = transfer(binary, 4 << 30, 1, ("--queue", "2"))
    print("capped run:", sent, received)
    check(send_code == 2 and receive_code == 2, "capped exit codes %d/%d" % (send_code, receive_code))
    check(not sent["complete"] and not received["complete"], "capped run claims complete")
    check(0 < received["bytes"] <= sent["bytes"] < 4 << 30, "capped byte counts")

    usage = subprocess.run([binary, "send", "--bytes", "12"], capture_output=True, timeout=10)
    check(usage.returncode == 64, "usage error exit %d" % usage.returncode)
    for message in failures:
        print("FAIL:", message)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
