#!/usr/bin/env python3
"""Search-runs benchmark: loads 10,000 runs into a fresh server, then times searches over them.

Usage:  .venv/bin/python bench/search_runs.py [--binary .build/release/hokusai] [--runs 10000] [--repeat 50]

Prints p50/p95 per query. It is a measurement, not a test: it asserts only that each search returns
what it should, never how fast it is. The full side-by-side comparison with the MLflow server is
issue 8's `bench/run`.
"""

import argparse
import random
import statistics
import tempfile
import time

from common import ROOT, call, start_server

def load(url, key, runs):
    experiment = call(url, key, "experiments/create", {"name": "bench"})["experiment_id"]
    rng = random.Random(42)
    started = time.monotonic()
    for index in range(runs):
        run = call(url, key, "runs/create", {"experiment_id": experiment, "start_time": 1_700_000_000_000 + index})
        run_id = run["run"]["info"]["run_id"]
        call(url, key, "runs/log-batch", {
            "run_id": run_id,
            "metrics": [{"key": "loss", "value": rng.random(), "timestamp": 1, "step": 0},
                        {"key": "accuracy", "value": rng.random(), "timestamp": 1, "step": 0}],
            "params": [{"key": "model", "value": rng.choice(["cnn", "rnn", "mlp", "xgb"])},
                       {"key": "lr", "value": str(rng.choice([0.1, 0.01, 0.001]))}],
            "tags": [{"key": "team", "value": rng.choice(["vision", "text", "tabular"])}],
        })
    return experiment, time.monotonic() - started


def timed(url, key, body, repeat):
    samples, count = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        reply = call(url, key, "runs/search", body)
        samples.append((time.perf_counter() - started) * 1000)
        count = len(reply.get("runs", []))
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(ROOT / ".build" / "release" / "hokusai"))
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        process, url, key = start_server(args.binary, data_dir)
        try:
            experiment, load_seconds = load(url, key, args.runs)
            print(f"loaded {args.runs} runs (create + log-batch each) in {load_seconds:.1f} s with {args.binary}")
            queries = {
                "filter metric+param, order by metric, page of 100": {
                    "filter": "metrics.loss < 0.5 AND params.model = 'cnn'", "order_by": ["metrics.accuracy DESC"], "max_results": 100},
                "filter on a tag, default order, page of 100": {"filter": "tags.team = 'vision'", "max_results": 100},
                "order by a param, page of 100": {"order_by": ["params.lr ASC"], "max_results": 100},
                "no filter, first page of 1000": {"max_results": 1000},
            }
            print(f"{'query':55} {'p50 ms':>8} {'p95 ms':>8} {'runs':>6}")
            for name, body in queries.items():
                p50, p95, count = timed(url, key, {"experiment_ids": [experiment], **body}, args.repeat)
                print(f"{name:55} {p50:8.2f} {p95:8.2f} {count:6d}")
            scan_started = time.perf_counter()
            token, total = None, 0
            while True:
                reply = call(url, key, "runs/search", {"experiment_ids": [experiment], "max_results": 1000, "page_token": token})
                total += len(reply.get("runs", []))
                token = reply.get("next_page_token")
                if not token:
                    break
            print(f"{'full scan of all runs in pages of 1000':55} {(time.perf_counter() - scan_started) * 1000:8.1f} {'':>8} {total:6d}")
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
