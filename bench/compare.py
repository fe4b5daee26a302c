#!/usr/bin/env python3
"""Hokusai Registry against the reference MLflow server, side by side: the same workloads, the same
client, the same machine, each workload against one server at a time and against every server in
turn before the next. Writes docs/BENCHMARKS.md (and the raw numbers to
docs/BENCHMARKS.json). Run it through `bench/run`, which builds the release binary and the venv.

Usage: python bench/compare.py [--binary .build/release/hokusai] [--quick] [--workers 1,4] [--no-write]
"""

import argparse
import dataclasses
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import http_suite  # noqa: E402
import load  # noqa: E402
from client_floor import FloorServer  # noqa: E402
import report  # noqa: E402
import wrk_suite  # noqa: E402
from servers import PeakMemory, copy_data, free_port, start_hokusai, start_mlflow  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@dataclasses.dataclass
class Scale:
    ops: int = 200
    raw_seconds: int = 5
    batches: int = 50
    searches: int = 30
    artifacts: int = 10
    search_runs: int = 10_000
    big_mb: int = 1024
    load_seconds: int = 30
    load_clients: int = 16
    wrk_seconds: int = 15


# Whole scans per server, servers in turn: MLflow's take 7 s each; ours vary more than the page
# (one scan in a run can meet a slow spell of the machine), so the p50 needs a few.
FULL_SCANS = 5

# The MLflow client's workloads run against every server and the client's own cost (the floor) in
# one process, call by call (bench/client_suite.py): measured one server after another, each by a
# process of its own, a spell of the machine lasting seconds fell on one and not the next (ours 2x
# slower in one round of two; the client's own CPU per call 34 ms in one process, 47 in the next).
# Two such processes, the servers' order reversed in the second.
CLIENT_ROUNDS = 2

# The client floor's name among the client suite's targets.
FLOOR = "client floor"

QUICK = Scale(raw_seconds=1, ops=30, batches=10, searches=10, artifacts=3, search_runs=1_000, big_mb=128, load_seconds=5, wrk_seconds=5)


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def client_process(server, script, arguments, timeout=3600):
    """A bench script using the MLflow Python client, in a process of its own with the server's
    settings (MLFLOW_TRACKING_URI, and MLFLOW_TRACKING_TOKEN for a server with keys); its JSON output."""
    env = {**os.environ, "MLFLOW_TRACKING_URI": server.tracking_uri}
    env.pop("MLFLOW_TRACKING_TOKEN", None)
    if server.key:
        env["MLFLOW_TRACKING_TOKEN"] = server.key
    command = [sys.executable, str(Path(__file__).parent / script), *arguments]
    output = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    if output.returncode != 0:
        raise RuntimeError(f"{script} {arguments[0]} against {server.name} failed: {output.stderr[-2000:]}")
    return json.loads(output.stdout)


