"""The web service under load: 50 concurrent clients on loopback against the aggregate pages of a
demo warehouse, for a bounded run; p50/p95/p99 latency per page (the issue's target: p95 < 50 ms).

The server runs in its own process (``carestat serve``, one uvicorn worker, as deployed). The 50
clients are asyncio tasks in this process, each with its own keep-alive HTTP/1.1 connection,
sending what a browser sends (``Accept-Encoding: gzip``) and looping over the pages from its own
starting point. They speak HTTP over asyncio streams directly rather than through httpx, whose
2-3 ms of CPU per request would make the load generator, not the server, the thing measured on
a 2-core machine. Every page is requested once before the run (that first, uncached render is
timed separately) so the run measures the steady state.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from benchmarks.common import WORK, save

CLIENTS = 50
SECONDS = 20.0  # the run stops after this long...
MAX_REQUESTS = 40_000  # ...or this many requests, whichever comes first
PAGES = [
    "/", "/la/805", "/la/318", "/la/873", "/la/805/scorecards/foster", "/la/805/scorecards/residential",
    "/la/805/scorecards/adoption", "/la/318/scorecards/foster", "/explore?la=805&indicator=cla_3plus_placements_pct",
    "/explore?la=873&indicator=cla_rate_per_10k", "/early-warning", "/early-warning?la=805", "/publications",
    "/api/la/805", "/api/la/805/scorecards/foster",
]


def demo_warehouse() -> Path:
    """The demo's warehouse (made with `carestat demo --no-serve` the first time)."""
    out = WORK / "web-demo"
    db = out / "carestat.duckdb"
    if not db.exists():
        from carestat.demo import run_demo

        run_demo(out, echo=lambda line: print("  demo:", line.splitlines()[0], flush=True))
    return db


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path, port: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "carestat", "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port),
           "--no-log-requests", "--users", str(WORK / "web-users.sqlite")]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy())
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/publications", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.25)
    server.terminate()
    raise RuntimeError("the server did not start within two minutes")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
    """One keep-alive GET; the response's status (its body read and dropped)."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\n"
                 f"Accept-Encoding: gzip\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = next(int(line.split(b":", 1)[1]) for line in lines if line.lower().startswith(b"content-length:"))
    await reader.readexactly(length)
    return int(lines[0].split()[1])


async def load(port: int) -> tuple[dict[str, list[float]], float, int]:
    timings: dict[str, list[float]] = {p: [] for p in PAGES}
    failures = 0
    stop_at = time.perf_counter() + SECONDS
    sent = 0

    async def client(n: int) -> None:
        nonlocal sent, failures
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        i = n
        while time.perf_counter() < stop_at and sent < MAX_REQUESTS:
            path = PAGES[i % len(PAGES)]
            i += 1
            sent += 1
            started = time.perf_counter()
            status = await fetch(reader, writer, path)
            timings[path].append(1000 * (time.perf_counter() - started))
            failures += status != 200
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    return timings, time.perf_counter() - started, failures


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (Linux /proc), to tell the server's own cost per
    request apart from time spent waiting for a core on a busy machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "unknown"


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    db = demo_warehouse()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = start_server(db, port)
    startup = time.perf_counter() - started
    try:
        first = {}
        with httpx.Client(base_url=base, timeout=60) as http:
            for path in PAGES:
                t = time.perf_counter()
                http.get(path).raise_for_status()
                first[path] = round(1000 * (time.perf_counter() - t), 1)
        load_before = load_average()
        server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
        timings, seconds, failures = asyncio.run(load(port))
        server_cpu, client_cpu = cpu_seconds(server.pid) - server_cpu, time.process_time() - client_cpu
        load_after = load_average()
    finally:
        server.terminate()
        server.wait(timeout=30)
    every = [t for ts in timings.values() for t in ts]
    pages = {p: {"requests": len(ts), "p50_ms": round(percentile(ts, 50), 1), "p95_ms": round(percentile(ts, 95), 1),
                 "p99_ms": round(percentile(ts, 99), 1), "first_uncached_ms": first[p]}
             for p, ts in timings.items() if ts}
    overall = {"requests": len(every), "failures": failures, "seconds": round(seconds, 1),
               "requests_per_second": round(len(every) / seconds), "p50_ms": round(percentile(every, 50), 1),
               "p95_ms": round(percentile(every, 95), 1), "p99_ms": round(percentile(every, 99), 1),
               "mean_ms": round(statistics.fmean(every), 1),
               # CPU per request: the code's cost, whatever the machine's load; a core's share.
               "server_cpu_ms_per_request": round(1000 * server_cpu / len(every), 3),
               "server_cpu_share_of_one_core": round(server_cpu / seconds, 2),
               "client_cpu_share_of_one_core": round(client_cpu / seconds, 2)}
    for path, row in pages.items():
        print(f"  {path:55} p50 {row['p50_ms']:6.1f}  p95 {row['p95_ms']:6.1f}  p99 {row['p99_ms']:6.1f} ms "
              f"(first {row['first_uncached_ms']} ms)")
    print(f"  all pages: {overall}; server ready in {startup:.1f}s; load average before the run {load_before}, "
          f"after {load_after}")
    payload = {"clients": CLIENTS, "seconds_bound": SECONDS, "server_startup_s": round(startup, 1),
               "load_average_before": load_before, "load_average_after": load_after, "overall": overall,
               "pages": pages}
    print(f"saved {save('web', payload)}")


if __name__ == "__main__":
    main()
