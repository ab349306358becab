"""Runs every benchmark of issue 9 and prints one table, with each target
and whether this run met it; the full output of each part goes to the
report file too. Needs root (the Dovecot benchmarks start sandboxed
instances) and a build (build/). About 5-10 minutes.

    sudo bench/run [REPORT-FILE]      (default: bench-report.txt)
"""

import io
import os
import re
import subprocess
import sys
import time
from contextlib import redirect_stdout

import delivery_rate
import imap_memory
import notify_latency
from bench_common import CONFIGURATIONS

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("LNOTIFY_BUILD_DIR", os.path.join(HERE, "..", "build"))


def tool_output(argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def main():
    report_path = sys.argv[1] if len(sys.argv) > 1 else "bench-report.txt"
    quick = os.environ.get("LNOTIFY_BENCH_QUICK") == "1"  # a smoke run (CI)
    report = io.StringIO()
    rows = []  # (what, figure, target, met)

    def section(title, text):
        report.write(f"\n## {title}\n\n{text}\n")
        print(f"\n## {title}\n\n{text}", flush=True)

    began = time.time()
    # 1. Delivery cost
    rates = delivery_rate.run(rounds=2 if quick else 5, per_client=20 if quick else 100, clients=4)
    text = "\n".join(f"({c}) {CONFIGURATIONS[c]:45} {r:8.1f}/s  {r / rates['a']:5.3f} x (a)"
                     for c, r in rates.items())
    section("Delivery cost: LMTP deliveries/s, 4 clients", text)
    rows.append(("(c) / (a) delivery rate", f"{rates['c'] / rates['a']:.3f}", ">= 0.98",
                 rates["c"] / rates["a"] >= 0.98))
    rows.append(("(c) / (b) delivery rate", f"{rates['c'] / rates['b']:.3f}", ">= 1.00",
                 rates["c"] >= rates["b"]))
    no_fsync = rates["c'"]
    rows.append(("(c') / (a), spool without fdatasync", f"{no_fsync / rates['a']:.3f}", "(reported)", None))
    rows.append(("(d) / (a) delivery rate", f"{rates['d'] / rates['a']:.3f}", "(reported)", None))

    # 2. Latency
    latencies, split, lost = notify_latency.run(500 if quick else 10000)
    out = io.StringIO()
    with redirect_stdout(out):
        print(f"{len(latencies)} deliveries, {lost} datagrams not received")
        for name, values in (("end to end", latencies),
                             ("hand-over", [s[0] for s in split]),
                             ("queue", [s[1] for s in split]),
                             ("send", [s[2] for s in split])):
            p50, p99, p999 = notify_latency.summary(values)
            print(f"{name:12} p50 {p50:7.3f} ms  p99 {p99:7.3f} ms  p99.9 {p999:7.3f} ms")
    section("Latency: LMTP reply -> datagram", out.getvalue().rstrip())
    dispatcher_side = [q + s for _, q, s in split]
    p50, p99, _ = notify_latency.summary(dispatcher_side)
    rows.append(("dispatcher-side p50 (queue+send)", f"{p50:.3f} ms", "<= 0.5 ms", p50 <= 0.5))
    rows.append(("dispatcher-side p99 (queue+send)", f"{p99:.3f} ms", "<= 2 ms", p99 <= 2.0))
    p50, p99, p999 = notify_latency.summary(latencies)
    rows.append(("end to end p50 / p99 / p99.9", f"{p50:.2f} / {p99:.2f} / {p999:.2f} ms", "(reported)", None))

    # 3. Dispatcher throughput and memory (and the hand-over alternatives)
    env = dict(os.environ)
    if quick:
        env["LNOTIFY_BENCH_QUEUED"] = "5000"
    text = subprocess.run([os.path.join(BUILD, "bench", "lnotify-bench"), "", "200" if quick else "2000"],
                          check=True, capture_output=True, text=True, env=env).stdout
    section("Hand-over and dispatcher (lnotify-bench)", text.rstrip())
    cpu = re.search(r"per CPU second .* CPU, (\d+) per second", text)
    wall = re.search(r"sending all over UDP, durable .*s, (\d+) per second", text)
    rss = re.search(r"resident memory added by the queue\s+([0-9.]+) MiB", text)
    if cpu:
        rows.append(("dispatcher, UDP, durable, per CPU-s", f"{cpu.group(1)}/s", ">= 20000/s",
                     int(cpu.group(1)) >= 20000))
    if wall:
        rows.append(("dispatcher, same, wall clock", f"{wall.group(1)}/s", "(reported)", None))
    if rss and not quick:
        rows.append(("resident memory, 100,000 queued", f"{rss.group(1)} MiB", "<= 64 MiB",
                     float(rss.group(1)) <= 64))

    # 4. Encoders
    encoders = os.path.join(BUILD, "bench", "lnotify-encoders-bench")
    if os.path.exists(encoders):
        text = tool_output([encoders, "--benchmark_min_time=0.1" if quick else "--benchmark_min_time=0.5"])
        section("Encoders (Google Benchmark)", text.rstrip())
        for name in ("EmnXml", "Xemn", "WbxmlPush"):
            m = re.search(rf"^{name}\s+\S+ ns\s+(\S+) ns", text, re.M)
            if m:
                per_second = 1e9 / float(m.group(1))
                rows.append((f"encoder {name} (CPU time)", f"{per_second / 1e6:.2f} M/s", ">= 1 M/s",
                             per_second >= 1e6))

    # 5. imap memory
    figures = imap_memory.run(3 if quick else 5)
    (rss_a, priv_a), (rss_c, priv_c) = figures["a"], figures["c"]
    section("imap process memory (KiB)",
            f"stock: resident {rss_a:.0f}, private {priv_a:.0f}\n"
            f"lnotify: resident {rss_c:.0f}, private {priv_c:.0f}")
    rows.append(("imap process: private memory added", f"{(priv_c - priv_a) / 1024:.2f} MiB", "<= 1 MiB",
                 priv_c - priv_a <= 1024))
    rows.append(("imap process: resident added (shared code)", f"{(rss_c - rss_a) / 1024:.2f} MiB",
                 "(reported)", None))

    table = io.StringIO()
    table.write(f"{'measure':44} {'this run':>24} {'target':>12}  met\n")
    for what, figure, target, met in rows:
        table.write(f"{what:44} {figure:>24} {target:>12}  {'' if met is None else ('yes' if met else 'NO')}\n")
    table.write(f"\n({time.time() - began:.0f} s{', quick smoke run' if quick else ''})")
    section("Summary", table.getvalue())
    with open(report_path, "w") as f:
        f.write("# lnotify benchmark report\n" + report.getvalue())
    print(f"\nreport written to {report_path}")


if __name__ == "__main__":
    main()
