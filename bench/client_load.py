"""The concurrent and large workloads through the MLflow Python client, as users' jobs run them.
Run as its own process against one server (MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN from the
environment); prints JSON on stdout.

  writers --clients N --seconds S   N processes, each with its own MlflowClient, log_batch(100
                                    metrics) to its own run until S seconds pass; then every
                                    acknowledged row is counted back through the client.
  artifact --size-mb N --folder F   client.log_artifact of an N MiB file, then download_artifacts,
                                    the download compared with the original.
"""

import argparse
import filecmp
import json
import multiprocessing
import os
import sys
import time

KEYS = 10


def writer(run_id, start, seconds, steps, results):
    """One job: batches of KEYS × steps metrics, back to back. Failed calls (after the client's own
    retries) are counted, as a user would see them."""
    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient
    client = MlflowClient()
    start.wait()
    deadline = time.monotonic() + seconds
    acknowledged, errors, latencies, first_error = 0, 0, [], None
    batch_number = 0
    while time.monotonic() < deadline:
        now = int(time.time() * 1000)
        metrics = [Metric(f"c{k}", float(batch_number), now, batch_number * steps + s) for s in range(steps) for k in range(KEYS)]
        started = time.perf_counter()
        try:
            client.log_batch(run_id, metrics=metrics)
            acknowledged += 1
        except Exception as error:  # a failed write is a finding: counted and reported
            errors += 1
            first_error = first_error or str(error)[:200]
        latencies.append((time.perf_counter() - started) * 1000)
        batch_number += 1
    results.put({"run_id": run_id, "acknowledged": acknowledged, "errors": errors, "latencies": latencies,
                 "first_error": first_error})


def writers(clients, seconds, metrics_per_batch=100):
    from mlflow.tracking import MlflowClient
    client = MlflowClient()
    experiment = client.create_experiment(f"client-load-{os.urandom(4).hex()}")
    runs = [client.create_run(experiment).info.run_id for _ in range(clients)]
    start, results = multiprocessing.Event(), multiprocessing.Queue()
    processes = [multiprocessing.Process(target=writer, args=(run, start, seconds, metrics_per_batch // KEYS, results))
                 for run in runs]
    for process in processes:
        process.start()
    time.sleep(3)  # every job has imported mlflow and made its client before the clock starts
    started = time.monotonic()
    start.set()
    outcomes = [results.get(timeout=seconds + 600) for _ in processes]
    elapsed = time.monotonic() - started
    for process in processes:
        process.join()
    found = sum(len(client.get_metric_history(outcome["run_id"], f"c{k}")) for outcome in outcomes for k in range(KEYS))
    batches = sum(outcome["acknowledged"] for outcome in outcomes)
    expected = batches * metrics_per_batch
    return {
        "clients": clients, "seconds": round(elapsed, 1), "batches": batches, "batches_per_second": batches / elapsed,
        "metrics_per_second": expected / elapsed, "errors": sum(outcome["errors"] for outcome in outcomes),
        "first_error": next((outcome["first_error"] for outcome in outcomes if outcome["first_error"]), None),
        "rows_expected": expected, "rows_found": found, "lost": expected - found,
        "latencies": [sample for outcome in outcomes for sample in outcome["latencies"]],
    }


def artifact(size_mb, folder):
    from load import big_file  # bench/ is this script's folder, first on its path
    from mlflow.tracking import MlflowClient
    client = MlflowClient()
    run = client.create_run(client.create_experiment(f"client-big-{os.urandom(4).hex()}")).info.run_id
    source = big_file(folder, size_mb)
    started = time.perf_counter()
    client.log_artifact(run, source, "big")
    upload_seconds = time.perf_counter() - started
    target = os.path.join(folder, f"down-{os.urandom(4).hex()}")
    os.makedirs(target)
    started = time.perf_counter()
    path = client.download_artifacts(run, "big/big.bin", target)
    download_seconds = time.perf_counter() - started
    same = filecmp.cmp(source, path, shallow=False)
    os.remove(path)
    if not same:
        raise SystemExit("the downloaded artifact differs from the upload")
    return {"size_mb": size_mb, "upload_mb_s": size_mb / upload_seconds, "download_mb_s": size_mb / download_seconds,
            "upload_seconds": upload_seconds, "download_seconds": download_seconds}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    modes = parser.add_subparsers(dest="mode", required=True)
    load = modes.add_parser("writers")
    load.add_argument("--clients", type=int, required=True)
    load.add_argument("--seconds", type=int, required=True)
    big = modes.add_parser("artifact")
    big.add_argument("--size-mb", type=int, required=True)
    big.add_argument("--folder", required=True)
    args = parser.parse_args()
    result = writers(args.clients, args.seconds) if args.mode == "writers" else artifact(args.size_mb, args.folder)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
