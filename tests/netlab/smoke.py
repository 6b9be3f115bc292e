#!/usr/bin/python3
"""CTest smoke test of the network lab (a few seconds): builds a 20 Mbit/s, 10 ms RTT lab and checks
RTT, a paced UDP transfer against the rate, a blackout window, and that the same seed drops the same
packets. Exits 77 (SKIP) when the machine cannot build a lab (not root, no TUN, no `ip netns`)."""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab as netlab  # noqa: E402

PORT = 47001
failures = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        failures.append(message)


def run_json(lab, side, args, timeout):
    return json.loads(lab.run(side, lab.probe(*args), timeout=timeout).stdout)


def udp_transfer(lab, count, interval=None, rate=None, size=1200, seconds=None):
    """Sequence-numbered datagrams A -> B; returns the receiver's report."""
    receiver = lab.popen("b", lab.probe("seq-recv", "--bind", lab.addr_b, "--port", str(PORT), "--duration", "8",
                                        "--idle", "0.3", "--expect", str(count)))
    send = ["seq-send", "--dst", lab.addr_b, "--port", str(PORT), "--count", str(count), "--size", str(size)]
    send += ["--rate", str(rate)] if rate else ["--interval", str(interval)]
    if seconds:
        send += ["--duration", str(seconds)]
    # The receiver needs a moment to bind; a lost head of the stream would only shift the pattern,
    # but it would also show up as missing. Wait until its socket exists.
    lab.run("b", ["sh", "-c", f"for i in $(seq 50); do ss -Hlun sport = :{PORT} | grep -q . && exit 0; "
                  "sleep 0.02; done; exit 1"], timeout=5, check=False)
    run_json(lab, "a", send, timeout=15)
    out, _ = receiver.communicate(timeout=12)
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--emulator", required=True)
    args = parser.parse_args()
    reason = netlab.lab_available()
    if reason is None and not os.access(args.emulator, os.X_OK):
        reason = f"emulator {args.emulator} missing"
    if reason:
        print(f"SKIP: network lab unavailable here ({reason})")
        return 77
    netlab.install_signal_exit()
    netlab.cleanup_stale()

    with netlab.Lab(args.emulator, profile="smoke", seed=11, max_runtime_s=120) as lab:
        ping = run_json(lab, "a", ["ping", "--dst", lab.addr_b, "--count", "20", "--interval", "0.02"], timeout=10)
        median = ping["rtt_ms"].get("median", 0)
        check(ping["received"] == 20, f"all 20 pings answered ({ping['received']})")
        check(9.5 <= median <= 12.0, f"RTT median {median:.2f} ms for a configured 10 ms")

        # Offer 30 Mbit/s for 1 s to a 20 Mbit/s link: the IP-level rate that arrives must be ~20.
        transfer = udp_transfer(lab, count=100000, rate=30e6, seconds=1.0)
        mbps = transfer["wire_bps"] / 1e6
        counters = lab.counters()
        check(18.0 <= mbps <= 21.0, f"UDP arrives at {mbps:.2f} Mbit/s on a 20 Mbit/s link")
        check(counters["a->b"]["queue_drops"] > 0, f"queue dropped the excess ({counters['a->b']['queue_drops']})")

        # Blackout from 0.3 s to 0.8 s after (re)start: pings sent every 20 ms in that window are lost.
        lab.start_emulator(netlab.profile_args("smoke") + ["--both", "blackout-at=300ms-800ms"])
        ping = run_json(lab, "a", ["ping", "--dst", lab.addr_b, "--count", "60", "--interval", "0.02", "--timeout", "0.3"], timeout=10)
        lost = ping["lost_seqs"]
        gap_s = (max(lost) - min(lost) + 1) * 0.02 if lost else 0.0
        final = lab.stop_emulator()
        check(0.4 <= gap_s <= 0.62 and len(lost) >= 18, f"blackout gap {gap_s:.2f} s, {len(lost)} pings lost")
        check(final["a->b"]["blackout"] + final["b->a"]["blackout"] >= len(lost),
              f"emulator counted blackout drops ({final['a->b']['blackout']}+{final['b->a']['blackout']})")

        # Reproducibility: 10 % loss A->B, 300 datagrams; same seed => same missing sequence numbers.
        patterns = {}
        for run, seed in (("first", 7), ("again", 7), ("other", 8)):
            lab.start_emulator(netlab.profile_args("smoke") + ["--ab", "loss=10%"], seed=seed)
            report = udp_transfer(lab, count=300, interval=0.001, size=200)
            final = lab.stop_emulator()
            patterns[run] = report["missing"]
            check(final["a->b"]["lost"] == len(report["missing"]),
                  f"seed {seed}: emulator lost {final['a->b']['lost']}, receiver missed {len(report['missing'])}")
        check(10 <= len(patterns["first"]) <= 55, f"about 10 % lost ({len(patterns['first'])} of 300)")
        check(patterns["first"] == patterns["again"], "same seed, same drop pattern")
        check(patterns["first"] != patterns["other"], "another seed, another drop pattern")

    print(f"netlab smoke: {'PASS' if not failures else 'FAIL'} ({len(failures)} failures)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
