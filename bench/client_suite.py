"""The same workloads through the MLflow Python client, as a user's code runs them, against several
servers in one process, call by call: call i of an operation goes to every server in turn (the order
reversed on odd calls) before call i + 1. This machine's speed changes within seconds and from one
process to the next (the same calls took 34 and 47 ms of CPU in two runs back to back), so servers
measured one after another, each by its own process, differed by as much as the servers do; side by
side, call by call, every server meets the same spell. Prints {server: {operation: [ms, ...]}} as JSON.

Usage: python client_suite.py --ops N --batches N --searches N --artifacts N
           --server NAME TRACKING_URI SEARCH_EXPERIMENT ARTIFACTS(0|1) [--server ...]
A server's key, if it needs one, is MLFLOW_TRACKING_TOKEN (servers without keys ignore it).
"""

import argparse
import json
import os
import sys
import tempfile
import time

from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient


class Target:
    """One server as the suite uses it: its client and the runs it made there."""

    def __init__(self, name, uri, search_experiment, artifacts):
        self.name, self.search_experiment, self.artifacts = name, search_experiment, artifacts == "1"
        self.client = MlflowClient(tracking_uri=uri)
        self.experiment = self.client.create_experiment(f"client-{os.urandom(4).hex()}")
        self.runs = []
        self.model = f"client-model-{os.urandom(4).hex()}"


def side_by_side(targets, results, operation, count, action):
    """`action(target, i)` for i in range(count), each i against every target in turn; ms per call."""
    for index in range(count):
        for target in targets if index % 2 == 0 else targets[::-1]:
            started = time.perf_counter()
            action(target, index)
            results[target.name].setdefault(operation, []).append((time.perf_counter() - started) * 1000)


def log_batch(target, i):
    now = int(time.time() * 1000)
    target.client.log_batch(target.runs[1], metrics=[Metric(f"m{k}", 0.5 + k, now, i * 100 + s)
                                                     for s in range(100) for k in range(10)])


def history(target, _):
    assert len(target.client.get_metric_history(target.runs[2], "h")) == 1000


def search(target, _):
    found = target.client.search_runs([target.search_experiment], "metrics.accuracy > 0.5 and params.model = 'cnn'",
                                      order_by=["metrics.loss ASC"], max_results=100)
    assert len(found) == 100


def register(target, i):
    run = target.runs[i % len(target.runs)]
    target.client.create_model_version(target.model, f"runs:/{run}/model", run_id=run)


def main():
    parser = argparse.ArgumentParser()
    for name in ("ops", "batches", "searches", "artifacts"):
        parser.add_argument(f"--{name}", type=int, required=True)
    parser.add_argument("--server", nargs=4, action="append", required=True,
                        metavar=("NAME", "TRACKING_URI", "SEARCH_EXPERIMENT", "ARTIFACTS"))
    args = parser.parse_args()
    targets = [Target(*server) for server in args.server]
    results = {target.name: {} for target in targets}

    def each(operation, count, action, among=targets):
        side_by_side(among, results, operation, count, action)

    each("create_run", args.ops, lambda t, i: t.runs.append(t.client.create_run(t.experiment).info.run_id))
    each("log_metric", args.ops, lambda t, i: t.client.log_metric(t.runs[0], "loss", 1.0 / (i + 1), step=i))
    each("log_param", args.ops, lambda t, i: t.client.log_param(t.runs[0], f"p{i}", "v"))
    each("log_batch_1000", args.batches, log_batch)
    for target in targets:
        target.client.log_batch(target.runs[1], params=[Param(f"param{k}", str(k)) for k in range(10)],
                                tags=[RunTag(f"tag{k}", "x") for k in range(5)])
        target.client.log_batch(target.runs[2], metrics=[Metric("h", float(s), 1_700_000_000_000 + s, s) for s in range(1000)])
        target.client.create_registered_model(target.model)
    each("get_run", args.ops, lambda t, i: t.client.get_run(t.runs[1]))
    each("get_metric_history_1000", args.ops, history)
    each("search_filtered_ordered_100", args.searches, search)
    each("register_model_version", args.ops, register)
    with_artifacts = [target for target in targets if target.artifacts]
    with tempfile.TemporaryDirectory() as folder:
        blob = os.path.join(folder, "blob.bin")
        with open(blob, "wb") as out:
            out.write(os.urandom(10 * 1024 * 1024))
        each("artifact_upload_10mb", args.artifacts,
             lambda t, i: t.client.log_artifact(t.runs[3], blob, f"copy{i}"), with_artifacts)

        def download(target, i):
            destination = os.path.join(folder, f"{target.name}-down{i}")
            os.makedirs(destination)
            path = target.client.download_artifacts(target.runs[3], f"copy{i}/blob.bin", destination)
            assert os.path.getsize(path) == 10 * 1024 * 1024
        each("artifact_download_10mb", args.artifacts, download, with_artifacts)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
