"""The same workloads through the MLflow Python client, as a user's code runs them. Run as its own
process per server (the client reads MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN from the
environment); prints {operation: [ms, …]} as JSON on stdout.

Usage: python client_suite.py --ops N --batches N --searches N --artifacts N --search-experiment ID
"""

import argparse
import json
import os
import sys
import tempfile
import time

from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient


def timed(count, action):
    samples = []
    for index in range(count):
        started = time.perf_counter()
        action(index)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main():
    parser = argparse.ArgumentParser()
    for name in ("ops", "batches", "searches", "artifacts"):
        parser.add_argument(f"--{name}", type=int, required=True)
    parser.add_argument("--search-experiment", required=True)
    args = parser.parse_args()
    client = MlflowClient()
    results = {}
    experiment = client.create_experiment(f"client-{os.urandom(4).hex()}")
    runs = []
    results["create_run"] = timed(args.ops, lambda i: runs.append(client.create_run(experiment).info.run_id))
    run = runs[0]
    results["log_metric"] = timed(args.ops, lambda i: client.log_metric(run, "loss", 1.0 / (i + 1), step=i))
    results["log_param"] = timed(args.ops, lambda i: client.log_param(run, f"p{i}", "v"))
    batch_run = runs[1]

    def log_batch(i):
        now = int(time.time() * 1000)
        client.log_batch(batch_run, metrics=[Metric(f"m{k}", 0.5 + k, now, i * 100 + s) for s in range(100) for k in range(10)])
    results["log_batch_1000"] = timed(args.batches, log_batch)
    client.log_batch(batch_run, params=[Param(f"param{k}", str(k)) for k in range(10)], tags=[RunTag(f"tag{k}", "x") for k in range(5)])
    results["get_run"] = timed(args.ops, lambda i: client.get_run(batch_run))
    history_run = runs[2]
    client.log_batch(history_run, metrics=[Metric("h", float(s), 1_700_000_000_000 + s, s) for s in range(1000)])

    def history(_):
        assert len(client.get_metric_history(history_run, "h")) == 1000
    results["get_metric_history_1000"] = timed(args.ops, history)

    def search(_):
        found = client.search_runs([args.search_experiment], "metrics.accuracy > 0.5 and params.model = 'cnn'",
                                   order_by=["metrics.loss ASC"], max_results=100)
        assert len(found) == 100
    results["search_filtered_ordered_100"] = timed(args.searches, search)
    model = f"client-model-{os.urandom(4).hex()}"
    client.create_registered_model(model)
    results["register_model_version"] = timed(args.ops, lambda i: client.create_model_version(
        model, f"runs:/{runs[i % len(runs)]}/model", run_id=runs[i % len(runs)]))
    with tempfile.TemporaryDirectory() as folder:
        blob = os.path.join(folder, "blob.bin")
        with open(blob, "wb") as out:
            out.write(os.urandom(10 * 1024 * 1024))
        artifact_run = runs[3]
        results["artifact_upload_10mb"] = timed(args.artifacts, lambda i: client.log_artifact(artifact_run, blob, f"copy{i}"))

        def download(i):
            target = os.path.join(folder, f"down{i}")
            os.makedirs(target)
            path = client.download_artifacts(artifact_run, f"copy{i}/blob.bin", target)
            assert os.path.getsize(path) == 10 * 1024 * 1024
        results["artifact_download_10mb"] = timed(args.artifacts, download)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
