"""netbench --with-tcp: is Duet a good citizen? One iperf3 TCP flow (A to B, the system's congestion
control) starts DELAY_S after Duet's transfer and competes with it over the same emulated link for
--iperf-seconds. Two rows: Duet's transfer (whole run) and the TCP flow's goodput while they competed;
issue 7 asks that TCP keeps at least 30 % of the link. netbench sizes Duet's file so that it outlasts
the TCP flow at the link's rate; a TCP row that did not compete all along is marked incomplete.
"""
import json
import threading

import bench_duet
import bench_places as places
import bench_tools as tools

DELAY_S = 4.0  # Duet is past start-up by then, so TCP meets its steady state


def run_duet_with_tcp(place, duet, iperf_seconds, source, size, cap_s, workdir):
    port = place.free_port("tcp", tools.IPERF_PORT + 1)
    server = place.popen("b", ["iperf3", "-s", "-1", "-B", place.address("b"), "-p", str(port)])
    tcp = {}

    def compete():
        done = place.run("a", ["iperf3", "-c", place.address("b"), "-p", str(port), "-t", str(iperf_seconds),
                               "-J"], timeout=iperf_seconds + 30)
        tcp["report"] = done.stdout

    try:
        if not places.wait_listening(place, "b", port, "tcp"):
            raise RuntimeError("iperf3 server did not listen")
        timer = threading.Timer(DELAY_S, compete)
        timer.start()
        try:
            duet_row = bench_duet.run_duet(place, duet, source, size, cap_s, workdir)
        finally:
            timer.join(timeout=iperf_seconds + 60)
        duet_row["tool"] = "duet vs tcp"
        duet_row["note"] = "whole transfer; iperf3 competed from %.0f s for %d s" % (DELAY_S, iperf_seconds)
        report = json.loads(tcp.get("report") or "{}")
        if "end" not in report or "sum_received" not in report["end"]:
            raise RuntimeError("competing iperf3: %s" % report.get("error", "no result"))
        received = report["end"]["sum_received"]
        # Duet's clock starts at its `send`, a little after the timer that starts TCP, so this errs short.
        overlap = max(0.0, min(duet_row.get("seconds", 0.0) - DELAY_S, float(iperf_seconds)))
        note = "iperf3 while duet sends, %s" % report["end"].get("sender_tcp_congestion", "?")
        if overlap < iperf_seconds:
            note += "; duet ended %.1f s into it" % overlap
        tcp_row = {"tool": "tcp vs duet", "bytes": received["bytes"], "seconds": received["seconds"],
                   "complete": overlap >= iperf_seconds, "note": note}
        return [duet_row, tcp_row]
    finally:
        places.stop(server)