def client_counts(scale):
    """Calls per operation in one client round: the scale's counts shared out between the rounds."""
    def share(total):
        return max(1, -(-total // CLIENT_ROUNDS))
    return {"ops": max(10, share(scale.ops // 2)), "batches": share(scale.batches),
            "searches": share(scale.searches), "artifacts": share(scale.artifacts)}


def client_arguments(counts, targets):
    """bench/client_suite.py's arguments: calls per operation, and each target as (name, tracking
    URI, search experiment, whether it takes artifacts)."""
    arguments = ["--ops", str(counts["ops"]), "--batches", str(counts["batches"]),
                 "--searches", str(counts["searches"]), "--artifacts", str(counts["artifacts"])]
    for name, uri, experiment, artifacts in targets:
        arguments += ["--server", name, uri, experiment, "1" if artifacts else "0"]
    return arguments


def client_side_by_side(servers, scale, experiments):
    """The MLflow client's workloads against every server and, beside ours, against a server that
    does no work (bench/client_floor.py: recorded from ours in a short first pass, then replaying;
    no artifacts), in CLIENT_ROUNDS processes. Returns {name: {operation: [ms, ...]}}, the floor's
    under FLOOR."""
    ours = next(server for server in servers if server.key)
    port = free_port()
    with FloorServer(ours.url.removeprefix("http://"), port) as floor:
        floor_target = (FLOOR, f"http://127.0.0.1:{port}{ours.api_prefix}", experiments[ours.name], False)
        recording = {"ops": 10, "batches": 2, "searches": 2, "artifacts": 0}
        client_process(ours, "client_suite.py", client_arguments(recording, [floor_target]))
        floor.replaying = True
        targets = [(server.name, server.tracking_uri, experiments[server.name], True) for server in servers]
        targets.insert(servers.index(ours) + 1, floor_target)
        pooled = {}
        for round_number in range(CLIENT_ROUNDS):
            order = targets if round_number % 2 == 0 else targets[::-1]
            ours.fresh_key()
            log(f"the MLflow client against {', '.join(t[0] for t in order)}, call by call (round {round_number + 1} of {CLIENT_ROUNDS})")
            for name, operations in client_process(ours, "client_suite.py", client_arguments(client_counts(scale), order)).items():
                for operation, samples in operations.items():
                    pooled.setdefault(name, {}).setdefault(operation, []).extend(samples)
    if floor.misses:
        raise RuntimeError(f"the client floor's replay missed {floor.misses} answers")
    return pooled


def client_load(server, arguments):
    """A concurrent or large workload through the MLflow client, the server's memory sampled meanwhile."""
    with PeakMemory(server) as memory:
        result = client_process(server, "client_load.py", arguments)
    result["peak_rss_mib"] = memory.peak
    return result


def prepare(server, scale, results, seeded_experiment=None):
    """A started server's idle memory and its seeded search runs (or the copied ones)."""
    time.sleep(2)
    results[server.name] = {"start_seconds": server.started_seconds, "idle_rss_mib": server.rss_mib()}
    server.fresh_key()
    if seeded_experiment is None:
        log(f"{server.name}: seeding {scale.search_runs} runs for search")
        seeded_experiment, seconds, retries = http_suite.seed_search(server, scale.search_runs)
        results[server.name]["seed_seconds"], results[server.name]["seed_retries"] = seconds, retries
    results[server.name]["search_experiment"] = seeded_experiment
    return seeded_experiment


def measure(servers, scale, work, results):
    """Every workload against every server, one server at a time but each workload against all of
    them before the next (each raw operation, too): the machine's speed drifts over a run (seen
    here: the same client 40% slower an hour later), and this way it drifts for all alike."""
    experiments = {server.name: results[server.name]["search_experiment"] for server in servers}

    def each(label, key, action):
        for server in servers:
            server.fresh_key()
            log(f"{server.name}: {label}")
            results[server.name][key] = action(server)

    log(f"raw HTTP under wrk, {scale.raw_seconds} s per operation, each against every server in turn")
    for name, raw in wrk_suite.side_by_side(servers, scale.raw_seconds, experiments).items():
        results[name]["raw"] = raw
    scans = {server.name: [] for server in servers}
    for _ in range(FULL_SCANS):
        for server in servers:
            server.fresh_key()
            scans[server.name] += http_suite.full_scan(http_suite.Api(server), experiments[server.name], scale.search_runs, repeat=1)
    for name, samples in scans.items():
        results[name]["raw"][f"search_full_scan_{scale.search_runs}"] = samples
    client = client_side_by_side(servers, scale, experiments)
    for server in servers:
        results[server.name]["client"] = client[server.name]
        if server.key:
            results[server.name]["client_floor"] = client[FLOOR]
    each(f"{scale.load_clients} concurrent writers for {scale.load_seconds} s", "concurrent",
         lambda server: load.concurrent_log_batch(server, scale.load_clients, scale.load_seconds))
    each(f"{scale.load_clients} MLflow clients (processes) writing for {scale.load_seconds} s", "client_concurrent",
         lambda server: client_load(server, ["writers", "--clients", str(scale.load_clients), "--seconds", str(scale.load_seconds)]))
    each(f"authenticated get_run under wrk for {scale.wrk_seconds} s", "wrk", lambda server: load.wrk_get_run(server, scale.wrk_seconds))
    each(f"a {scale.big_mb} MB artifact", "big", lambda server: load.big_artifact(server, scale.big_mb, work))
    each(f"a {scale.big_mb} MB artifact through the MLflow client", "client_big",
         lambda server: client_load(server, ["artifact", "--size-mb", str(scale.big_mb), "--folder", work]))


def hokusai_start_seconds(binary, work, count=5):
    """Start to healthy on a fresh folder, several times (the first start of the suite included)."""
    samples = []
    for index in range(count):
        server = start_hokusai(binary, os.path.join(work, f"start-{index}"))
        samples.append(server.started_seconds)
        server.stop()
    return statistics.median(samples)


def machine():
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.machine())
    memory = next((int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    return f"{model}, {os.cpu_count()} cores, {memory / 1024 / 1024:.0f} GiB, {platform.system()} {platform.release()}"


def versions(binary):
    revision = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    import mlflow
    return {"hokusai": revision, "mlflow": mlflow.__version__, "python": platform.python_version()}


def render(servers, scale, quick, command):
    ours = versions(None)
    rounds = {name: count * CLIENT_ROUNDS for name, count in client_counts(scale).items()}
    lines = [
        "# Benchmarks: Hokusai Registry and the MLflow server, side by side",
        "",
        f"Generated by `{command}` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC.",
        "",
        f"- Machine: {machine()}; client, load generator and server share it.",
        f"- Hokusai Registry `{ours['hokusai']}` (release build, SQLite + local artifacts, `hokusai serve` defaults, "
        f"requests authenticated with a Bearer key) against `mlflow server` {ours['mlflow']} (SQLite backend, "
        "`--serve-artifacts`, 127.0.0.1, no authentication) with 1 worker and with 4 (MLflow's default).",
        f"- Scale{' (quick run: numbers are indicative only)' if quick else ''}: raw HTTP calls back to back for "
        f"{scale.raw_seconds} s per operation (wrk, one connection; a full scan by http.client, {FULL_SCANS} times, each page's token found "
        "without parsing it and the pages parsed and counted after the clock stops); through the "
        f"MLflow client {rounds['ops']} calls per operation, "
        f"{rounds['batches']} batches of 1,000 metrics, "
        f"{rounds['searches']} searches, {rounds['artifacts']} "
        f"artifacts of 10 MB, each call against every server and the client's own cost in turn before the next (in "
        f"{CLIENT_ROUNDS} processes, the order reversed in the second); {scale.search_runs:,} runs seeded for search; "
        f"{scale.load_clients} writers for {scale.load_seconds} s (raw connections, then MLflow clients in processes of "
        f"their own), wrk for {scale.wrk_seconds} s, a {scale.big_mb} MB artifact (raw, then through the client).",
        "- Raw p95s are wrk's: corrected for coordinated omission (wrk counts a stall of N ms as if the calls "
        "a steady caller would have made meanwhile had waited too), so a rare stall weighs far more than in a "
        "plain percentile of the calls made; the p50s are barely moved by it. Both servers are measured alike.",
        "- Every server starts on fresh data and stays up for the whole run; each workload (each raw operation "
        "too) runs against one server at a time, against all of them in turn before the next, so the machine's "
        "drift in speed over a run falls on all alike. MLflow with 4 workers runs on a copy of the 1-worker "
        "server's data (so its search runs are not seeded twice). Python's client costs are in every number "
        "alike; ops/s is calls completed per second, one call at a time.",
        "",
    ]
    lines += report.targets(servers) + [""]
    lines += report.latency_table("Raw keep-alive HTTP (wrk, one connection, calls back to back)", servers, "raw") + [""]
    lines += report.latency_table("Through the MLflow Python client (what a user's code sees)", servers, "client") + [""]
    lines += report.floor_table(servers) + [""]
    lines += report.load_tables(servers) + [""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=str(ROOT / ".build" / "release" / "hokusai"))
    parser.add_argument("--quick", action="store_true", help="small scale, for trying the harness (numbers indicative only)")
    parser.add_argument("--workers", default="1,4", help="MLflow worker counts to compare with (default 1,4; empty for none)")
    parser.add_argument("--no-write", action="store_true", help="print the report without writing docs/BENCHMARKS.md")
    parser.add_argument("--command", default="bench/run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    scale = QUICK if args.quick else Scale()
    servers = {}
    with tempfile.TemporaryDirectory(prefix="hokusai-bench-") as work:
        running = []
        try:
            running.append(start_hokusai(args.binary, os.path.join(work, "hokusai")))
            prepare(running[0], scale, servers)
            seeded = None
            for workers in [int(w) for w in args.workers.split(",") if w.strip()]:
                folder = os.path.join(work, f"mlflow-{workers}w")
                if seeded:
                    # The first MLflow server is idle once seeded, and its SQLite file is then whole.
                    copy_data(seeded[0], folder)
                log(f"starting mlflow server with {workers} worker(s)")
                running.append(start_mlflow(folder, workers))
                experiment = prepare(running[-1], scale, servers, seeded[1] if seeded else None)
                seeded = seeded or (folder, experiment)
            measure(running, scale, work, servers)
        finally:
            for server in running:
                server.stop()
        servers["hokusai"]["start_seconds"] = hokusai_start_seconds(args.binary, work)
    text = render(servers, scale, args.quick, args.command + (" --quick" if args.quick else ""))
    print(text)
    if not args.no_write:
        (ROOT / "docs").mkdir(exist_ok=True)
        (ROOT / "docs" / "BENCHMARKS.md").write_text(text)
        (ROOT / "docs" / "BENCHMARKS.json").write_text(json.dumps(servers, indent=1, default=str))
        log("wrote docs/BENCHMARKS.md and docs/BENCHMARKS.json")


if __name__ == "__main__":
    main()
