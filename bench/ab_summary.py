"""Summary of a bench/ab run: req/s of each scenario per binary and round, the median per
binary, p99, and server / PostgreSQL CPU seconds per 1,000 requests (medians)."""
import json
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

out = Path(sys.argv[1])
runs = defaultdict(list)  # (backend, scenario, name) -> [scenario record]
names, scenarios = [], []
for f in sorted(out.glob("*.json")):
    m = re.match(r"(sqlite|postgres)-(.+)-(\d+)(\.[a-z0-9-]+)?\.json$", f.name)
    if not m:
        continue
    backend, name, _, _ = m.groups()
    if name not in names:
        names.append(name)
    for s in json.loads(f.read_text())["scenarios"]:
        if s["scenario"] not in scenarios:
            scenarios.append(s["scenario"])
        runs[(backend, s["scenario"], name)].append(s)


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, digits=0):
    return "–" if x is None else f"{x:,.{digits}f}"


print(f"# bench/ab: {', '.join(names)}\n")
print("Median over rounds; every round ran each binary in turn. Figures: req/s (each round), p99 ms, "
      "server CPU s / 1k requests, PostgreSQL CPU s / 1k requests, WAL bytes per request (pg_stat_wal).\n")
for backend in ("sqlite", "postgres"):
    if not any(k[0] == backend for k in runs):
        continue
    print(f"## {backend}\n")
    print("| scenario | binary | req/s (median) | rounds | p99 ms | server CPU/1k | PostgreSQL CPU/1k | WAL B/req | vs first |")
    print("|---|---|---:|---|---:|---:|---:|---:|---:|")
    for sc in scenarios:
        base = None
        for name in names:
            rs = runs.get((backend, sc, name), [])
            if not rs:
                continue
            rps = med([r["requests_per_s"] for r in rs])
            p99 = med([r["latency_ms"].get("p99") for r in rs])
            cpu = med([r.get("server", {}).get("cpu_s_per_1k_req") for r in rs])
            db = med([(r.get("db") or {}).get("cpu_s_per_1k_req") for r in rs])
            wal = med([(r.get("db") or {}).get("wal_bytes_per_req") for r in rs])
            each = " / ".join(fmt(r["requests_per_s"]) for r in rs)
            if base is None:
                base = rps
            rel = f"{(rps / base - 1) * 100:+.1f}%" if base else "–"
            print(f"| {sc} | {name} | {fmt(rps)} | {each} | {fmt(p99, 1)} | {fmt(cpu, 3)} | {fmt(db, 3)} | {fmt(wal)} | {rel} |")
    print()
